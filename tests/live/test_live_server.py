"""The eventlet server as a real process, python-socketio clients over real websockets."""

import json
from datetime import timedelta

import pytest
import requests
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.realtime.outbox import store
from ricemill.realtime.outbox.models import MillEvent
from tests.factories import make_mill, make_user

from .conftest import ALLOWED_ORIGIN, redis_url, refused, token, unique_channel, wait_for

pytestmark = [
    pytest.mark.committed,
    pytest.mark.live,
    # python-engineio's client leaves the socket of a websocket the server dropped (or a killed server's)
    # unclosed; the garbage collector reports it later, in whichever test runs then.
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

PURCHASE = {
    "farmerName": "Suresh",
    "grossWeightKg": 1250,
    "moisturePercent": 14,
    "ratePerQuintal": 2000,
    "purchaseDate": "2026-11-20",
}


@pytest.fixture
def world(live_app):
    """Two mills, an operator and a manager in A, an operator in B, a SUPER_ADMIN; committed for real."""
    with live_app.app_context():
        a, b = make_mill("Live A"), make_mill("Live B")
        people = {
            "a_operator": make_user(Role.OPERATOR, a),
            "a_manager": make_user(Role.MANAGER, a),
            "a_admin": make_user(Role.MILL_ADMIN, a),
            "b_operator": make_user(Role.OPERATOR, b),
            "super": make_user(Role.SUPER_ADMIN),
        }
        tokens = {name: token(live_app, user) for name, user in people.items()}
        ids = {name: str(user.id) for name, user in people.items()}
        world = {"a": str(a.id), "b": str(b.id), "tokens": tokens, "ids": ids, "users": people}
        db.session.remove()
    return world


def bearer(tok):
    return {"Authorization": f"Bearer {tok}"}


def adjust(server, world, mill="a", who="a_admin", change=10):
    response = requests.post(
        f"{server.url}/api/v1/mills/{world[mill]}/stock/adjustments",
        json={"stockType": "PADDY", "change": change, "reason": "live test"},
        headers=bearer(world["tokens"][who]),
        timeout=10,
    )
    return response


def test_handshake_rules_on_a_live_server(servers, world, clients):
    server = servers()
    good = clients(server.url, world["tokens"]["a_operator"])
    connected = good.wait_event("connected")
    assert connected == [{"userId": world["ids"]["a_operator"], "message": "Connected successfully"}]
    assert refused(server.url) == {"message": "Authentication token required"}
    assert refused(server.url, token="nonsense") == {"message": "Invalid token"}
    assert refused(server.url, auth={}, query=f"token={world['tokens']['a_operator']}") == {
        "message": "Authentication token required"
    }
    assert refused(server.url, token=world["tokens"]["a_operator"], namespace="/admin") == {"message": "Access denied"}
    # Origin allow-list (CLIENT_URL): a browser page elsewhere cannot open a socket. Over long-polling
    # (websocket-client adds an Origin header of its own).
    evil = refused(
        server.url,
        token=world["tokens"]["a_operator"],
        headers={"Origin": "http://evil.example"},
        transports=["polling"],
    )
    assert evil == "Not an accepted origin."
    handshake = requests.get(
        f"{server.url}/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"}, timeout=5
    )
    assert handshake.status_code == 400
    assert "is not an accepted origin" in server.output()
    allowed = clients(
        server.url, world["tokens"]["a_operator"], headers={"Origin": ALLOWED_ORIGIN}, transports=["polling"]
    )
    allowed.wait_event("connected")
    admin = clients(server.url, world["tokens"]["super"], namespace="/admin")
    admin.wait_event("connected")
    assert "Socket connected" in server.output()
    assert world["tokens"]["a_operator"] not in server.output()


def test_writes_reach_their_mill_only_and_rolled_back_writes_emit_nothing(servers, world, clients):
    server = servers()
    a = clients(server.url, world["tokens"]["a_manager"])
    b = clients(server.url, world["tokens"]["b_operator"])
    admin = clients(server.url, world["tokens"]["super"], namespace="/admin")
    for client in (a, b, admin):
        client.wait_event("connected")
    # refused writes: invalid body (422) and a stock that would go negative (409)
    assert adjust(server, world, change=-(10**6)).status_code in (409, 422)
    bad = requests.post(
        f"{server.url}/api/v1/mills/{world['a']}/paddy-purchases",
        json={**PURCHASE, "grossWeightKg": -1},
        headers=bearer(world["tokens"]["a_operator"]),
        timeout=10,
    )
    assert bad.status_code == 422
    response = requests.post(
        f"{server.url}/api/v1/mills/{world['a']}/paddy-purchases",
        json=PURCHASE,
        headers=bearer(world["tokens"]["a_operator"]),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    purchase = response.json()["data"]
    created = a.wait_event("purchase:created")
    assert created[0]["purchase"] == purchase
    assert created[0]["createdBy"]["id"] == world["ids"]["a_operator"]
    a.wait_event("stock:updated")
    activity = admin.wait_event("activity:new")
    assert {item["millId"] for item in activity} == {world["a"]}
    # the refused writes took no seq: the purchase's events are the mill's first
    assert sorted(p["seq"] for p in a.of("purchase:created") + a.of("stock:updated")) == [1, 2]
    # The barrier: a write in B after A's. A delivery of A's events to b would have come before it.
    marker = requests.post(
        f"{server.url}/api/v1/mills/{world['b']}/paddy-purchases",
        json=PURCHASE,
        headers=bearer(world["tokens"]["b_operator"]),
        timeout=10,
    )
    assert marker.status_code == 201, marker.text
    assert b.wait_event("purchase:created")[0]["purchase"]["id"] == marker.json()["data"]["id"]
    with b.lock:
        of_a = [(e, p) for e, p in b.events if world["a"] in json.dumps(p) or purchase["id"] in json.dumps(p)]
    assert of_a == []


def test_crash_between_commit_and_emit_is_relayed_after_restart(servers, world, clients, live_app):
    # No scheduler: the start-up relay alone must deliver (it waits one interval for clients to return).
    server = servers(RUN_SCHEDULER="false", OUTBOX_RELAY_INTERVAL_SECONDS="2")
    client = clients(
        server.url,
        world["tokens"]["a_operator"],
        reconnection=True,
        reconnection_delay=0.1,
        reconnection_delay_max=0.2,
        randomization_factor=0,
    )
    client.wait_event("connected")
    # The server "committed" these rows and died before emitting: rows written without a dispatcher.
    with live_app.app_context():
        from ricemill.inventory.stock import apply_movement

        store.set_dispatcher(None)
        try:
            for _ in range(3):
                apply_movement(mill_id=world["a"], stock_type="PADDY", change=5, reason="crash")
                db.session.commit()
        finally:
            from ricemill.realtime.outbox import dispatch

            dispatch.install(live_app)
        db.session.remove()
    server.kill()
    client.disconnected.wait(5)
    server.start()  # same port; the client reconnects by itself
    events = client.wait_event("stock:updated", count=3, timeout=15)
    assert [e["seq"] for e in events] == [1, 2, 3]

    wait_for(lambda: undispatched(live_app) == 0, timeout=5, message="the relay to mark the rows")


def undispatched(live_app) -> int:
    """Event rows not yet marked dispatched (a row is marked after its emit has left)."""
    with live_app.app_context():
        left = db.session.scalar(sa.select(sa.func.count()).where(MillEvent.dispatched_at.is_(None)))
        db.session.remove()
    return left


def test_client_away_gets_exactly_its_missed_events_in_order_on_sync(servers, world, clients, live_app):
    server = servers()
    first = clients(server.url, world["tokens"]["a_operator"])
    first.wait_event("connected")
    assert adjust(server, world).status_code == 201
    seen = first.wait_event("stock:updated")
    last_seq = seen[-1]["seq"]
    first.close()
    for i in range(20):
        assert adjust(server, world, change=i + 1).status_code == 201
        if i % 4 == 0:
            assert adjust(server, world, mill="b", who="b_operator").status_code in (201, 403)
    # Every live emit has left before the client returns (the answer can come before the emit): else
    # the last ones reach it live as well as in the replay, which the contract allows (clients drop
    # copies by seq) but this test is about the replay alone.
    wait_for(lambda: undispatched(live_app) == 0, timeout=5, message="the live emits of the writes")
    back = clients(server.url, world["tokens"]["a_operator"])
    back.wait_event("connected")
    ack = back.emit("sync", {"millId": world["a"], "lastSeq": last_seq})
    assert ack["ok"] is True and ack["reset"] is False
    done = back.wait_event("sync:done")
    replayed = [payload for event, payload in back.events if event == "stock:updated"]
    assert [p["seq"] for p in replayed] == list(range(last_seq + 1, last_seq + 21))
    assert [p["change"] for p in replayed] == list(range(1, 21))
    assert all(p["millId"] == world["a"] for p in replayed)
    assert done[0] == {"millId": world["a"], "seq": last_seq + 20}


def test_oversized_message_drops_only_its_sender(servers, world, clients):
    server = servers()
    big, calm = clients(server.url, world["tokens"]["a_operator"]), clients(server.url, world["tokens"]["a_manager"])
    big.wait_event("connected")
    calm.wait_event("connected")
    big.sio.emit("join:mill", "x" * 100_000)  # over the 64 KB limit
    assert big.disconnected.wait(5)
    assert calm.emit("join:mill", world["a"])["ok"] is True
    assert calm.sio.connected


def test_expired_token_is_disconnected(servers, world, clients, live_app):
    server = servers()
    short = token(live_app, world["users"]["a_operator"], expires_delta=timedelta(seconds=2))
    client = clients(server.url, short)
    client.wait_event("connected")
    other = clients(server.url, world["tokens"]["a_manager"])
    other.wait_event("connected")
    assert client.disconnected.wait(5)
    assert other.sio.connected


def test_logout_disconnects_that_token_live(servers, world, clients):
    server = servers()
    client = clients(server.url, world["tokens"]["a_operator"])
    client.wait_event("connected")
    response = requests.post(
        f"{server.url}/api/v1/auth/logout", headers=bearer(world["tokens"]["a_operator"]), timeout=5
    )
    assert response.status_code == 200
    assert client.disconnected.wait(10)  # at once in practice; the bound only ends a failing run


def test_flood_is_rate_limited_while_another_clients_events_arrive(servers, world, clients):
    server = servers()
    flooder = clients(server.url, world["tokens"]["a_operator"])
    calm = clients(server.url, world["tokens"]["a_manager"])
    flooder.wait_event("connected")
    calm.wait_event("connected")
    for _ in range(300):
        if flooder.disconnected.is_set():
            break
        try:
            flooder.sio.emit("leave:mill", "x")
        except Exception:
            break
    assert {"message": "Rate limit exceeded"} in flooder.wait_event("error")
    assert flooder.disconnected.wait(5)  # sustained abuse
    assert adjust(server, world).status_code == 201
    assert calm.wait_event("stock:updated")
    assert calm.sio.connected


def test_two_processes_share_rooms_and_live_authorisation_through_redis(servers, world, clients, live_app):
    url = redis_url()
    if url is None:
        pytest.skip("no Redis at TEST_REDIS_URL")
    channel = unique_channel()
    a = servers(SOCKETIO_MESSAGE_QUEUE=url, SOCKETIO_CHANNEL=channel)
    b = servers(SOCKETIO_MESSAGE_QUEUE=url, SOCKETIO_CHANNEL=channel)
    watcher = clients(b.url, world["tokens"]["a_manager"])
    target = clients(b.url, world["tokens"]["a_operator"])
    target_mill = clients(b.url, namespace="/mill", auth={"token": world["tokens"]["a_operator"], "millId": world["a"]})
    for client in (watcher, target, target_mill):
        client.wait_event("connected")
    assert adjust(a, world).status_code == 201  # written through A
    assert watcher.wait_event("stock:updated", timeout=5)[0]["millId"] == world["a"]
    assert target_mill.wait_event("stock:updated", timeout=5)
    response = requests.patch(
        f"{a.url}/api/v1/mills/{world['a']}/users/{world['ids']['a_operator']}",
        json={"isActive": False},
        headers=bearer(world["tokens"]["a_admin"]),
        timeout=5,
    )
    assert response.status_code == 200, response.text
    # Nothing else ends these sockets (no periodic re-check, tokens live 15 minutes): only the
    # deactivation on A, relayed through Redis, can.
    assert target.disconnected.wait(10), "the socket on B outlived the deactivation on A"
    assert target_mill.disconnected.wait(10)
    assert watcher.sio.connected
    wait_for(lambda: True)
