"""GET /mills/{millId}/activity: summary-bearing events, newest first or caught up after a seq."""

import pytest

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.realtime.outbox import publish
from tests.factories import make_mill
from tests.payloads import payload


def _record(mill, n: int, users):
    """n activity entries (seq 2, 4, 6, ...: each follows a stock:updated without a summary)."""
    actor = users[Role.MANAGER].actor
    for i in range(1, n + 1):
        publish("stock:updated", mill.id, payload("stock:updated", change=float(i)))
        publish(
            "sale:created",
            mill.id,
            payload("sale:created", actor=actor, sale={"id": f"id-{i}"}),
            actor=actor,
            summary=f"sale {i}",
            entity={"type": "sale", "id": f"id-{i}"},
        )
    db.session.commit()


def _get(client, mill, headers, query=""):
    response = client.get(f"/api/v1/mills/{mill.id}/activity{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["data"]


def test_newest_first_with_the_activity_shape(client, mill, users, headers):
    _record(mill, 3, users)
    entries = _get(client, mill, headers[Role.OPERATOR])
    assert [e["summary"] for e in entries] == ["sale 3", "sale 2", "sale 1"]
    assert [e["seq"] for e in entries] == [6, 4, 2]
    manager = users[Role.MANAGER]
    first = entries[0]
    assert set(first) == {"seq", "millId", "type", "summary", "actor", "entity", "at"}
    assert first["millId"] == str(mill.id)
    assert first["type"] == "sale:created"
    assert first["actor"] == {"id": str(manager.id), "name": manager.name}
    assert first["entity"] == {"type": "sale", "id": "id-3"}
    assert first["at"]


def test_limit_defaults_to_50_and_caps_the_newest(client, mill, users, headers):
    _record(mill, 60, users)
    assert len(_get(client, mill, headers[Role.OPERATOR])) == 50
    newest = _get(client, mill, headers[Role.OPERATOR], "?limit=5")
    assert [e["summary"] for e in newest] == [f"sale {i}" for i in range(60, 55, -1)]


def test_after_catches_up_oldest_first(client, mill, users, headers):
    _record(mill, 6, users)
    h = headers[Role.OPERATOR]
    assert [e["seq"] for e in _get(client, mill, h, "?after=0")] == [2, 4, 6, 8, 10, 12]
    assert [e["seq"] for e in _get(client, mill, h, "?after=5")] == [6, 8, 10, 12]
    assert [e["seq"] for e in _get(client, mill, h, "?after=4&limit=2")] == [6, 8]
    assert _get(client, mill, h, "?after=12") == []


def test_system_entries_without_an_actor(client, mill, headers):
    payload = {"stockType": "RICE", "currentQuantity": 10.0, "minLevel": 100.0, "severity": "high"}
    publish("stock:low-alert", mill.id, payload, summary="RICE is low", entity={"type": "stock", "id": "RICE"})
    db.session.commit()
    [entry] = _get(client, mill, headers[Role.OPERATOR])
    assert entry["actor"] is None and entry["type"] == "stock:low-alert"


def test_another_mills_events_never_appear(client, mill, users, headers):
    other = make_mill()
    publish("sale:created", other.id, payload("sale:created"), summary="theirs", entity={"type": "sale", "id": "x"})
    db.session.commit()
    _record(mill, 2, users)
    h = headers[Role.MILL_ADMIN]
    assert [e["summary"] for e in _get(client, mill, h)] == ["sale 2", "sale 1"]
    assert [e["summary"] for e in _get(client, mill, h, "?after=0")] == ["sale 1", "sale 2"]


@pytest.mark.parametrize("query", ["?after=-1", "?after=x", "?limit=0", "?limit=201", "?limit=1.5", "?limit="])
def test_bad_queries_are_422(client, mill, headers, query):
    response = client.get(f"/api/v1/mills/{mill.id}/activity{query}", headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    body = response.get_json()
    assert body["success"] is False and body["errors"]
