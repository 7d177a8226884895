"""Client events on `/`: authorised, validated, answered by event and by ack; nothing crosses mills."""

import pytest

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.stock import apply_movement
from tests.factories import auth_header, make_user

from .conftest import received

PURCHASE = {
    "farmerName": "Suresh",
    "grossWeightKg": 1250,
    "moisturePercent": 14,
    "ratePerQuintal": 2000,
    "purchaseDate": "2026-11-20",
}
BAD_MILL_IDS = [None, 42, 3.5, True, [], {"millId": "x"}, "x" * 100_000]


def write(mill, change=10):
    """A committed change of `mill`: one `stock:updated` event."""
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=change, reason="test")
    db.session.commit()


@pytest.fixture
def outsider(other_mill):
    return make_user(Role.OPERATOR, other_mill)


def test_join_own_mill_answers_event_and_ack(connect, users, mill):
    client = connect(users[Role.MANAGER])
    client.get_received()
    ack = client.emit("join:mill", str(mill.id), callback=True)
    assert ack == {"ok": True, "millId": str(mill.id)}
    assert received(client, "joined:mill") == [{"millId": str(mill.id)}]


def test_super_admin_joins_any_existing_mill_and_gets_its_events(connect, users, other_mill):
    admin = connect(users[Role.SUPER_ADMIN])
    assert admin.emit("join:mill", str(other_mill.id), callback=True)["ok"] is True
    admin.get_received()
    write(other_mill)
    assert [p["seq"] for p in received(admin, "stock:updated")] == [1]


def test_super_admin_cannot_join_a_mill_that_does_not_exist(connect, users):
    admin = connect(users[Role.SUPER_ADMIN])
    admin.get_received()
    ack = admin.emit("join:mill", "00000000-0000-0000-0000-0000000000aa", callback=True)
    assert ack == {"ok": False, "error": "Access denied to this mill"}
    assert received(admin, "error") == [{"message": "Access denied to this mill"}]


def test_join_another_mill_is_refused_and_delivers_nothing_of_it(connect, operator, outsider, mill, other_mill):
    intruder = connect(operator)
    victim = connect(outsider)
    intruder.get_received()
    victim.get_received()
    ack = intruder.emit("join:mill", str(other_mill.id), callback=True)
    assert ack == {"ok": False, "error": "Access denied to this mill"}
    assert received(intruder, "error") == [{"message": "Access denied to this mill"}]
    write(other_mill)
    assert received(intruder, "stock:updated") == []
    assert [p["millId"] for p in received(victim, "stock:updated")] == [str(other_mill.id)]


def test_join_without_ack_still_answers_by_event(connect, operator, other_mill):
    client = connect(operator)
    client.get_received()
    assert client.emit("join:mill", str(other_mill.id)) is None
    assert received(client, "error") == [{"message": "Access denied to this mill"}]


@pytest.mark.parametrize("event", ["join:mill", "leave:mill", "request:dashboard"])
@pytest.mark.parametrize("value", BAD_MILL_IDS, ids=lambda v: type(v).__name__)
def test_bad_mill_ids_get_an_error_and_the_connection_stays(connect, operator, mill, event, value):
    client = connect(operator)
    client.get_received()
    ack = client.emit(event, value, callback=True)
    assert ack["ok"] is False and ack["error"]
    assert [p["message"] for p in received(client, "error")] == [ack["error"]]
    assert client.is_connected()
    assert client.emit("join:mill", str(mill.id), callback=True)["ok"] is True  # still serving


def test_event_without_payload_is_an_error(connect, operator):
    client = connect(operator)
    ack = client.emit("join:mill", callback=True)
    assert ack == {"ok": False, "error": "millId must be a string"}
    assert client.is_connected()


def test_leave_mill_stops_its_events(connect, operator, mill):
    client = connect(operator)
    ack = client.emit("leave:mill", str(mill.id), callback=True)
    assert ack == {"ok": True, "millId": str(mill.id)}
    assert received(client, "left:mill") == [{"millId": str(mill.id)}]
    write(mill)
    assert received(client, "stock:updated") == []


def test_request_dashboard_own_mill(connect, operator, mill, client):
    sock = connect(operator)
    sock.get_received()
    ack = sock.emit("request:dashboard", str(mill.id), callback=True)
    assert ack == {"ok": True, "millId": str(mill.id)}
    stats = received(sock, "dashboard:stats")
    assert len(stats) == 1
    rest = client.get(f"/api/v1/mills/{mill.id}/dashboard", headers=auth_header(operator))
    assert rest.status_code == 200
    data = rest.get_json()["data"]
    assert stats[0].pop("generatedAt") and data.pop("generatedAt")
    assert stats[0] == data


def test_request_dashboard_of_another_mill_is_refused(connect, operator, outsider, other_mill):
    intruder = connect(operator)
    victim = connect(outsider)
    intruder.get_received()
    victim.get_received()
    ack = intruder.emit("request:dashboard", str(other_mill.id), callback=True)
    assert ack == {"ok": False, "error": "Access denied to this mill"}
    assert received(intruder, "dashboard:stats") == []
    assert victim.get_received() == []


def test_dashboard_failure_is_an_error_not_a_crash(connect, operator, mill, monkeypatch):
    from ricemill.dashboard import service

    def broken(**_kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "get_dashboard", broken)
    sock = connect(operator)
    sock.get_received()
    ack = sock.emit("request:dashboard", str(mill.id), callback=True)
    assert ack == {"ok": False, "error": "Failed to fetch dashboard stats"}
    assert sock.is_connected()


def test_typing_reaches_the_others_of_the_mill_only(connect, users, outsider, mill):
    sender_user, colleague_user = users[Role.OPERATOR], users[Role.MANAGER]
    sender, colleague, stranger = connect(sender_user), connect(colleague_user), connect(outsider)
    for sock in (sender, colleague, stranger):
        sock.get_received()
    data = {"millId": str(mill.id), "entity": "purchase", "action": "creating"}
    assert sender.emit("activity:typing", data, callback=True) == {"ok": True, "millId": str(mill.id)}
    expected = {
        "user": {"id": str(sender_user.id), "name": sender_user.name},
        "entity": "purchase",
        "action": "creating",
    }
    assert received(colleague, "activity:typing") == [expected]
    assert sender.get_received() == []  # never back to the sender
    assert stranger.get_received() == []
    assert sender.emit("activity:stop-typing", {"millId": str(mill.id)}, callback=True)["ok"] is True
    assert received(colleague, "activity:stop-typing") == [{"user": expected["user"]}]
    assert stranger.get_received() == []


def test_typing_into_another_mill_is_refused(connect, operator, outsider, other_mill):
    intruder, victim = connect(operator), connect(outsider)
    intruder.get_received()
    victim.get_received()
    for event, data in (
        ("activity:typing", {"millId": str(other_mill.id), "entity": "sale", "action": "editing"}),
        ("activity:stop-typing", {"millId": str(other_mill.id)}),
    ):
        assert intruder.emit(event, data, callback=True) == {"ok": False, "error": "Access denied to this mill"}
    assert victim.get_received() == []
    assert [p["message"] for p in received(intruder, "error")] == ["Access denied to this mill"] * 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "Payload must be an object"),
        ("purchase", "Payload must be an object"),
        (17, "Payload must be an object"),
        ({"entity": "purchase", "action": "creating"}, "Missing field: millId"),
        ({"millId": "MILL", "action": "creating"}, "Missing field: entity"),
        ({"millId": "MILL", "entity": "spaceship", "action": "creating"}, "Unknown entity"),
        ({"millId": "MILL", "entity": "purchase", "action": "deleting"}, "Unknown action"),
        ({"millId": "MILL", "entity": ["purchase"], "action": "creating"}, "Unknown entity"),
        ({"millId": "MILL", "entity": "x" * 70_000, "action": "creating"}, "Unknown entity"),
        ({"millId": 5, "entity": "purchase", "action": "creating"}, "millId must be a string"),
    ],
)
def test_bad_typing_payloads(connect, users, mill, data, message):
    sender, colleague = connect(users[Role.OPERATOR]), connect(users[Role.MANAGER])
    colleague.get_received()
    if isinstance(data, dict) and data.get("millId") == "MILL":
        data = dict(data, millId=str(mill.id))
    assert sender.emit("activity:typing", data, callback=True) == {"ok": False, "error": message}
    assert colleague.get_received() == []
    assert sender.is_connected() and colleague.is_connected()


def test_rest_purchase_reaches_the_mill_as_purchase_created_and_activity(connect, operator, users, mill, client):
    member = connect(users[Role.MANAGER])
    admin_room = connect(users[Role.SUPER_ADMIN])
    admin_ns = connect(users[Role.SUPER_ADMIN], namespace="/admin")
    wall = connect(auth={"token": __import__("tests.factories").factories.token_for(operator), "millId": str(mill.id)},
                   namespace="/mill")  # fmt: skip
    for sock, ns in ((member, "/"), (admin_room, "/"), (admin_ns, "/admin"), (wall, "/mill")):
        sock.get_received(ns)
    response = client.post(f"/api/v1/mills/{mill.id}/paddy-purchases", json=PURCHASE, headers=auth_header(operator))
    assert response.status_code == 201, response.get_json()
    purchase = response.get_json()["data"]
    created = received(member, "purchase:created")
    assert len(created) == 1
    assert created[0]["purchase"] == purchase
    assert created[0]["createdBy"] == {"id": str(operator.id), "name": operator.name}
    assert created[0]["millId"] == str(mill.id)
    assert [p["purchase"]["id"] for p in received(wall, "purchase:created", "/mill")] == [purchase["id"]]
    # `received` consumed the queue: ask again for the activity entries
    client.post(f"/api/v1/mills/{mill.id}/paddy-purchases", json=PURCHASE, headers=auth_header(operator))
    member_packets = member.get_received()
    activity = [p["args"][0] for p in member_packets if p["name"] == "activity:new"]
    assert [a["type"] for a in activity] == ["purchase:created"]
    assert activity[0]["millId"] == str(mill.id) and activity[0]["actor"]["id"] == str(operator.id)
    assert activity[0]["entity"]["type"] == "purchase" and activity[0]["summary"]
    assert set(activity[0]) == {"seq", "millId", "type", "summary", "actor", "entity", "at"}
    admin_activity = [p for p in admin_room.get_received() if p["name"] == "activity:new"]
    assert len(admin_activity) == 2  # the admin room of `/` gets every mill's activity (one per purchase)
    assert len([p for p in admin_ns.get_received("/admin") if p["name"] == "activity:new"]) == 2
    assert [p for p in admin_room.get_received() if p["name"] == "purchase:created"] == []


def test_activity_reaches_an_admin_in_the_mill_room_once(connect, users, mill, client):
    admin = connect(users[Role.SUPER_ADMIN])
    admin.emit("join:mill", str(mill.id))
    admin.get_received()
    client.post(f"/api/v1/mills/{mill.id}/paddy-purchases", json=PURCHASE, headers=auth_header(users[Role.OPERATOR]))
    names = [p["name"] for p in admin.get_received()]
    assert names.count("activity:new") == 1
    assert names.count("purchase:created") == 1


def test_rejected_write_emits_nothing(connect, operator, mill, client):
    member = connect(operator)
    member.get_received()
    response = client.post(
        f"/api/v1/mills/{mill.id}/paddy-purchases",
        json={**PURCHASE, "grossWeightKg": -5},
        headers=auth_header(operator),
    )
    assert response.status_code == 422
    apply_movement(mill_id=mill.id, stock_type="RICE", change=5, reason="rolled back")
    db.session.rollback()
    assert member.get_received() == []


def test_events_route_serves_the_one_source(client):
    from ricemill.realtime.events import CLIENT_EVENTS, MILL_EVENT_NAMES, SERVER_EVENTS, describe_events

    data = client.get("/realtime/events.json").get_json()
    assert data == {
        "SERVER_EVENTS": SERVER_EVENTS,
        "CLIENT_EVENTS": CLIENT_EVENTS,
        "MILL_EVENTS": sorted(MILL_EVENT_NAMES),
        "PAYLOADS": describe_events(),
    }
    assert set(data["PAYLOADS"]["server"]) == set(SERVER_EVENTS.values())
    assert set(data["PAYLOADS"]["client"]) == set(CLIENT_EVENTS.values())
    script = client.get("/realtime/events.js")
    assert script.status_code == 200 and script.mimetype == "application/javascript"
    text = script.get_data(as_text=True)
    assert text.startswith("/* ricemill live events") and "\nwindow.RICEMILL_EVENTS = Object.freeze(" in text
    # the delivery contract heads the script: lastSeq without gaps, sync, the position heartbeat
    head = text.split("*/")[0]
    assert "docs/realtime-client.md" in head and "mill:position" in head and "sync {millId, lastSeq}" in head
    assert '"PURCHASE_CREATED": "purchase:created"' in text and '"SYNC": "sync"' in text
