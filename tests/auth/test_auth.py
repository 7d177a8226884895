from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ricemill.auth.models import LoginAttempt, RefreshToken
from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, make_user


def _login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_login_returns_tokens_and_user(client, mill):
    user = make_user(Role.MANAGER, mill, email="Manager@Example.test")
    response = _login(client, "manager@example.test")  # email is case-insensitive
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True and body["statusCode"] == 200
    data = body["data"]
    assert set(data) == {"accessToken", "refreshToken", "user"}
    assert data["user"]["id"] == str(user.id)
    assert data["user"]["role"] == "MANAGER"
    assert data["user"]["millId"] == str(mill.id)
    assert "password" not in data["user"] and "passwordHash" not in data["user"]
    me = client.get("/api/v1/auth/me", headers=_bearer(data["accessToken"]))
    assert me.status_code == 200
    assert me.get_json()["data"]["email"] == "Manager@Example.test"


def test_access_token_lasts_15_minutes_by_default(app, client, mill):
    from flask_jwt_extended import decode_token

    make_user(Role.OPERATOR, mill, email="op@example.test")
    token = _login(client, "op@example.test").get_json()["data"]["accessToken"]
    claims = decode_token(token)
    assert claims["exp"] - claims["iat"] == 15 * 60
    assert claims["type"] == "access"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, mill):
    make_user(Role.OPERATOR, mill, email="known@example.test")
    wrong = _login(client, "known@example.test", "wrong password!")
    unknown = _login(client, "nobody@example.test", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["message"] == "Invalid email or password"


def test_inactive_user_cannot_log_in(client, mill):
    user = make_user(Role.OPERATOR, mill, email="gone@example.test")
    user.is_active = False
    db.session.commit()
    assert _login(client, "gone@example.test").status_code == 401


def test_login_is_throttled_per_account_with_back_off(app, client, mill, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_MAX_FAILURES", 1000)  # only the per-account lock here
    make_user(Role.OPERATOR, mill, email="target@example.test")
    make_user(Role.OPERATOR, mill, email="bystander@example.test")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _login(client, "target@example.test", "bad password 1").status_code == 401
    locked = _login(client, "target@example.test")  # even the right password is refused while locked
    assert locked.status_code == 429
    assert locked.get_json()["success"] is False
    first_wait = int(locked.headers["Retry-After"])
    assert 0 < first_wait <= app.config["LOGIN_LOCK_BASE_SECONDS"] + 1
    # Another account is not affected.
    assert _login(client, "bystander@example.test").status_code == 200
    # Unknown accounts are throttled the same way (no hint that an account exists).
    for _ in range(limit):
        _login(client, "ghost@example.test", "x")
    assert _login(client, "ghost@example.test", "x").status_code == 429

    # Back-off doubles: expire the lock, fail once more, and the next lock is twice as long.
    attempt = db.session.get(LoginAttempt, "target@example.test")
    attempt.locked_until = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert _login(client, "target@example.test", "bad again").status_code == 401
    second = _login(client, "target@example.test")
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) > first_wait


def test_successful_login_resets_the_failure_count(client, mill):
    make_user(Role.OPERATOR, mill, email="resets@example.test")
    for _ in range(3):
        _login(client, "resets@example.test", "nope nope")
    assert _login(client, "resets@example.test").status_code == 200
    assert db.session.get(LoginAttempt, "resets@example.test") is None


def test_refresh_rotates_and_refuses_reuse(client, mill):
    make_user(Role.OPERATOR, mill, email="rot@example.test")
    first = _login(client, "rot@example.test").get_json()["data"]
    refreshed = client.post("/api/v1/auth/refresh", headers=_bearer(first["refreshToken"]))
    assert refreshed.status_code == 200
    second = refreshed.get_json()["data"]
    assert second["refreshToken"] != first["refreshToken"]
    assert client.get("/api/v1/auth/me", headers=_bearer(second["accessToken"])).status_code == 200

    reused = client.post("/api/v1/auth/refresh", headers=_bearer(first["refreshToken"]))
    assert reused.status_code == 401
    # Reuse revokes the whole family: the newer refresh token is dead too.
    assert client.post("/api/v1/auth/refresh", headers=_bearer(second["refreshToken"])).status_code == 401
    family = db.session.scalars(sa.select(RefreshToken)).all()
    assert family and all(row.revoked_at is not None for row in family)


def test_refresh_token_is_not_an_access_token(client, mill):
    make_user(Role.OPERATOR, mill, email="types@example.test")
    tokens = _login(client, "types@example.test").get_json()["data"]
    response = client.get("/api/v1/auth/me", headers=_bearer(tokens["refreshToken"]))
    assert response.status_code == 401
    assert response.get_json()["success"] is False
    # and an access token is not a refresh token
    assert client.post("/api/v1/auth/refresh", headers=_bearer(tokens["accessToken"])).status_code == 401


def test_logout_revokes_access_and_refresh_tokens(client, mill):
    make_user(Role.OPERATOR, mill, email="bye@example.test")
    tokens = _login(client, "bye@example.test").get_json()["data"]
    out = client.post(
        "/api/v1/auth/logout", headers=_bearer(tokens["accessToken"]), json={"refreshToken": tokens["refreshToken"]}
    )
    assert out.status_code == 200
    me = client.get("/api/v1/auth/me", headers=_bearer(tokens["accessToken"]))
    assert me.status_code == 401
    assert me.get_json()["message"] == "Token revoked"
    assert client.post("/api/v1/auth/refresh", headers=_bearer(tokens["refreshToken"])).status_code == 401


def test_logout_without_body_revokes_the_access_token(client, mill):
    make_user(Role.OPERATOR, mill, email="bye2@example.test")
    tokens = _login(client, "bye2@example.test").get_json()["data"]
    assert client.post("/api/v1/auth/logout", headers=_bearer(tokens["accessToken"])).status_code == 200
    assert client.get("/api/v1/auth/me", headers=_bearer(tokens["accessToken"])).status_code == 401


def test_tampered_and_expired_tokens_are_refused(app, client, mill):
    from flask_jwt_extended import create_access_token

    user = make_user(Role.OPERATOR, mill)
    token = create_access_token(identity=str(user.id))
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get("/api/v1/auth/me", headers=_bearer(tampered)).get_json()["message"] == "Invalid token"
    expired = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=-1))
    assert client.get("/api/v1/auth/me", headers=_bearer(expired)).status_code == 401


def test_a_token_used_before_is_refused_once_it_expires(app, client, mill):
    """The process remembers a decoded token; it still checks its expiry on every request."""
    import time

    from flask_jwt_extended import create_access_token

    user = make_user(Role.OPERATOR, mill)
    token = create_access_token(identity=str(user.id), expires_delta=timedelta(seconds=1))
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 200
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 200  # the remembered decode
    time.sleep(1.1)
    response = client.get("/api/v1/auth/me", headers=_bearer(token))
    assert response.status_code == 401 and response.get_json()["message"] == "Token expired"


def test_a_token_signed_with_another_secret_is_refused_after_a_good_one(app, client, mill):
    """A remembered decode belongs to its secret: the same token under another key is not trusted."""
    from flask_jwt_extended import create_access_token

    user = make_user(Role.OPERATOR, mill)
    token = create_access_token(identity=str(user.id))
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 200
    secret = app.config["JWT_SECRET_KEY"]
    app.config["JWT_SECRET_KEY"] = secret + "-rotated"
    try:
        assert client.get("/api/v1/auth/me", headers=_bearer(token)).get_json()["message"] == "Invalid token"
    finally:
        app.config["JWT_SECRET_KEY"] = secret


def test_deactivated_user_token_stops_working(client, mill):
    user = make_user(Role.OPERATOR, mill, email="deact@example.test")
    token = _login(client, "deact@example.test").get_json()["data"]["accessToken"]
    user = db.session.get(type(user), user.id)
    user.is_active = False
    db.session.commit()
    response = client.get("/api/v1/auth/me", headers=_bearer(token))
    assert response.status_code == 401
    assert response.get_json()["message"] == "User not found or inactive"


def test_login_body_with_unknown_field_is_refused(client, mill):
    make_user(Role.OPERATOR, mill, email="extra@example.test")
    response = client.post(
        "/api/v1/auth/login", json={"email": "extra@example.test", "password": PASSWORD, "role": "SUPER_ADMIN"}
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": "role", "message": "Unknown field."}]


@pytest.mark.parametrize("body", [None, [], "text", {"email": 5, "password": []}])
def test_login_bad_shapes_are_422(client, body):
    response = client.post("/api/v1/auth/login", json=body)
    assert response.status_code == 422
