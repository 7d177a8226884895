"""`mill:position`: after CONNECT, then the heartbeat (each process, locally, one query for all mills)."""

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db, socketio
from ricemill.realtime.sockets import position
from tests.factories import make_user, token_for

from .conftest import names, received
from .test_client_events import write


@pytest.fixture
def outsider(other_mill):
    return make_user(Role.OPERATOR, other_mill)


def test_a_new_socket_gets_connected_then_where_its_mill_stands(connect, operator, mill):
    for _ in range(3):
        write(mill)
    client = connect(operator)
    packets = client.get_received()
    assert [p["name"] for p in packets] == ["connected", "mill:position"]
    assert packets[1]["args"][0] == {"millId": str(mill.id), "seq": 3}


def test_the_mill_namespace_gets_its_mill_position_and_a_mill_without_events_is_at_zero(connect, operator, mill):
    client = connect(namespace="/mill", auth={"token": token_for(operator), "millId": str(mill.id)})
    assert received(client, "mill:position", "/mill") == [{"millId": str(mill.id), "seq": 0}]


def test_a_platform_admin_without_a_mill_gets_no_position(connect, users):
    client = connect(users[Role.SUPER_ADMIN])
    assert names(client) == ["connected"]


def test_the_heartbeat_tells_each_mill_room_here_its_seq_in_one_query(
    app,
    connect,
    operator,
    outsider,
    mill,
    other_mill,
):
    third = make_user(Role.MANAGER, mill)
    a1, a2, b = connect(operator), connect(third), connect(outsider)
    for client in (a1, a2, b):
        client.get_received()
    for _ in range(4):
        write(mill)
    write(other_mill)
    for client in (a1, a2, b):
        client.get_received()  # the live events

    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert position.send_positions() == 2
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    for client in (a1, a2):
        assert [(p["name"], p["args"][0]) for p in client.get_received()] == [
            ("mill:position", {"millId": str(mill.id), "seq": 4})
        ]
    assert received(b, "mill:position") == [{"millId": str(other_mill.id), "seq": 1}]


def test_the_heartbeat_sends_nothing_without_mill_sockets(app, connect, users):
    connect(users[Role.SUPER_ADMIN])
    assert position.local_mill_ids() == []
    assert position.send_positions() == 0


def test_the_heartbeat_is_local_never_through_the_queue(app, connect, operator, mill, monkeypatch):
    client = connect(operator)
    client.get_received()
    calls = []
    original = socketio.server.manager.emit

    def spy(*args, **kwargs):
        calls.append(kwargs.get("ignore_queue"))
        return original(*args, **kwargs)

    monkeypatch.setattr(socketio.server.manager, "emit", spy)
    position.send_positions()
    assert calls and all(calls)  # `/` and `/mill`, both local
    assert received(client, "mill:position") == [{"millId": str(mill.id), "seq": 0}]


def test_sockets_of_another_mill_never_get_its_position(connect, operator, outsider, mill):
    a, b = connect(operator), connect(outsider)
    a.get_received()
    b.get_received()
    position.send_positions()
    assert {p["millId"] for p in received(b, "mill:position")} == {str(outsider.mill_id)}
    assert {p["millId"] for p in received(a, "mill:position")} == {str(mill.id)}


def test_a_mill_screen_syncs_its_own_mill_only(connect, users, mill, other_mill):
    """`/mill` follows the delivery contract too: `sync` replays its one mill, never another."""
    for _ in range(2):
        write(mill)
    write(other_mill)
    admin = users[Role.SUPER_ADMIN]
    client = connect(namespace="/mill", auth={"token": token_for(admin), "millId": str(mill.id)})
    client.get_received("/mill")
    ack = client.emit("sync", {"millId": str(mill.id), "lastSeq": 0}, callback=True, namespace="/mill")
    assert ack == {"ok": True, "millId": str(mill.id), "seq": 2, "reset": False, "replayed": 2}
    assert [p["name"] for p in client.get_received("/mill")] == ["stock:updated", "stock:updated", "sync:done"]
    refused = client.emit("sync", {"millId": str(other_mill.id), "lastSeq": 0}, callback=True, namespace="/mill")
    assert refused == {"ok": False, "error": "Access denied to this mill"}
    assert received(client, "stock:updated", "/mill") == []
