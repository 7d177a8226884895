"""Changing one's own password: the current one is required; every other session ends (refresh
tokens, access tokens, sockets); the session that changed it carries on."""

import sqlalchemy as sa

from ricemill.auth.models import RefreshToken, User
from ricemill.auth.passwords import verify_password
from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, make_user

NEW = "a brand new passphrase"


def _login(client, user, password=PASSWORD):
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one(client, mill):
    user = make_user(Role.OPERATOR, mill)
    other = _login(client, user)  # a phone, say
    mine = _login(client, user)
    response = client.post(
        "/api/v1/account/password",
        json={"currentPassword": PASSWORD, "newPassword": NEW},
        headers=_bearer(mine["accessToken"]),
    )
    assert response.status_code == 200, response.get_json()
    fresh = response.get_json()["data"]
    assert set(fresh) == {"accessToken", "refreshToken"}
    # the other session: its access token and its refresh token are both dead now
    assert client.get("/api/v1/auth/me", headers=_bearer(other["accessToken"])).status_code == 401
    assert client.post("/api/v1/auth/refresh", headers=_bearer(other["refreshToken"])).status_code == 401
    # this session goes on with its new pair, and the new pair refreshes
    assert client.get("/api/v1/auth/me", headers=_bearer(fresh["accessToken"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=_bearer(fresh["refreshToken"])).status_code == 200
    # the new password logs in, the old one no longer does
    assert client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}).status_code == 401
    _login(client, user, NEW)


def test_a_wrong_current_password_is_422_on_its_field_and_changes_nothing(client, mill):
    user = make_user(Role.MANAGER, mill)
    token = _login(client, user)["accessToken"]
    before = db.session.scalar(
        sa.select(sa.func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
    )
    response = client.post(
        "/api/v1/account/password",
        json={"currentPassword": "not my password", "newPassword": NEW},
        headers=_bearer(token),
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["currentPassword"]
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
    after = db.session.scalar(
        sa.select(sa.func.count()).select_from(RefreshToken).where(RefreshToken.revoked_at.is_(None))
    )
    assert after == before
    assert client.get("/api/v1/auth/me", headers=_bearer(token)).status_code == 200


def test_bad_password_bodies_are_422(client, mill):
    user = make_user(Role.OPERATOR, mill)
    token = _login(client, user)["accessToken"]
    for body, field in (
        ({"currentPassword": PASSWORD, "newPassword": "short"}, "newPassword"),
        ({"currentPassword": PASSWORD, "newPassword": PASSWORD}, "newPassword"),
        ({"newPassword": NEW}, "currentPassword"),
        ({"currentPassword": PASSWORD, "newPassword": NEW, "role": "SUPER_ADMIN"}, "role"),
    ):
        response = client.post("/api/v1/account/password", json=body, headers=_bearer(token))
        assert response.status_code == 422, body
        assert field in [e["field"] for e in response.get_json()["errors"]], response.get_json()
    assert client.post("/api/v1/account/password", json={}).status_code == 401
    _login(client, user)  # still the old password


def test_the_page_gets_new_cookies_not_tokens_in_json(client, mill):
    user = make_user(Role.OPERATOR, mill)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/"})
    old_access = client.get_cookie("access_token_cookie").value
    response = client.post(
        "/api/v1/account/password",
        json={"currentPassword": PASSWORD, "newPassword": NEW},
        headers={"X-CSRF-TOKEN": client.get_cookie("csrf_access_token").value},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"] == {}
    assert client.get_cookie("access_token_cookie").value != old_access
    assert client.get("/account").status_code == 200  # the page carries on with its new cookie
    assert client.get("/api/v1/auth/me", headers=_bearer(old_access)).status_code == 401


def test_an_admin_reset_ends_the_users_sessions(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    operator = make_user(Role.OPERATOR, mill)
    op = _login(client, operator)
    response = client.patch(
        f"/api/v1/mills/{mill.id}/users/{operator.id}",
        json={"password": NEW},
        headers=_bearer(_login(client, admin)["accessToken"]),
    )
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me", headers=_bearer(op["accessToken"])).status_code == 401
    _login(client, operator, NEW)
