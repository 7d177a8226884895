"""Page login, cookie refresh and logout through the Flask test client (no browser needed)."""

from http.cookies import SimpleCookie

import pytest

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_mill, make_user


def _cookie(client, name, path="/"):
    cookie = client.get_cookie(name, path=path)
    return cookie.value if cookie else None


def _login(client, user, password=PASSWORD, next_path="/"):
    return client.post("/login", data={"email": user.email, "password": password, "next": next_path})


def test_pages_need_a_login(client):
    response = client.get("/documents/purchases")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/web/refresh?next=/documents/purchases")
    response = client.get(response.headers["Location"])
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/documents/purchases"


def test_login_sets_httponly_cookies_and_opens_the_dashboard(client, mill):
    user = make_user(Role.OPERATOR, mill)
    response = _login(client, user)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    set_cookies = SimpleCookie()
    for header in response.headers.getlist("Set-Cookie"):
        set_cookies.load(header)
    assert set_cookies["access_token_cookie"]["httponly"]
    assert set_cookies["refresh_token_cookie"]["httponly"]
    assert set_cookies["refresh_token_cookie"]["path"] == "/web/refresh"
    assert not set_cookies["csrf_access_token"]["httponly"]  # the page's JS reads it for the header
    page = client.get("/")
    assert page.status_code == 200
    assert str(mill.id).encode() in page.data and mill.name.encode() in page.data


def test_a_refused_login_says_why_and_sets_no_cookie(client, mill):
    user = make_user(Role.OPERATOR, mill)
    response = _login(client, user, password="wrong password!")
    assert response.status_code == 401
    assert b"Invalid email or password" in response.data
    assert _cookie(client, "access_token_cookie") is None


def test_login_never_redirects_off_site(client, mill):
    user = make_user(Role.OPERATOR, mill)
    assert _login(client, user, next_path="https://evil.example/").headers["Location"] == "/"
    assert _login(client, user, next_path="//evil.example/x").headers["Location"] == "/"
    assert _login(client, user, next_path="/\\evil.example/x").headers["Location"] == "/"
    assert _login(client, user, next_path="/stock?x=1").headers["Location"] == "/stock?x=1"


def test_api_writes_with_the_cookie_need_the_csrf_header(client, mill):
    admin = make_user(Role.MILL_ADMIN, mill)
    _login(client, admin)
    body = {"name": "Renamed Mill"}
    assert client.patch(f"/api/v1/mills/{mill.id}", json=body).status_code == 401
    csrf = _cookie(client, "csrf_access_token")
    response = client.patch(f"/api/v1/mills/{mill.id}", json=body, headers={"X-CSRF-TOKEN": csrf})
    assert response.status_code == 200, response.json


def test_refresh_rotates_the_cookies(client, mill):
    user = make_user(Role.OPERATOR, mill)
    _login(client, user)
    assert client.post("/web/refresh").status_code == 403  # no CSRF header: refused, and nothing cleared
    old_access = _cookie(client, "access_token_cookie")
    csrf = _cookie(client, "csrf_refresh_token")
    response = client.post("/web/refresh", headers={"X-CSRF-TOKEN": csrf})
    assert response.status_code == 200, response.json
    assert 800 < response.json["data"]["accessExpiresIn"] <= 900
    assert _cookie(client, "access_token_cookie") != old_access
    assert client.get("/").status_code == 200


def test_an_expired_access_cookie_is_renewed_on_the_way_to_a_page(client, mill):
    user = make_user(Role.OPERATOR, mill)
    _login(client, user)
    client.delete_cookie("access_token_cookie")
    response = client.get("/documents/sales")
    assert response.headers["Location"].startswith("/web/refresh")
    response = client.get(response.headers["Location"])
    assert response.status_code == 302 and response.headers["Location"] == "/documents/sales"
    assert client.get("/documents/sales").status_code == 200


def test_logout_revokes_the_token_and_clears_the_cookies(client, mill):
    user = make_user(Role.OPERATOR, mill)
    _login(client, user)
    access = _cookie(client, "access_token_cookie")
    csrf = _cookie(client, "csrf_access_token")
    assert client.post("/web/refresh/logout", headers={"X-CSRF-TOKEN": csrf}).status_code == 200
    assert _cookie(client, "access_token_cookie") is None
    # the old token no longer works even if someone kept it
    response = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {access}"})
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_a_mill_user_cannot_pick_another_mill(client, mill):
    other = make_mill("Other Mill")
    user = make_user(Role.MILL_ADMIN, mill)
    _login(client, user)
    page = client.get(f"/?mill={other.id}")
    assert page.status_code == 200
    assert str(other.id).encode() not in page.data and b"Other Mill" not in page.data


def test_super_admin_picks_a_mill_and_has_the_platform_page(client, mill):
    admin = make_user(Role.SUPER_ADMIN)
    response = _login(client, admin)
    assert response.headers["Location"] == "/admin"
    assert client.get("/admin").status_code == 200
    assert client.get("/").headers["Location"] == "/admin"  # no mill picked yet
    page = client.get(f"/documents/purchases?mill={mill.id}")
    assert page.status_code == 200 and str(mill.id).encode() in page.data


def test_only_the_super_admin_has_the_platform_page(client, mill):
    _login(client, make_user(Role.MILL_ADMIN, mill))
    assert client.get("/admin").status_code == 403


@pytest.mark.parametrize(
    "path",
    ["/", "/documents/purchases", "/documents/sales", "/documents/inwards", "/documents/outwards",
     "/documents/payments", "/documents/staff", "/milling", "/stock", "/attendance", "/notifications"],
)  # fmt: skip
def test_every_page_renders_with_labelled_inputs(client, mill, path):
    _login(client, make_user(Role.MILL_ADMIN, mill))
    page = client.get(path)
    assert page.status_code == 200
    html = page.data.decode()
    assert 'id="conn"' in html and "/realtime/events.js" in html
    import re

    for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        assert f'for="{input_id}"' in html, f"{path}: #{input_id} has no label"


def test_an_unknown_document_page_is_404(client, mill):
    _login(client, make_user(Role.MILL_ADMIN, mill))
    assert client.get("/documents/nothing").status_code == 404


def test_a_login_form_posted_from_another_site_is_refused(client, mill):
    user = make_user(Role.OPERATOR, mill)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "next": "/"},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    assert _cookie(client, "access_token_cookie") is None


def test_pages_cannot_be_framed_and_run_only_their_own_scripts(client, mill):
    _login(client, make_user(Role.OPERATOR, mill))
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.data.decode()  # no inline script for the policy to allow
