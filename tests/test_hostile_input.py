"""Issue 9: hostile input never stalls the server, crashes a request, or ends someone's session."""

import json

import pytest
import sqlalchemy as sa
from flask import Flask, request

from ricemill.auth.models import RefreshToken
from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, auth_header, make_user

LOGIN = "/api/v1/auth/login"


def _post_raw(client, path, raw: str | bytes, headers=None):
    return client.post(path, data=raw, content_type="application/json", headers=headers or {})


def _assert_envelope(response, status):
    assert response.status_code == status, response.data[:300]
    body = response.get_json()
    assert body["success"] is False and body["statusCode"] == status
    return body


# --- body size, JSON shape, error count -------------------------------------------------------


def test_a_body_over_the_limit_is_413_before_it_is_read(client):
    raw = json.dumps({"email": "a@b.test", "password": "x" * (1024 * 1024)})
    body = _assert_envelope(_post_raw(client, LOGIN, raw), 413)
    assert body["message"] == "Request body too large: at most 1048576 bytes"


def test_the_body_limit_is_configurable(app, client):
    old = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 100
    try:
        _assert_envelope(_post_raw(client, LOGIN, json.dumps({"email": "a@b.test", "password": "y" * 200})), 413)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = old


def test_many_unknown_keys_are_refused_without_one_error_each(client):
    raw = json.dumps({f"k{i}": 0 for i in range(80_000)}, separators=(",", ":"))  # under 1 MiB
    response = _post_raw(client, LOGIN, raw)
    body = _assert_envelope(response, 400)
    assert "values" in body["message"]
    assert len(response.data) < 1000


def test_validation_errors_are_capped_with_a_count(client):
    response = client.post(LOGIN, json={f"k{i}": 0 for i in range(30)} | {"email": "a@b.test", "password": "p"})
    body = _assert_envelope(response, 422)
    assert len(body["errors"]) == 20
    assert body["errorCount"] == 30


@pytest.mark.parametrize("depth", [100, 10_000, 100_000])
def test_deeply_nested_json_is_400(client, depth):
    body = _assert_envelope(_post_raw(client, LOGIN, "[" * depth + "]" * depth), 400)
    assert "nested" in body["message"]


def test_nesting_within_the_limit_reaches_validation(client):
    raw = json.dumps({"email": "a@b.test", "password": "p", "x": [[[[1]]]]})
    _assert_envelope(_post_raw(client, LOGIN, raw), 422)


@pytest.mark.parametrize("number", ["1" * 5000, "-" + "9" * 4301, "1." + "5" * 5000, "1e" + "9" * 200])
def test_huge_numbers_are_400(client, number):
    raw = '{"email": "a@b.test", "password": "p", "n": ' + number + "}"
    body = _assert_envelope(_post_raw(client, LOGIN, raw), 400)
    assert "number" in body["message"].lower()


@pytest.mark.parametrize("raw", ["{", b'{"a": "\xff"}', '{"a": 1} x', "[1,]"])
def test_malformed_json_is_400(client, raw):
    _assert_envelope(_post_raw(client, LOGIN, raw), 400)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_are_422_naming_the_field(client, mill, number):
    user = make_user(Role.OPERATOR, mill)
    raw = '{"date": "2026-01-05", "entries": [{"staffId": "x", "status": ' + number + "}]}"
    response = _post_raw(client, f"/api/v1/mills/{mill.id}/attendance", raw, headers=auth_header(user))
    body = _assert_envelope(response, 422)
    assert body["errors"] == [{"field": "entries.0.status", "message": "Not a finite number."}]


def test_a_huge_attendance_batch_is_refused_before_validation(client, mill):
    admin = make_user(Role.OPERATOR, mill)
    entries = [{"staffId": "00000000-0000-0000-0000-000000000000", "status": "PRESENT"}] * 10_000
    response = client.post(
        f"/api/v1/mills/{mill.id}/attendance",
        json={"date": "2026-01-05", "entries": entries},
        headers=auth_header(admin),
    )
    _assert_envelope(response, 400)


def test_the_attendance_item_cap_is_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    entries = spec["components"]["schemas"]["AttendanceMark"]["properties"]["entries"]
    assert entries["maxItems"] == 500


@pytest.mark.parametrize("password", ["a\\u0000b", "a\\ud800b", "\\udfff"])
def test_any_password_characters_are_an_answer_never_a_500(client, mill, password):
    user = make_user(Role.OPERATOR, mill)
    raw = '{"email": "' + user.email + '", "password": "' + password + '"}'
    response = _post_raw(client, LOGIN, raw)
    _assert_envelope(response, 422 if response.status_code == 422 else 401)  # the text rule, or a wrong password


# --- /login form ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "field"),
    [("a\x00b@example.test", "email"), ("a" * 250 + "@example.test", "email"), ("not-an-email", "email")],
)
def test_the_login_form_validates_like_the_api(client, email, field):
    response = client.post("/login", data={"email": email, "password": "secret", "next": "/"})
    assert response.status_code == 422
    page = response.data.decode()
    assert f'id="{field}-error"' in page
    assert "\x00" not in page


def test_the_login_form_survives_a_nul_in_next(client, mill):
    user = make_user(Role.OPERATOR, mill)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/\x00x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- /web/refresh CSRF --------------------------------------------------------------------------


def _page_login(client, user):
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/"})
    assert response.status_code == 302


def _cookie(client, name, path="/"):
    cookie = client.get_cookie(name, path=path)
    return cookie.value if cookie else None


@pytest.mark.parametrize("path", ["/web/refresh", "/web/refresh/logout"])
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-CSRF-TOKEN": "forged"},
        {"Origin": "https://evil.example", "X-CSRF-TOKEN": "$csrf"},
        {"Sec-Fetch-Site": "cross-site", "X-CSRF-TOKEN": "$csrf"},
    ],
)
def test_refresh_and_logout_refuse_cross_site_requests_and_clear_nothing(client, mill, path, headers):
    user = make_user(Role.OPERATOR, mill)
    _page_login(client, user)
    access = _cookie(client, "access_token_cookie")
    refresh = _cookie(client, "refresh_token_cookie", path="/web/refresh")
    csrf = _cookie(client, "csrf_refresh_token" if path == "/web/refresh" else "csrf_access_token")
    headers = {k: (csrf if v == "$csrf" else v) for k, v in headers.items()}
    response = client.post(path, headers=headers)
    _assert_envelope(response, 403)
    assert "Set-Cookie" not in response.headers
    assert _cookie(client, "access_token_cookie") == access
    assert _cookie(client, "refresh_token_cookie", path="/web/refresh") == refresh
    assert client.get("/").status_code == 200  # still logged in


def test_logout_with_an_expired_access_cookie_still_ends_the_refresh_family(client, mill):
    user = make_user(Role.OPERATOR, mill)
    _page_login(client, user)
    csrf = _cookie(client, "csrf_access_token")
    client.delete_cookie("access_token_cookie")
    assert client.post("/web/refresh/logout", headers={"X-CSRF-TOKEN": csrf}).status_code == 200
    tokens = db.session.scalars(sa.select(RefreshToken).where(RefreshToken.user_id == user.id)).all()
    assert tokens and all(t.revoked_at is not None for t in tokens)


# --- login throttling by address ------------------------------------------------------------------


def test_password_spraying_from_one_address_is_throttled(app, client, mill):
    limit = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    victims = [make_user(Role.OPERATOR, mill, email=f"v{i}@example.test") for i in range(limit + 2)]
    spray = {"REMOTE_ADDR": "203.0.113.7"}
    answers = [
        client.post(LOGIN, json={"email": v.email, "password": "Winter2026!"}, environ_base=spray).status_code
        for v in victims
    ]
    assert answers[:limit] == [401] * limit
    assert answers[limit] == 429
    refused = client.post(LOGIN, json={"email": victims[0].email, "password": PASSWORD}, environ_base=spray)
    assert refused.status_code == 429  # even the right password, from that address, for now
    assert int(refused.headers["Retry-After"]) > 0
    # another address is not held up, and no account was locked by the spray
    ok = client.post(
        LOGIN, json={"email": victims[0].email, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "198.51.100.9"}
    )
    assert ok.status_code == 200


def test_the_login_form_is_throttled_by_address_too(app, client, mill):
    limit = app.config["LOGIN_ADDRESS_MAX_FAILURES"]
    spray = {"REMOTE_ADDR": "203.0.113.8"}
    codes = [
        client.post("/login", data={"email": f"x{i}@example.test", "password": "nope"}, environ_base=spray).status_code
        for i in range(limit + 1)
    ]
    assert codes[-1] == 429


# --- logout and refresh families ------------------------------------------------------------------


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _api_login(client, user):
    response = client.post(LOGIN, json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    return response.get_json()["data"]


def test_logout_without_a_body_ends_the_sessions_refresh_token(client, mill):
    user = make_user(Role.OPERATOR, mill)
    tokens = _api_login(client, user)
    assert client.post("/api/v1/auth/logout", headers=_bearer(tokens["accessToken"])).status_code == 200
    assert client.post("/api/v1/auth/refresh", headers=_bearer(tokens["refreshToken"])).status_code == 401


def test_logout_ends_the_sessions_other_access_tokens(client, mill):
    user = make_user(Role.OPERATOR, mill)
    first = _api_login(client, user)
    second = client.post("/api/v1/auth/refresh", headers=_bearer(first["refreshToken"])).get_json()["data"]
    other_session = _api_login(client, user)
    assert client.post("/api/v1/auth/logout", headers=_bearer(second["accessToken"])).status_code == 200
    assert client.get("/api/v1/auth/me", headers=_bearer(first["accessToken"])).status_code == 401
    assert client.get("/api/v1/auth/me", headers=_bearer(other_session["accessToken"])).status_code == 200


def test_refresh_reuse_ends_the_familys_access_tokens_at_once(client, mill):
    user = make_user(Role.OPERATOR, mill)
    stolen = _api_login(client, user)
    rotated = client.post("/api/v1/auth/refresh", headers=_bearer(stolen["refreshToken"])).get_json()["data"]
    assert client.get("/api/v1/auth/me", headers=_bearer(rotated["accessToken"])).status_code == 200
    reuse = client.post("/api/v1/auth/refresh", headers=_bearer(stolen["refreshToken"]))
    assert reuse.status_code == 401
    for token in (stolen["accessToken"], rotated["accessToken"]):
        me = client.get("/api/v1/auth/me", headers=_bearer(token))
        assert me.status_code == 401 and me.get_json()["message"] == "Token revoked"


# --- headers and proxies ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/realtime/events.js", "/api/v1/openapi.json", "/api/v1/nothing"])
def test_every_response_says_nosniff(client, path):
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_authenticated_api_answers_are_not_cached(client, mill):
    user = make_user(Role.OPERATOR, mill)
    response = client.get("/api/v1/auth/me", headers=auth_header(user))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def _addr_app(**config):
    from ricemill.security import register_proxy_fix

    probe = Flask("probe")
    probe.config.update(config)

    @probe.get("/addr")
    def addr():
        return f"{request.remote_addr} {request.host} {request.scheme}"

    register_proxy_fix(probe)
    return probe.test_client()


def test_forwarded_headers_are_ignored_unless_a_proxy_is_configured():
    forwarded = {"X-Forwarded-For": "203.0.113.50", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    plain = _addr_app().get("/addr", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert plain.data.decode() == "10.0.0.1 localhost http"
    proxied = _addr_app(PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1).get(
        "/addr", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.1"}
    )
    assert proxied.data.decode() == "203.0.113.50 evil.example https"


def test_the_socket_origin_check_does_not_trust_x_forwarded_host():
    from ricemill.realtime.setup import origin_checker

    check = origin_checker([])
    environ = {"HTTP_HOST": "mill.example", "wsgi.url_scheme": "https"}
    assert check("https://mill.example", environ)
    forged = {**environ, "HTTP_X_FORWARDED_HOST": "evil.example", "HTTP_X_FORWARDED_PROTO": "https"}
    assert not check("https://evil.example", forged)
