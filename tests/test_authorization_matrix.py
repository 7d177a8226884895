"""The authorisation matrix, generated from the URL map (QUALITY.md).

- every /api/v1 route declares its access rule (one of the decorators in ricemill.auth.access);
- every mill route, asked by a user of another mill, answers 404 and changes nothing;
- every mill route answers 403 exactly for the roles the roles table denies.
"""

import re

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role, role_allows
from ricemill.extensions import db
from tests import authz_registry
from tests.factories import auth_header, make_mill, make_user

MILL_PREFIX = "/api/v1/mills/<uuid:mill_id>"
SKIP_ENDPOINTS = {"api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
ARG = re.compile(r"<(?:(\w+):)?(\w+)>")


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _mill_routes(app):
    return [(rule, method) for rule, method in _api_routes(app) if rule.rule.startswith(MILL_PREFIX)]


def _url(rule, mill, admin, cache):
    def replace(match):
        name = match.group(2)
        if name == "mill_id":
            return str(mill.id)
        if name in authz_registry.STATIC_ARGS:
            return authz_registry.STATIC_ARGS[name]
        factory = authz_registry.ID_FACTORIES.get(name)
        assert factory is not None, f"No id factory for <{name}> in {rule.rule}: register one in tests/*/authz.py"
        key = (name, mill.id)
        if key not in cache:
            cache[key] = factory(mill, admin)
            db.session.commit()
        return str(cache[key])

    return ARG.sub(replace, rule.rule)


def _call(client, method, url, headers):
    body = {} if method in ("POST", "PATCH", "PUT") else None
    return client.open(url, method=method, headers=headers, json=body)


def _table_fingerprint():
    """Row counts of every table: proof that a refused request wrote nothing."""
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return counts


@pytest.fixture(scope="module", autouse=True)
def _factories():
    authz_registry.load_domain_factories()


def test_every_api_route_declares_its_access_rule(app):
    missing = []
    for rule, method in _api_routes(app):
        view = app.view_functions[rule.endpoint]
        if not hasattr(view, "required_permission"):
            missing.append(f"{method} {rule.rule}")
    assert not missing, f"routes without an access decorator: {missing}"


def test_every_mill_route_is_404_for_another_mills_users(app, client):
    mill_a, mill_b = make_mill("A"), make_mill("B")
    admin_b = make_user(Role.MILL_ADMIN, mill_b)
    intruders = {role: make_user(role, mill_a) for role in (Role.MILL_ADMIN, Role.MANAGER, Role.OPERATOR)}
    cache = {}
    routes = _mill_routes(app)
    assert len(routes) >= 7
    for rule, method in routes:
        url = _url(rule, mill_b, admin_b, cache)
        for role, intruder in intruders.items():
            before = _table_fingerprint()
            response = _call(client, method, url, auth_header(intruder))
            assert response.status_code == 404, f"{role} of mill A: {method} {url} -> {response.status_code}"
            body = response.get_json()
            assert body["success"] is False and body["message"] == "Mill not found"
            assert _table_fingerprint() == before, f"{method} {rule.rule} wrote something for an intruder"


def test_unknown_mill_is_404_even_for_super_admin(app, client):
    import uuid

    response = client.get(f"/api/v1/mills/{uuid.uuid4()}", headers=auth_header(make_user(Role.SUPER_ADMIN)))
    assert response.status_code == 404


@pytest.mark.parametrize("role", list(Role))
def test_roles_get_403_exactly_where_the_roles_table_denies(app, client, role):
    mill = make_mill()
    admin = make_user(Role.MILL_ADMIN, mill)
    actor = make_user(role, mill)
    cache = {}
    checked = 0
    for rule, method in _mill_routes(app):
        permission = app.view_functions[rule.endpoint].required_permission
        url = _url(rule, mill, admin, cache)
        response = _call(client, method, url, auth_header(actor))
        if role_allows(role, permission):
            assert response.status_code != 403, f"{role} should be allowed {method} {rule.rule}"
            assert response.status_code < 500, f"{method} {rule.rule} -> {response.status_code}"
        else:
            assert response.status_code == 403, f"{role} should be denied {method} {rule.rule}: {response.status_code}"
            assert response.get_json()["success"] is False
        checked += 1
    assert checked == len(_mill_routes(app))


def test_platform_routes_are_super_admin_only(app, client):
    mill = make_mill()
    for role in (Role.MILL_ADMIN, Role.MANAGER, Role.OPERATOR):
        user = make_user(role, mill)
        for rule, method in _api_routes(app):
            if getattr(app.view_functions[rule.endpoint], "required_permission", None) != "platform":
                continue
            if rule.rule.startswith(MILL_PREFIX):
                continue
            response = _call(client, method, rule.rule, auth_header(user))
            assert response.status_code == 403, f"{role}: {method} {rule.rule} -> {response.status_code}"


def test_every_route_needs_a_token(app, client):
    mill = make_mill()
    admin = make_user(Role.MILL_ADMIN, mill)
    cache = {}
    open_routes = {"/api/v1/auth/login", "/api/v1/meta"}
    for rule, method in _api_routes(app):
        if rule.rule in open_routes:
            continue
        url = _url(rule, mill, admin, cache) if "<" in rule.rule else rule.rule
        response = _call(client, method, url, {})
        assert response.status_code == 401, f"{method} {rule.rule} without a token -> {response.status_code}"
