"""Retry-safe writes: `Idempotency-Key`, the answer stored with the write, one commit per write."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError

from ricemill.auth.roles import Role
from ricemill.common.idempotency import IdempotencyKey, purge_expired
from ricemill.common.writes import wrapped_endpoints
from ricemill.extensions import db
from ricemill.purchases.models import PaddyPurchase
from tests.factories import auth_header, make_mill, make_user
from tests.purchases.test_purchases_api import body, url


def _keyed(headers: dict, key: str) -> dict:
    return {**headers, "Idempotency-Key": key}


def _purchases(mill_id) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PaddyPurchase).where(PaddyPurchase.mill_id == mill_id)
    )


# --- sequential ----------------------------------------------------------------------------


def test_same_key_twice_makes_one_document_and_the_same_answer(client, mill, headers):
    h = _keyed(headers[Role.MANAGER], "order-1")
    first = client.post(url(mill), json=body(), headers=h)
    second = client.post(url(mill), json=body(), headers=h)
    assert first.status_code == 201, first.get_json()
    assert (second.status_code, second.data) == (first.status_code, first.data)
    assert second.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _purchases(mill.id) == 1


def test_the_same_json_written_differently_is_the_same_request(client, mill, headers):
    h = _keyed(headers[Role.MANAGER], "order-2")
    first = client.post(url(mill), json=body(), headers=h)
    reordered = json.dumps(dict(reversed(list(body().items()))), indent=2)
    second = client.post(url(mill), data=reordered, content_type="application/json", headers=h)
    assert second.status_code == 201 and second.data == first.data
    assert _purchases(mill.id) == 1


def test_without_a_key_every_request_writes(client, mill, headers):
    for _ in range(2):
        assert client.post(url(mill), json=body(), headers=headers[Role.MANAGER]).status_code == 201
    assert _purchases(mill.id) == 2


def test_same_key_with_a_different_body_is_422_and_writes_nothing(client, mill, headers):
    h = _keyed(headers[Role.MANAGER], "order-3")
    assert client.post(url(mill), json=body(), headers=h).status_code == 201
    other = client.post(url(mill), json=body(bags=21), headers=h)
    assert other.status_code == 422
    assert other.get_json()["success"] is False
    assert other.get_json()["errors"][0]["field"] == "Idempotency-Key"
    # and on another path
    assert client.post(f"/api/v1/mills/{mill.id}/staff", json={"name": "X"}, headers=h).status_code == 422
    assert _purchases(mill.id) == 1


@pytest.mark.parametrize("key", ["", " ", "has space", "x" * 129, "naïve", "tab\tkey"])
def test_a_malformed_key_is_422_and_writes_nothing(client, mill, headers, key):
    response = client.post(url(mill), json=body(), headers=_keyed(headers[Role.MANAGER], key))
    assert response.status_code == 422
    data = response.get_json()
    assert data["statusCode"] == 422 and data["errors"][0]["field"] == "Idempotency-Key"
    assert _purchases(mill.id) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0


def test_the_longest_key_and_every_visible_character_are_accepted(client, mill, headers):
    for key in ["x" * 128, "".join(chr(c) for c in range(0x21, 0x7F))[:128]]:
        assert client.post(url(mill), json=body(), headers=_keyed(headers[Role.MANAGER], key)).status_code == 201
    assert _purchases(mill.id) == 2


def test_keys_belong_to_their_user(client, mill, users):
    for role in (Role.MANAGER, Role.MILL_ADMIN):
        h = _keyed(auth_header(users[role]), "shared-key")
        assert client.post(url(mill), json=body(), headers=h).status_code == 201
    assert _purchases(mill.id) == 2


def test_an_error_answer_is_not_stored_so_a_corrected_retry_writes(client, mill, headers):
    h = _keyed(headers[Role.MANAGER], "order-4")
    refused = client.post(url(mill), json=body(bags=-1), headers=h)
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 0
    assert client.post(url(mill), json=body(), headers=h).status_code == 201
    assert _purchases(mill.id) == 1


def test_a_retried_delete_gets_the_first_answer_not_404(client, mill, headers):
    created = client.post(url(mill), json=body(), headers=headers[Role.MILL_ADMIN]).get_json()["data"]
    h = _keyed(headers[Role.MILL_ADMIN], "delete-1")
    first = client.delete(url(mill, created["id"]), headers=h)
    second = client.delete(url(mill, created["id"]), headers=h)
    assert first.status_code == 200 and (second.status_code, second.data) == (200, first.data)
    assert client.delete(url(mill, created["id"]), headers=headers[Role.MILL_ADMIN]).status_code == 404


def test_a_retried_patch_is_not_applied_twice(client, mill, headers):
    created = client.post(url(mill), json=body(), headers=headers[Role.MANAGER]).get_json()["data"]
    h = _keyed(headers[Role.MANAGER], "patch-1")
    first = client.patch(url(mill, created["id"]), json={"bags": 30}, headers=h)
    client.patch(url(mill, created["id"]), json={"bags": 31}, headers=headers[Role.MANAGER])
    again = client.patch(url(mill, created["id"]), json={"bags": 30}, headers=h)
    assert again.data == first.data and again.headers["Idempotent-Replayed"] == "true"
    assert client.get(url(mill, created["id"]), headers=headers[Role.MANAGER]).get_json()["data"]["bags"] == 31


def test_a_key_without_a_token_is_401(client, mill):
    response = client.post(url(mill), json=body(), headers={"Idempotency-Key": "k1"})
    assert response.status_code == 401 and response.get_json()["success"] is False


def test_every_api_write_route_is_wrapped_and_none_commits_by_itself(app):
    endpoints = wrapped_endpoints(app)
    assert "purchases.create_purchase" in endpoints and "auth.login" not in endpoints
    for endpoint in endpoints:
        assert getattr(app.view_functions[endpoint], "_ricemill_write", False), endpoint
    # The wrapper owns the commit: a route committing by itself would answer after its commit.
    import inspect

    for endpoint in endpoints:
        source = inspect.getsource(inspect.unwrap(app.view_functions[endpoint]))
        assert "commit()" not in source, f"{endpoint} commits by itself"


def test_purge_removes_keys_older_than_a_day(client, mill, users, headers):
    for key in ("old", "new"):
        client.post(url(mill), json=body(), headers=_keyed(headers[Role.MANAGER], key))
    db.session.execute(
        sa.update(IdempotencyKey)
        .where(IdempotencyKey.key == "old")
        .values(created_at=datetime.now(UTC) - timedelta(hours=24, minutes=1))
    )
    assert purge_expired() == 1
    assert db.session.scalars(sa.select(IdempotencyKey.key)).all() == ["new"]


# --- concurrent and committed --------------------------------------------------------------


def _setup(app):
    with app.app_context():
        mill = make_mill("Idempotent")
        user = make_user(Role.MANAGER, mill)
        ids = (mill.id, user.id)
        h = auth_header(user)
        db.session.remove()
    return ids, h


def _blocked_inserts(app, expected: int) -> None:
    """Poll until `expected` sessions wait on a lock (no sleeping for a guessed time)."""
    with app.app_context():
        for _ in range(2000):
            waiting = db.session.scalar(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO idempotency_keys%'"
                )
            )
            db.session.rollback()
            if waiting >= expected:
                db.session.remove()
                return
            threading.Event().wait(0.01)
        raise AssertionError("the requests never met at the key")


@pytest.mark.committed
@pytest.mark.parametrize("same_body", [True, False])
def test_concurrent_requests_with_one_key_make_one_document(app, same_body):
    (mill_id, user_id), h = _setup(app)
    h = _keyed(h, "together")
    answers = []
    # Hold the key in an open transaction so that both requests are surely in flight at once.
    with app.app_context():
        holder = db.engine.connect()
        holder.execute(
            sa.text("INSERT INTO idempotency_keys (user_id, key, fingerprint) VALUES (:u, 'together', 'x')"),
            {"u": user_id},
        )

        def post(n):
            response = app.test_client().post(
                f"/api/v1/mills/{mill_id}/paddy-purchases", json=body(bags=20 if same_body else 20 + n), headers=h
            )
            answers.append((response.status_code, response.data))

        threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
        for thread in threads:
            thread.start()
        try:
            _blocked_inserts(app, 2)
        finally:
            holder.rollback()  # both go on: one claims the key, the other waits for it
            holder.close()
        for thread in threads:
            thread.join(30)
    with app.app_context():
        assert _purchases(mill_id) == 1
        db.session.remove()
    statuses = sorted(status for status, _ in answers)
    if same_body:
        assert statuses == [201, 201] and answers[0][1] == answers[1][1]
    else:
        assert statuses == [201, 422]


@pytest.mark.committed
def test_one_commit_per_write_even_when_it_notifies(app):
    (mill_id, _), h = _setup(app)
    commits = []
    me = threading.get_ident()

    def count(_conn):
        if threading.get_ident() == me:
            commits.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "commit", count)
    try:
        response = app.test_client().post(
            f"/api/v1/mills/{mill_id}/paddy-purchases", json=body(), headers=_keyed(h, "one-commit")
        )
    finally:
        sa.event.remove(engine, "commit", count)
    assert response.status_code == 201
    assert len(commits) == 1
    with app.app_context():
        from ricemill.notifications.models import Notification

        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
        db.session.remove()


@pytest.mark.committed
def test_a_session_that_cannot_close_does_not_change_a_committed_answer(app, monkeypatch):
    (mill_id, _), h = _setup(app)
    from sqlalchemy.orm import Session

    real_close = Session.close
    broken = []

    def close(self):
        if not broken:
            broken.append(1)
            raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))
        return real_close(self)

    monkeypatch.setattr(Session, "close", close)
    response = app.test_client().post(f"/api/v1/mills/{mill_id}/paddy-purchases", json=body(), headers=h)
    monkeypatch.setattr(Session, "close", real_close)
    assert broken
    assert response.status_code == 201 and response.get_json()["success"] is True
    with app.app_context():
        assert _purchases(mill_id) == 1
        db.session.remove()


@pytest.mark.committed
def test_an_error_in_teardown_is_a_503_envelope_and_a_retry_with_the_key_gets_the_answer(app):
    (mill_id, _), h = _setup(app)
    h = _keyed(h, "teardown")

    def dead_connection(_exc):
        raise OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))

    # Teardown functions run last-registered first: at index 0 it runs after the session is closed.
    app.teardown_appcontext_funcs.insert(0, dead_connection)
    try:
        failed = app.test_client().post(f"/api/v1/mills/{mill_id}/paddy-purchases", json=body(), headers=h)
        read = app.test_client().get(f"/api/v1/mills/{mill_id}/paddy-purchases", headers=h)
    finally:
        app.teardown_appcontext_funcs.remove(dead_connection)
    for response in (failed, read):
        assert response.status_code == 503
        assert response.content_type == "application/json"
        assert response.get_json() == {
            "success": False,
            "statusCode": 503,
            "message": "Service temporarily unavailable, try again shortly",
            "errors": [],
        }
    retry = app.test_client().post(f"/api/v1/mills/{mill_id}/paddy-purchases", json=body(), headers=h)
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    with app.app_context():
        assert _purchases(mill_id) == 1
        db.session.remove()


def test_openapi_names_the_key_on_every_write_and_only_there(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    assert spec["components"]["parameters"]["IdempotencyKey"]["in"] == "header"
    writes = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":  # the path's own parameters, not an operation
                continue
            keyed = ref in operation.get("parameters", [])
            exempt = path.startswith(("/api/v1/auth/", "/api/v1/account/"))  # their answers carry tokens
            write = method in ("post", "put", "patch", "delete") and not exempt
            assert keyed == write, (method, path)
            writes += write
    assert writes > 20
