"""The event contracts: one schema per event, extra fields refused, and every payload the flows emit
keeps its contract (realtime/events.py and each domain's events.py, docs/realtime.md)."""

from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from ricemill.demo import seed_month
from ricemill.extensions import db, socketio
from ricemill.inventory import service as inventory_service
from ricemill.inventory.types import Direction
from ricemill.mills import service as mill_service
from ricemill.parties import service as party_service
from ricemill.purchases import service as purchase_service
from ricemill.realtime import events
from ricemill.realtime.events import (
    CLIENT_EVENTS,
    CLIENT_SCHEMAS,
    MILL_EVENT_NAMES,
    SERVER_EVENTS,
    SERVER_SCHEMAS,
    EventContractError,
    MillEventPayload,
    validate_server_payload,
)
from ricemill.realtime.outbox import publish
from ricemill.realtime.sockets import emitter
from ricemill.sales import service as sale_service
from tests.payloads import payload

from .conftest import received


def test_every_event_name_has_one_schema(app):
    assert set(SERVER_SCHEMAS) == set(SERVER_EVENTS.values())
    assert set(CLIENT_SCHEMAS) == set(CLIENT_EVENTS.values())
    assert all(issubclass(SERVER_SCHEMAS[name], MillEventPayload) for name in MILL_EVENT_NAMES)


def test_validation_is_on_while_testing(app):
    assert events.validation_on() is True


def test_an_extra_field_is_refused(app):
    good = {"purchaseId": "p-1", "deletedBy": {"id": "u", "name": "U"}, "millId": "m", "seq": 1}
    validate_server_payload("purchase:deleted", good)
    with pytest.raises(EventContractError, match="extra"):
        validate_server_payload("purchase:deleted", {**good, "extra": 1})
    with pytest.raises(EventContractError, match="boss"):
        validate_server_payload("purchase:deleted", {**good, "deletedBy": {"id": "u", "name": "U", "boss": True}})


def test_a_missing_or_mistyped_field_is_refused(app):
    good = payload("stock:low-alert", millId="m", seq=3)
    validate_server_payload("stock:low-alert", good)
    for bad in ({k: v for k, v in good.items() if k != "severity"}, {**good, "severity": "dire"},
                {**good, "currentQuantity": "10"}, {**good, "seq": True}):  # fmt: skip
        with pytest.raises(EventContractError):
            validate_server_payload("stock:low-alert", bad)


def test_publish_refuses_a_payload_that_breaks_its_contract_and_stores_nothing(app, mill):
    with pytest.raises(EventContractError):
        publish("stock:updated", mill.id, payload("stock:updated", surprise="!"))
    with pytest.raises(EventContractError):
        publish("sale:created", mill.id, {"sale": {"id": "s"}})  # no createdBy


def test_a_client_event_with_an_extra_field_is_refused(connect, users, mill):
    sock = connect(users[Role.OPERATOR])
    sock.get_received()
    data = {"millId": str(mill.id), "entity": "purchase", "action": "creating", "colour": "red"}
    assert sock.emit("activity:typing", data, callback=True) == {"ok": False, "error": "Unknown field: colour"}
    ack = sock.emit("sync", {"millId": str(mill.id), "lastSeq": 0, "more": 1}, callback=True)
    assert ack == {"ok": False, "error": "Unknown field: more"}
    assert sock.is_connected()


def test_the_browser_gets_each_payloads_fields(client):
    contract = client.get("/realtime/events.json").get_json()["PAYLOADS"]
    created = {f["name"]: f for f in contract["server"]["purchase:created"]["fields"]}
    assert created["createdBy"]["type"] == "object" and created["createdBy"]["required"] is True
    assert [f["name"] for f in created["createdBy"]["fields"]] == ["id", "name"]
    assert created["millId"]["required"] and created["seq"]["type"] == "integer"
    low = {f["name"]: f for f in contract["server"]["stock:low-alert"]["fields"]}
    assert low["severity"]["enum"] == ["critical", "high", "medium"]
    assert contract["client"]["join:mill"]["bare"] == "millId"
    sync = {f["name"]: f for f in contract["client"]["sync"]["fields"]}
    assert sync["lastSeq"]["type"] == "integer"


@pytest.fixture
def emitted(monkeypatch):
    """Every (event, payload) handed to Socket.IO, whatever the room: the emitter's last step."""
    seen = []
    original = socketio.emit

    def recording(event, *args, **kwargs):
        if args:
            seen.append((event, args[0]))
        return original(event, *args, **kwargs)

    monkeypatch.setattr(socketio, "emit", recording)
    # events for several namespaces leave in one emit_to_rooms call (realtime/sockets/fastpath.py)
    original_to_rooms = emitter.emit_to_rooms

    def recording_to_rooms(server, event, data, targets):
        seen.append((event, data))
        return original_to_rooms(server, event, data, targets)

    monkeypatch.setattr(emitter, "emit_to_rooms", recording_to_rooms)
    return seen


@pytest.mark.slow
def test_every_payload_of_a_broad_flow_keeps_its_contract(app, connect, users, mill, emitted):
    """The demo's month of one mill (every domain service: purchases, sales, payments, receipts,
    milling, staff, attendance, minimums and low stock), a new mill, deletions, goods, adjustments
    and the socket events; every emitted payload is checked against its schema here, whatever the
    switch says."""
    manager, admin = users[Role.MANAGER], users[Role.SUPER_ADMIN]
    member = connect(manager)
    connect(admin, namespace="/admin")
    assert member.emit("join:mill", str(mill.id), callback=True)["ok"] is True
    colleague = connect(users[Role.OPERATOR])

    seed_month(mill)
    mill_service.create_mill(data={"name": "Contract Mill", "code": "CONTRACT"})
    purchase = purchase_service.create_purchase(
        mill=mill,
        data={"farmer_name": "Suresh", "gross_weight_kg": Decimal(1000), "moisture_percent": Decimal(14),
              "rate_per_quintal": Decimal(2000)},
        actor=manager,
    )  # fmt: skip
    sale = sale_service.create_sale(
        mill=mill,
        data={"buyer_name": "Gupta", "stock_type": "PADDY", "quantity_kg": Decimal(100),
              "rate_per_quintal": Decimal(2400)},
        actor=manager,
    )  # fmt: skip
    db.session.commit()
    sale_service.delete_sale(mill=mill, sale_id=sale.id, actor=manager)
    purchase_service.delete_purchase(mill=mill, purchase_id=purchase.id, actor=manager)
    for direction, change in ((Direction.IN, 500), (Direction.OUT, 200)):
        inventory_service.create_goods_movement(
            mill=mill, direction=direction, data={"stock_type": "RICE", "quantity_kg": Decimal(change)}, actor=manager
        )
    inventory_service.create_adjustment(
        mill=mill, data={"stock_type": "RICE", "change": Decimal(-10), "reason": "spilt"}, actor=manager
    )
    party = party_service.create_party(mill=mill, data={"kind": "AGENT", "name": "Broker"}, actor=manager)
    party_service.update_party(mill=mill, party_id=party.id, data={"phone": "98450 00000"}, actor=manager)
    db.session.commit()
    colleague.emit("activity:typing", {"millId": str(mill.id), "entity": "sale", "action": "creating"})
    colleague.emit("activity:stop-typing", {"millId": str(mill.id)})
    assert member.emit("request:dashboard", str(mill.id), callback=True)["ok"] is True
    assert member.emit("sync", {"millId": str(mill.id), "lastSeq": 0}, callback=True)["ok"] is True
    assert member.emit("sync", {"millId": str(mill.id), "lastSeq": 10**6}, callback=True)["reset"] is True
    assert member.emit("leave:mill", str(mill.id), callback=True)["ok"] is True
    assert received(member, "left:mill") == [{"millId": str(mill.id)}]

    names = {name for name, _ in emitted}
    expected = set(SERVER_EVENTS.values()) - {"error"}
    assert expected - names == set(), "the flow should emit every event"
    broken = []
    for name, data in emitted:
        try:
            validate_server_payload(name, data)
        except EventContractError as error:
            broken.append(str(error))
    assert broken == []
