"""Property tests (issue 9): random JSON bodies, strings and numbers at every route of the OpenAPI
document, as a MILL_ADMIN of one mill. Never a 5xx; a 4xx writes nothing (row counts unchanged).

Examples per route are kept few (EXAMPLES) so the whole file runs in well under a minute.
"""

import json
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import auth_header, make_mill, make_user

EXAMPLES = 8

# Any text: NUL, lone surrogates and control characters included (the shared text rule answers 422).
TEXT = st.text(max_size=40)
NUMBERS = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**120), max_value=10**120),
    st.floats(),  # NaN and Infinity too: json.dumps writes them, the server answers 422
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(float),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, st.sampled_from(["2026-01-05", "9999-12-31", "PADDY"]))
JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(TEXT, children, max_size=4)),
    max_leaves=12,
)

# Bodies json.dumps cannot make: deep nesting, numbers past Python's 4,300-digit limit, NaN.
RAW_BODIES = st.sampled_from(
    ["[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000, "9" * 5000, '{"x": ' + "1" * 4400 + "}", "NaN", "{"]
)

# A failed login is counted on purpose (throttling): the one write a 4xx may make.
WRITTEN_ON_PURPOSE = {"login_attempts"}


def _operations(spec) -> list[tuple]:
    """(method, path, parameters, body field names) of every operation in the OpenAPI document."""
    operations = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method == "parameters":
                continue
            params = op.get("parameters", []) + item.get("parameters", [])
            body_ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            properties = {}
            if "$ref" in body_ref:
                properties = spec["components"]["schemas"][body_ref["$ref"].rsplit("/", 1)[1]].get("properties", {})
            operations.append((method.upper(), path, params, sorted(properties)))
    return operations


def _shaped(names):
    """A body with the schema's own field names (so validation goes deep), values anything."""
    if not names:
        return JSON
    return st.fixed_dictionaries({}, optional={name: JSON for name in names})


def _row_counts() -> tuple:
    tables = [t.name for t in db.metadata.sorted_tables if t.name not in WRITTEN_ON_PURPOSE]
    query = "SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)
    return tuple(db.session.execute(sa.text(query)).one())


@pytest.fixture
def as_mill_admin(client):
    mill = make_mill("Hostile Mill")
    make_mill("Other Mill")
    admin = make_user(Role.MILL_ADMIN, mill)
    return client, mill, auth_header(admin)


def _check(client, mill, headers, method, path, params, fields, data) -> None:
    url = path
    query = {}
    for param in params:
        if "$ref" in param:  # a shared header (Idempotency-Key): the idempotency tests cover it
            continue
        name = param["name"]
        if param["in"] == "path":
            if name == "mill_id":
                value = str(mill.id)
            else:
                value = data.draw(st.one_of(st.uuids().map(str), TEXT.filter(bool), st.sampled_from(["PADDY"])))
            url = url.replace("{" + name + "}", quote(value, safe=""))
        elif param["in"] == "query" and data.draw(st.booleans()):
            query[name] = data.draw(st.one_of(TEXT, NUMBERS.map(str), st.uuids().map(str)))
    kwargs = {"headers": headers, "query_string": query}
    if method in ("POST", "PATCH", "PUT"):
        raw = data.draw(st.one_of(_shaped(fields).map(json.dumps), JSON.map(json.dumps), RAW_BODIES))
        kwargs["data"] = raw
        kwargs["content_type"] = "application/json"
    before = _row_counts()
    response = client.open(url, method=method, **kwargs)
    assert response.status_code < 500, (method, url, kwargs.get("data"), response.data[:500])
    if 400 <= response.status_code < 500:
        body = response.get_json()
        assert body["success"] is False and body["statusCode"] == response.status_code
        assert _row_counts() == before, (method, url, kwargs.get("data"), response.status_code)


@pytest.mark.slow
def test_random_input_at_every_route_never_5xx_and_4xx_writes_nothing(as_mill_admin):
    client, mill, headers = as_mill_admin
    operations = _operations(client.get("/api/v1/openapi.json").get_json())
    assert len(operations) >= 50 and {op[0] for op in operations} >= {"GET", "POST", "PATCH", "DELETE"}
    # Logging out would end the token the other routes need: it goes last.
    operations.sort(key=lambda op: op[1] == "/api/v1/auth/logout")
    for operation in operations:
        _explore(client, mill, headers, *operation)


def _explore(client, mill, headers, method, path, params, fields) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(data=st.data())
    def run(data):
        _check(client, mill, headers, method, path, params, fields, data)

    run()
