"""flask-jwt-extended wiring: who the token is, whether it is revoked, and envelope errors.

A token's signature and claims are decoded once per process (`_remember_decoded`): every request of a
session sends the same token, and PyJWT's decoding (its segments checked character by character, four
times per request) cost more CPU than the revocation query. Time is checked again on every use (an
expired token takes the full path, which refuses it); revocation is always asked of the database.
Its unverified header, which flask-jwt-extended reads again after the decode, is remembered the same
way (`_remember_header`).

flask-jwt-extended asks whether the token is revoked, then who its user is. For an access token
both come from one query (`load_token_user`): the revocation check hands the user it loaded to the
user lookup of the same verification (kept on `g` under the token's jti, taken once), so a request
costs one round trip for its token, not two.
"""

import time
import uuid

import flask_jwt_extended.view_decorators as jwt_views
from flask import current_app, g
from flask_jwt_extended.config import config

from ..common.errors import error_envelope
from ..extensions import db, jwt
from .models import User
from .service import is_access_token_revoked, load_token_user

_LOADED = "_ricemill_token_user"
_DECODED: dict[tuple, dict] = {}
_DECODED_MAX = 4096  # tokens remembered (the oldest forgotten first)
_HEADERS: dict[str, dict] = {}


def _remember_decoded(decode):
    """`JWTManager._decode_jwt_from_config` remembering its successful answers per token and settings."""
    if getattr(decode, "_ricemill_remembers", False):
        return decode

    def remembering(encoded_token, csrf_value=None, allow_expired=False):
        leeway = config.leeway
        key = (
            encoded_token, csrf_value, allow_expired, current_app.config["JWT_SECRET_KEY"], leeway,
            tuple(config.decode_algorithms), str(config.decode_audience), config.decode_issuer,
        )  # fmt: skip
        known = _DECODED.get(key)
        if known is not None and _still_valid(known, leeway, allow_expired):
            return dict(known)
        decoded = decode(encoded_token, csrf_value, allow_expired)
        _keep(_DECODED, key, dict(decoded))
        return decoded

    remembering._ricemill_remembers = True
    return remembering


def _remember_header(read_header):
    """flask-jwt-extended's unverified header reader remembering its answer per token: it is read after
    the token was decoded (so only for tokens that passed), and PyJWT's reading cost as much as a decode."""
    if getattr(read_header, "_ricemill_remembers", False):
        return read_header

    def remembering(encoded_token):
        known = _HEADERS.get(encoded_token)
        if known is None:
            known = read_header(encoded_token)
            _keep(_HEADERS, encoded_token, dict(known))
        return dict(known)

    remembering._ricemill_remembers = True
    return remembering


def _keep(cache: dict, key, value) -> None:
    """Remember `value` under `key`, forgetting the oldest entry once `_DECODED_MAX` are kept."""
    if len(cache) >= _DECODED_MAX:
        cache.pop(next(iter(cache)), None)
    cache[key] = value


def _still_valid(decoded: dict, leeway, allow_expired: bool) -> bool:
    """PyJWT's time checks, again: not expired (unless allowed), not before its nbf or iat."""
    now = time.time()
    leeway = leeway.total_seconds() if hasattr(leeway, "total_seconds") else leeway
    if not allow_expired and "exp" in decoded and decoded["exp"] <= now - leeway:
        return False
    return all(decoded[claim] <= now + leeway for claim in ("nbf", "iat") if claim in decoded)


def register_jwt_callbacks() -> None:
    jwt._decode_jwt_from_config = _remember_decoded(jwt._decode_jwt_from_config)
    jwt_views.get_unverified_jwt_headers = _remember_header(jwt_views.get_unverified_jwt_headers)

    @jwt.user_lookup_loader
    def _load_user(_header, payload):
        loaded = g.pop(_LOADED, None)
        try:
            if loaded is not None and loaded[0] == payload.get("jti"):
                user = loaded[1]
            else:
                user = db.session.get(User, uuid.UUID(payload["sub"]))
        except (KeyError, ValueError):
            return None
        if user is None or not user.is_active or (user.mill is not None and not user.mill.is_active):
            return None
        return user

    @jwt.token_in_blocklist_loader
    def _revoked(_header, payload) -> bool:
        if payload.get("type") != "access":
            return False  # refresh tokens are checked, and rotated, by the refresh route itself
        g.pop(_LOADED, None)
        try:
            found = load_token_user(uuid.UUID(payload["sub"]), payload["jti"], payload.get("fam"))
        except (KeyError, ValueError, TypeError, AttributeError):
            found = None
        if found is None:  # no such user (401 at the lookup) or a malformed subject
            return is_access_token_revoked(payload["jti"], payload.get("fam"))
        revoked, user = found
        if not revoked:
            setattr(g, _LOADED, (payload["jti"], user))
        return revoked

    @jwt.user_lookup_error_loader
    def _user_gone(_header, _payload):
        return error_envelope(401, "User not found or inactive")

    @jwt.unauthorized_loader
    def _missing(reason):
        return error_envelope(401, "Authentication token required")

    @jwt.invalid_token_loader
    def _invalid(reason):
        return error_envelope(401, "Invalid token")

    @jwt.expired_token_loader
    def _expired(_header, _payload):
        return error_envelope(401, "Token expired")

    @jwt.revoked_token_loader
    def _revoked_answer(_header, _payload):
        return error_envelope(401, "Token revoked")

    @jwt.needs_fresh_token_loader
    def _not_fresh(_header, _payload):
        return error_envelope(401, "Fresh login required")

    @jwt.token_verification_failed_loader
    def _failed(_header, _payload):
        return error_envelope(401, "Invalid token")

    @jwt.decode_key_loader
    def _key(_header, _payload):
        from flask import current_app

        return current_app.config["JWT_SECRET_KEY"]
