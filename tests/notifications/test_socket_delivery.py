"""End to end over Socket.IO test clients: what a mill's screens receive after a committed write."""

import pytest

from ricemill.auth.roles import Role
from ricemill.dashboard import push as dashboard_push
from ricemill.extensions import db, socketio
from ricemill.notifications import service
from ricemill.realtime.outbox import dispatch, publish
from tests.factories import make_mill, make_user, token_for


@pytest.fixture
def sockets(app):
    dispatch.install(app)  # the real dispatcher (other tests may replace it)
    dashboard_push.reset()
    clients = []

    def connect(user):
        client = socketio.test_client(app, auth={"token": token_for(user)})
        assert client.is_connected()
        client.get_received()  # drop `connected`
        clients.append(client)
        return client

    yield connect
    for client in clients:
        if client.is_connected():
            client.disconnect()


def _by_name(client):
    out = {}
    for packet in client.get_received():
        out.setdefault(packet["name"], []).append(packet["args"][0] if packet["args"] else None)
    return out


def test_a_committed_purchase_reaches_its_mill_as_event_notification_and_dashboard(sockets):
    mill, other = make_mill(), make_mill()
    ravi = make_user(Role.OPERATOR, mill, name="Ravi")
    owner = make_user(Role.MILL_ADMIN, mill)
    stranger = make_user(Role.OPERATOR, other)
    owner_socket, stranger_socket = sockets(owner), sockets(stranger)

    publish("purchase:created", mill.id, {"purchase": {"id": "p-9"}, "createdBy": ravi.actor}, actor=ravi.actor,
            summary="Ravi recorded a purchase", entity={"type": "purchase", "id": "p-9"})  # fmt: skip
    assert _by_name(owner_socket) == {}  # nothing before the commit
    db.session.commit()

    got = _by_name(owner_socket)
    assert got["purchase:created"][0]["purchase"] == {"id": "p-9"}
    [note] = got["notification"]
    assert (note["type"], note["title"], note["message"]) == (
        "success", "New purchase", "Purchase from a farmer: ₹0.00 for 0 kg of paddy, by Ravi",
    )  # fmt: skip
    assert note["data"]["purchaseId"] == "p-9" and note["data"]["url"] == "/documents/purchases?id=p-9"
    assert note["data"]["actorId"] == str(ravi.id)  # the pages toast it for everyone but Ravi
    assert note["id"] and note["createdAt"]
    [stats] = got["dashboard:stats"]  # interval 0 in the testing config: at once
    assert isinstance(stats, dict) and stats
    assert _by_name(stranger_socket) == {}


def test_send_to_user_reaches_that_user_only(sockets):
    mill = make_mill()
    alice, bob = make_user(Role.MANAGER, mill), make_user(Role.OPERATOR, mill)
    alice_socket, bob_socket = sockets(alice), sockets(bob)
    row = service.send_to_user(alice.id, {"type": "info", "title": "Hi", "message": "Just you", "data": {}})
    db.session.commit()
    assert [n["id"] for n in _by_name(alice_socket)["notification"]] == [str(row.id)]
    assert "notification" not in _by_name(bob_socket)


def test_admin_notifications_reach_super_admins_only(sockets):
    mill = make_mill()
    admin, owner = make_user(Role.SUPER_ADMIN), make_user(Role.MILL_ADMIN, mill)
    admin_socket, owner_socket = sockets(admin), sockets(owner)
    service.send_to_admins({"type": "error", "title": "Disk", "message": "Disk almost full", "data": {}})
    db.session.commit()
    assert [n["title"] for n in _by_name(admin_socket)["notification"]] == ["Disk"]
    assert "notification" not in _by_name(owner_socket)
