"""Login, token issue and rotation, logout, and per-account login throttling."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..common.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized
from ..extensions import db
from ..realtime.outbox import after_commit
from .models import LoginAttempt, RefreshToken, RevokedToken, User
from .passwords import hash_password, verify_password
from .roles import Role

INVALID_CREDENTIALS = "Invalid email or password"


def _now() -> datetime:
    return datetime.now(UTC)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == normalise_email(email)))


# --- throttling -------------------------------------------------------------------------------


def _address_key(address: str | None) -> str | None:
    """Failures per client address share the table with failures per email, under `addr:`."""
    return f"addr:{address}"[:254] if address else None


def _check_not_locked(key: str) -> None:
    attempt = db.session.get(LoginAttempt, key)
    if attempt and attempt.locked_until and attempt.locked_until > _now():
        wait = int((attempt.locked_until - _now()).total_seconds()) + 1
        raise TooManyRequests("Too many failed logins; try again later", retry_after=wait)


def _record_failure(key: str, *, max_failures: int, window_seconds: int | None = None) -> None:
    """Count the failure; from the Nth on, lock with a doubling back-off (30 s, 60 s, ... 15 min).

    With `window_seconds` (addresses), a count whose last failure is older than the window starts again.
    """
    cfg = current_app.config
    count = LoginAttempt.failures + 1
    if window_seconds:
        stale = LoginAttempt.last_failure_at < _now() - timedelta(seconds=window_seconds)
        count = sa.case((stale, 1), else_=LoginAttempt.failures + 1)
    stmt = (
        pg_insert(LoginAttempt)
        .values(email=key, failures=1, last_failure_at=_now())
        .on_conflict_do_update(index_elements=[LoginAttempt.email], set_={"failures": count, "last_failure_at": _now()})
        .returning(LoginAttempt.failures)
    )
    failures = db.session.execute(stmt).scalar_one()
    over = failures - max_failures
    if over >= 0:
        seconds = min(cfg["LOGIN_LOCK_BASE_SECONDS"] * (2**over), cfg["LOGIN_LOCK_MAX_SECONDS"])
        db.session.execute(
            sa.update(LoginAttempt)
            .where(LoginAttempt.email == key)
            .values(locked_until=_now() + timedelta(seconds=seconds))
        )


def _clear_failures(email: str) -> None:
    db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.email == email))


# --- tokens -----------------------------------------------------------------------------------


def _claims(user: User, family: str) -> dict:
    return {"role": str(user.role), "millId": str(user.mill_id) if user.mill_id else None, "fam": family}


def issue_tokens(user: User, family: str | None = None) -> dict:
    """A fresh access token and a refresh token recorded in its rotation family.

    The access token names its family (`fam`) too: revoking the family ends its access tokens at once.
    """
    family = family or uuid.uuid4().hex
    access = create_access_token(identity=str(user.id), additional_claims=_claims(user, family))
    refresh = create_refresh_token(identity=str(user.id), additional_claims={"fam": family})
    decoded = decode_token(refresh)
    db.session.add(
        RefreshToken(
            jti=decoded["jti"],
            family=family,
            user_id=user.id,
            expires_at=datetime.fromtimestamp(decoded["exp"], UTC),
        )
    )
    return {"access_token": access, "refresh_token": refresh}


def login(*, email: str, password: str, address: str | None = None) -> tuple[User, dict]:
    """Check the credentials; the same answer for an unknown user and a wrong password.

    Throttled per account (guessing one password) and per client address (spraying many accounts);
    a success clears the account's count, never the address's (an attacker may own one account).
    """
    cfg = current_app.config
    email = normalise_email(email)
    address_key = _address_key(address)
    if address_key:
        _check_not_locked(address_key)
    _check_not_locked(email)
    user = find_user_by_email(email)
    good = verify_password(user.password_hash if user else None, password)
    if not good or user is None or not user.is_active or (user.mill is not None and not user.mill.is_active):
        _record_failure(email, max_failures=cfg["LOGIN_MAX_FAILURES"])
        if address_key:
            _record_failure(
                address_key,
                max_failures=cfg["LOGIN_ADDRESS_MAX_FAILURES"],
                window_seconds=cfg["LOGIN_ADDRESS_WINDOW_SECONDS"],
            )
        db.session.commit()  # the failure must count even though the request fails
        raise Unauthorized(INVALID_CREDENTIALS)
    _clear_failures(email)
    user.last_login_at = _now()
    tokens = issue_tokens(user)
    return user, tokens


def refresh(*, jwt_payload: dict, user: User) -> dict:
    """Rotate: spend the presented refresh token and issue a new pair in the same family.

    Presenting a spent (or revoked) token means it was copied: the whole family is revoked.
    """
    jti = jwt_payload["jti"]
    row = db.session.execute(
        sa.select(RefreshToken).where(RefreshToken.jti == jti).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.user_id != user.id:
        raise Unauthorized("Invalid token")
    if row.spent_at is not None or row.revoked_at is not None:
        revoke_family(user_id=user.id, family=row.family)
        db.session.commit()
        raise Unauthorized("Refresh token already used; please log in again")
    row.spent_at = _now()
    return issue_tokens(user, family=row.family)


def revoke_access_token(jwt_payload: dict) -> None:
    stmt = (
        pg_insert(RevokedToken)
        .values(
            jti=jwt_payload["jti"],
            user_id=uuid.UUID(jwt_payload["sub"]),
            expires_at=datetime.fromtimestamp(jwt_payload["exp"], UTC),
        )
        .on_conflict_do_nothing()
    )
    db.session.execute(stmt)


def revoke_family(*, user_id, family: str) -> None:
    """Revoke a refresh family: its refresh tokens, its access tokens (the blocklist checks `fam`)
    and, after commit, the sockets opened with them in every process."""
    db.session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.family == family, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=_now())
    )
    after_commit(lambda: family_revoked(user_id=user_id, family=family))


def logout(*, jwt_payload: dict, user: User, refresh_token: str | None = None) -> None:
    """Revoke the access token in use, its refresh family (the session), and the family of
    `refresh_token` (body or cookie) when it is another one of the same user's."""
    revoke_access_token(jwt_payload)
    families = {jwt_payload.get("fam")}
    if refresh_token:
        try:
            decoded = decode_token(refresh_token, allow_expired=True)
        except Exception:
            decoded = None
        if decoded and decoded.get("type") == "refresh" and decoded.get("sub") == str(user.id):
            families.add(decoded.get("fam"))
    for family in sorted(f for f in families if isinstance(f, str) and f):
        revoke_family(user_id=user.id, family=family)
    jti = jwt_payload["jti"]
    after_commit(lambda: access_revoked(user_id=user.id, jti=jti))


def revoke_refresh_token(refresh_token: str) -> None:
    """Revoke the family of a genuine refresh token (expired or not); anything else is ignored."""
    try:
        decoded = decode_token(refresh_token, allow_expired=True)
        user_id = uuid.UUID(str(decoded.get("sub")))
    except Exception:
        return
    if decoded.get("type") == "refresh" and isinstance(decoded.get("fam"), str):
        revoke_family(user_id=user_id, family=decoded["fam"])


def _revoked_clause(with_family: bool):
    """EXISTS: the token (`:jti`) revoked itself, or (with its family, `:family`) through its refresh family."""
    revoked = sa.exists().where(RevokedToken.jti == sa.bindparam("jti"))
    if with_family:
        revoked = sa.or_(
            revoked,
            sa.exists().where(RefreshToken.family == sa.bindparam("family"), RefreshToken.revoked_at.is_not(None)),
        )
    return revoked


# Built once per shape: executing the same statement object again reuses SQLAlchemy's cache key and
# compiled form (building them on every request cost more than running them).
_REVOKED = {with_family: sa.select(_revoked_clause(with_family)) for with_family in (False, True)}
_TOKEN_USER = {
    with_family: sa.select(User, _revoked_clause(with_family).label("revoked")).where(
        User.id == sa.bindparam("user_id")
    )
    for with_family in (False, True)
}


def _token_params(jti: str, family: str | None, **more) -> dict:
    return {"jti": jti, **({"family": family} if family else {}), **more}


def is_access_token_revoked(jti: str, family: str | None = None) -> bool:
    """Revoked itself (logout) or through its refresh family (logout, reuse, password change...)."""
    return db.session.scalar(_REVOKED[bool(family)], _token_params(jti, family))


def load_token_user(user_id: uuid.UUID, jti: str, family: str | None = None):
    """(revoked, user) of an access token in one query: the revocation check of
    `is_access_token_revoked` beside the token's user and its mill (joined). None when the user
    does not exist (the caller then checks revocation alone)."""
    row = db.session.execute(_TOKEN_USER[bool(family)], _token_params(jti, family, user_id=user_id)).first()
    return None if row is None else (bool(row.revoked), row[0])


def revoke_all_refresh_tokens(user_id: uuid.UUID) -> None:
    db.session.execute(
        sa.update(RefreshToken)
        .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=_now())
    )


# --- hooks for live authorisation (the realtime layer replaces these) -------------------------

_access_hooks: dict[str, object] = {}


def on_access_change(*, token_revoked=None, user_changed=None, family_revoked=None) -> None:
    """Register what to do after commit when a token is revoked or a user's access changes."""
    if token_revoked:
        _access_hooks["token_revoked"] = token_revoked
    if family_revoked:
        _access_hooks["family_revoked"] = family_revoked
    if user_changed:
        _access_hooks["user_changed"] = user_changed


def access_revoked(*, user_id, jti: str) -> None:
    hook = _access_hooks.get("token_revoked")
    if hook:
        hook(user_id=str(user_id), jti=jti)


def family_revoked(*, user_id, family: str) -> None:
    hook = _access_hooks.get("family_revoked")
    if hook:
        hook(user_id=str(user_id), family=family)


def user_access_changed(user_id) -> None:
    """Queue: after commit, whatever sessions the user holds must re-check (disconnect)."""

    def run():
        hook = _access_hooks.get("user_changed")
        if hook:
            hook(user_id=str(user_id))

    after_commit(run)


# --- users ------------------------------------------------------------------------------------


def create_user(*, email: str, name: str, password: str, role: Role, mill_id=None, phone=None) -> User:
    if find_user_by_email(email):
        raise Conflict("A user with this email already exists")
    user = User(
        email=email.strip(),
        name=name.strip(),
        phone=phone,
        role=Role(role),
        mill_id=mill_id,
        password_hash=hash_password(password),
        is_active=True,
    )
    db.session.add(user)
    db.session.flush()
    return user


def update_user(*, user: User, data: dict, actor: User) -> User:
    changes_access = False
    if "role" in data and data["role"] != user.role:
        if user.id == actor.id:
            raise Forbidden("You cannot change your own role")
        user.role = Role(data["role"])
        changes_access = True
    if "is_active" in data and data["is_active"] != user.is_active:
        if user.id == actor.id:
            raise Forbidden("You cannot deactivate yourself")
        user.is_active = data["is_active"]
        changes_access = True
    for key in ("name", "phone"):
        if key in data:
            setattr(user, key, data[key])
    if "email" in data and normalise_email(data["email"]) != normalise_email(user.email):
        if find_user_by_email(data["email"]):
            raise Conflict("A user with this email already exists")
        user.email = data["email"].strip()
    if "password" in data:
        user.password_hash = hash_password(data["password"])
        changes_access = True
    if changes_access:
        revoke_all_refresh_tokens(user.id)
        user_access_changed(user.id)
    db.session.flush()
    return user


def deactivate_user(*, user: User, actor: User) -> User:
    if user.id == actor.id:
        raise Forbidden("You cannot deactivate yourself")
    user.is_active = False
    revoke_all_refresh_tokens(user.id)
    user_access_changed(user.id)
    db.session.flush()
    return user


def get_user_or_404(user_id) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("User not found")
    return user
