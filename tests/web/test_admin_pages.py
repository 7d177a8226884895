"""The users, settings and account pages through the Flask client: who may open them."""

import pytest

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_mill, make_user


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/users", "/settings"])
def test_mill_admin_pages_open_for_the_mill_admin_only(client, mill, path):
    for role, status in ((Role.MILL_ADMIN, 200), (Role.MANAGER, 403), (Role.OPERATOR, 403)):
        client.delete_cookie("access_token_cookie")
        _login(client, make_user(role, mill))
        response = client.get(path)
        assert response.status_code == status, (role, path)
        if status == 200:
            assert f'data-page="{path[1:]}"'.encode() in response.data
            assert f"{path[1:]}.js".encode() in response.data
        else:
            assert b"Only the mill&#39;s admin" in response.data


def test_the_nav_shows_users_and_settings_to_the_mill_admin_only(client, mill):
    _login(client, make_user(Role.MILL_ADMIN, mill))
    page = client.get("/").data
    assert b'href="/users"' in page and b'href="/settings"' in page and b'href="/account"' in page
    client.delete_cookie("access_token_cookie")
    _login(client, make_user(Role.MANAGER, mill))
    page = client.get("/").data
    assert b'href="/users"' not in page and b'href="/settings"' not in page and b'href="/account"' in page


def test_super_admin_opens_any_mills_users_page_and_own_account(client):
    mill = make_mill()
    _login(client, make_user(Role.SUPER_ADMIN))
    assert client.get("/users").status_code == 302  # no mill chosen: back to the platform page
    response = client.get(f"/users?mill={mill.id}")
    assert response.status_code == 200 and str(mill.id).encode() in response.data
    assert client.get(f"/settings?mill={mill.id}").status_code == 200
    assert client.get("/account").status_code == 200


def test_every_user_opens_my_account(client, mill):
    for role in (Role.MILL_ADMIN, Role.MANAGER, Role.OPERATOR):
        client.delete_cookie("access_token_cookie")
        user = make_user(role, mill)
        _login(client, user)
        response = client.get("/account")
        assert response.status_code == 200
        assert user.email.encode() in response.data and b"account.js" in response.data


def test_the_pages_need_a_login(client):
    for path in ("/users", "/settings", "/account"):
        assert client.get(path).status_code == 302
