"""Replay with `sync`, the relay, live authorisation and the rate limit, with the test client."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db, socketio
from ricemill.realtime.outbox import dispatch, relay, replay, store
from ricemill.realtime.outbox.models import MillEvent
from ricemill.realtime.sockets import live_auth, registry
from tests.factories import auth_header, make_user, token_for

from .conftest import received
from .test_client_events import write


def replayed(packets):
    return [(p["name"], p["args"][0]) for p in packets]


def test_sync_replays_exactly_the_missed_events_of_the_mill_in_order(connect, operator, mill, other_mill):
    for i in range(20):
        write(mill, change=i + 1)
        if i % 4 == 0:
            write(other_mill)
    client = connect(operator)
    client.get_received()
    ack = client.emit("sync", {"millId": str(mill.id), "lastSeq": 0}, callback=True)
    assert ack == {"ok": True, "millId": str(mill.id), "seq": 20, "reset": False, "replayed": 20}
    packets = replayed(client.get_received())
    assert [name for name, _ in packets] == ["stock:updated"] * 20 + ["sync:done"]
    assert [payload["seq"] for _, payload in packets[:-1]] == list(range(1, 21))
    assert [payload["change"] for _, payload in packets[:-1]] == list(range(1, 21))
    assert all(payload["millId"] == str(mill.id) for _, payload in packets[:-1])
    assert packets[-1] == ("sync:done", {"millId": str(mill.id), "seq": 20})


def test_sync_from_the_middle_and_when_up_to_date(connect, operator, mill):
    for _ in range(5):
        write(mill)
    client = connect(operator)
    client.get_received()
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 3})
    assert [p["seq"] for _, p in replayed(client.get_received())] == [4, 5, 5]  # two events, then sync:done
    ack = client.emit("sync", {"millId": str(mill.id), "lastSeq": 5}, callback=True)
    assert ack["replayed"] == 0
    assert received(client, "sync:done") == [{"millId": str(mill.id), "seq": 5}]


def test_sync_of_a_mill_without_events(connect, operator, mill):
    client = connect(operator)
    client.get_received()
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 0})
    assert replayed(client.get_received()) == [("sync:done", {"millId": str(mill.id), "seq": 0})]


def test_sync_resets_beyond_the_retention_window_or_the_cap(connect, operator, mill, monkeypatch):
    for _ in range(4):
        write(mill)
    client = connect(operator)
    client.get_received()
    # a lastSeq from the future (another database, a restored backup)
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 99})
    assert replayed(client.get_received()) == [("sync:reset", {"millId": str(mill.id), "seq": 4})]
    # too many to replay
    monkeypatch.setattr(replay, "MAX_REPLAY", 3)
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 0})
    assert replayed(client.get_received()) == [("sync:reset", {"millId": str(mill.id), "seq": 4})]
    monkeypatch.undo()
    # the next missed event is older than the retention window (it may be purged any time)
    db.session.execute(
        sa.update(MillEvent)
        .where(MillEvent.mill_id == mill.id, MillEvent.seq <= 2)
        .values(created_at=datetime.now(UTC) - timedelta(days=31))
    )
    db.session.commit()
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 1})
    assert replayed(client.get_received()) == [("sync:reset", {"millId": str(mill.id), "seq": 4})]
    # purged: the first missed event is gone
    db.session.execute(sa.delete(MillEvent).where(MillEvent.mill_id == mill.id, MillEvent.seq <= 2))
    db.session.commit()
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 0})
    assert replayed(client.get_received()) == [("sync:reset", {"millId": str(mill.id), "seq": 4})]
    client.emit("sync", {"millId": str(mill.id), "lastSeq": 2})  # still answerable exactly
    assert [name for name, _ in replayed(client.get_received())] == ["stock:updated", "stock:updated", "sync:done"]


def test_sync_into_another_mill_is_refused_and_replays_nothing(connect, operator, other_mill):
    outsider = connect(make_user(Role.OPERATOR, other_mill))
    write(other_mill)
    intruder = connect(operator)
    intruder.get_received()
    outsider.get_received()
    ack = intruder.emit("sync", {"millId": str(other_mill.id), "lastSeq": 0}, callback=True)
    assert ack == {"ok": False, "error": "Access denied to this mill"}
    assert replayed(intruder.get_received()) == [("error", {"message": "Access denied to this mill"})]
    assert outsider.get_received() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "Payload must be an object"),
        ({"millId": "x"}, "Missing field: lastSeq"),
        ({"lastSeq": 0}, "Missing field: millId"),
        ({"millId": "MILL", "lastSeq": -1}, "lastSeq must be a non-negative integer"),
        ({"millId": "MILL", "lastSeq": "3"}, "lastSeq must be a non-negative integer"),
        ({"millId": "MILL", "lastSeq": 1.5}, "lastSeq must be a non-negative integer"),
        ({"millId": "MILL", "lastSeq": True}, "lastSeq must be a non-negative integer"),
        ({"millId": "MILL", "lastSeq": 10**30}, "lastSeq must be a non-negative integer"),
    ],
)
def test_bad_sync_payloads(connect, operator, mill, data, message):
    client = connect(operator)
    if isinstance(data, dict) and data.get("millId") == "MILL":
        data = dict(data, millId=str(mill.id))
    assert client.emit("sync", data, callback=True) == {"ok": False, "error": message}
    assert client.is_connected()


def test_replay_goes_only_to_the_requesting_socket(connect, operator, users, mill):
    write(mill)
    asker, colleague = connect(operator), connect(users[Role.MANAGER])
    colleague.get_received()
    asker.emit("sync", {"millId": str(mill.id), "lastSeq": 0})
    assert colleague.get_received() == []


def test_rolled_back_change_emits_nothing(connect, operator, mill):
    client = connect(operator)
    client.get_received()
    from ricemill.inventory.stock import apply_movement

    apply_movement(mill_id=mill.id, stock_type="PADDY", change=5, reason="never")
    db.session.rollback()
    assert client.get_received() == []


# --- live authorisation ------------------------------------------------------------------------


def test_logout_disconnects_the_sockets_of_that_token_only(connect, operator, client):
    token_a, token_b = token_for(operator), token_for(operator)
    a1, a2, b = connect(token=token_a), connect(token=token_a), connect(token=token_b)
    response = client.post("/api/v1/auth/logout", headers={"Authorization": f"Bearer {token_a}"})
    assert response.status_code == 200
    assert not a1.is_connected() and not a2.is_connected()
    assert b.is_connected()


@pytest.mark.parametrize(
    "change",
    [{"isActive": False}, {"role": "MANAGER"}, {"password": "another good passphrase"}],
    ids=["deactivate", "role", "password"],
)
def test_access_change_disconnects_every_socket_of_the_user(connect, users, mill, client, change):
    target = make_user(Role.OPERATOR, mill)
    bystander = connect(users[Role.MANAGER])
    sockets = [
        connect(target),
        connect(target, namespace="/mill", auth={"token": token_for(target), "millId": str(mill.id)}),
    ]
    response = client.patch(
        f"/api/v1/mills/{mill.id}/users/{target.id}", json=change, headers=auth_header(users[Role.MILL_ADMIN])
    )
    assert response.status_code == 200, response.get_json()
    assert not sockets[0].is_connected()
    assert not sockets[1].is_connected("/mill")
    assert bystander.is_connected()
    assert all(s.user_id != str(target.id) for s in registry.all_sessions())


def test_a_refused_change_disconnects_no_one(connect, users, mill, client):
    target = make_user(Role.OPERATOR, mill)
    sock = connect(target)
    response = client.patch(
        f"/api/v1/mills/{mill.id}/users/{target.id}", json={"role": "NOPE"}, headers=auth_header(users[Role.MILL_ADMIN])
    )
    assert response.status_code == 422
    assert sock.is_connected()


def test_expired_token_disconnects_the_socket(connect, operator, users):
    mine, other = connect(operator), connect(users[Role.MANAGER])
    session = registry.get("/", mine.sid)
    assert live_auth.expire_due_sockets(now=session.exp - 1) == 0
    other_exp = registry.get("/", other.sid).exp
    session.exp = other_exp - 60  # its token expires a minute before the other's
    assert live_auth.expire_due_sockets(now=other_exp - 30) == 1
    assert not mine.is_connected()
    assert other.is_connected()


def test_control_messages_are_intercepted_never_sent(connect, operator, monkeypatch):
    """The message-queue path: the control message goes through the manager's emit, handled locally."""

    class FakeQueueManager(live_auth._ControlMixin, type(socketio.server.manager)):
        def _handle_emit(self, message):
            return super()._handle_emit(message)

        def emit(self, event, data, namespace=None, room=None, **kwargs):  # what PubSubManager.emit does locally
            self._handle_emit({"method": "emit", "event": event, "data": [data], "namespace": namespace, "room": room})

    sock = connect(operator)
    sock.get_received()
    manager = socketio.server.manager
    monkeypatch.setattr(manager, "__class__", FakeQueueManager)
    live_auth.on_user_changed(str(operator.id))
    assert not sock.is_connected()
    assert sock.queue == []  # nothing was sent to the client


# --- rate limit --------------------------------------------------------------------------------


def test_flood_is_rate_limited_then_disconnected_while_others_are_served(
    connect, operator, users, mill, app, monkeypatch
):
    # A bucket that hardly refills: on a loaded machine the burst would otherwise refill while it is sent.
    monkeypatch.setitem(app.config, "SOCKET_RATE_LIMIT_PER_SECOND", 0.01)
    flooder, other = connect(operator), connect(users[Role.MANAGER])
    flooder.get_received()
    other.get_received()
    burst = app.config["SOCKET_RATE_LIMIT_BURST"]
    acks = [flooder.emit("leave:mill", "x", callback=True) for _ in range(burst + 5)]
    assert all(a["ok"] for a in acks[: burst - 2])
    assert {"ok": False, "error": "Rate limit exceeded"} in acks[burst:]
    assert {"message": "Rate limit exceeded"} in received(flooder, "error")
    assert flooder.is_connected()
    other_ack = other.emit("join:mill", str(mill.id), callback=True)
    assert other_ack["ok"] is True  # another socket has its own bucket
    for _ in range(burst + 5):
        if not flooder.is_connected():
            break
        flooder.emit("leave:mill", "x")
    assert not flooder.is_connected()  # sustained abuse
    assert other.is_connected()
    write(mill)
    assert len(received(other, "stock:updated")) == 1


def test_token_bucket_refills():
    bucket = registry.TokenBucket(rate=20, burst=40)
    now = bucket.updated
    assert all(bucket.take(now) for _ in range(40))
    assert not bucket.take(now)
    assert bucket.take(now + 0.06)  # one token back after 1/20 s
    assert not bucket.take(now + 0.06)
    assert all(bucket.take(now + 100) for _ in range(40))  # never more than the burst saved up
    assert not bucket.take(now + 100)


# --- relay (real commits: another connection must see the rows) --------------------------------


@pytest.mark.committed
def test_relay_sends_undispatched_events_once_and_marks_them(app, connect):
    from ricemill.inventory.stock import apply_movement
    from tests.factories import make_mill

    with app.app_context():
        mill = make_mill()
        user = make_user(Role.OPERATOR, mill)
        sock = connect(user)
        sock.get_received()
        store.set_dispatcher(None)  # the process "dies" between commit and emit
        try:
            for _ in range(3):
                apply_movement(mill_id=mill.id, stock_type="PADDY", change=1, reason="crash")
                db.session.commit()
        finally:
            dispatch.install(app)
        assert received(sock, "stock:updated") == []
        assert relay.relay_undispatched(app, min_age_seconds=3600) == 0  # too young: maybe in flight
        assert relay.relay_undispatched(app, min_age_seconds=0) == 3
        assert [p["seq"] for p in received(sock, "stock:updated")] == [1, 2, 3]
        assert relay.relay_undispatched(app, min_age_seconds=0) == 0  # marked: never twice
        pending = db.session.scalar(sa.select(sa.func.count()).where(MillEvent.dispatched_at.is_(None)))
        assert pending == 0
        db.session.remove()


@pytest.mark.committed
def test_dispatch_marks_rows_in_the_background(app):
    from ricemill.inventory.stock import apply_movement
    from tests.factories import make_mill

    with app.app_context():
        mill = make_mill()
        for _ in range(5):
            apply_movement(mill_id=mill.id, stock_type="BRAN", change=1, reason="t")
            db.session.commit()
        dispatch.flush_marking()
        rows = db.session.execute(sa.select(MillEvent.seq, MillEvent.dispatched_at).order_by(MillEvent.seq)).all()
        assert [seq for seq, _ in rows] == [1, 2, 3, 4, 5]
        assert all(at is not None for _, at in rows)
        db.session.remove()


@pytest.mark.committed
def test_events_stay_undispatched_while_the_message_queue_is_down(app, connect, monkeypatch):
    """Local sockets still get them; the relay sends them again once the queue takes publishes."""
    from ricemill.inventory.stock import apply_movement
    from tests.factories import make_mill

    manager = socketio.server.manager
    state = {"down": True}

    class FlakyQueueManager(type(manager)):
        publish_failures = 0

        def emit(self, *args, **kwargs):
            super().emit(*args, **kwargs)  # this process's sockets
            if state["down"]:
                self.publish_failures += 1  # what ControlRedisManager counts when Redis refuses

    with app.app_context():
        mill = make_mill()
        sock = connect(make_user(Role.OPERATOR, mill))
        sock.get_received()
        monkeypatch.setattr(manager, "__class__", FlakyQueueManager)
        apply_movement(mill_id=mill.id, stock_type="PADDY", change=1, reason="queue down")
        db.session.commit()
        dispatch.flush_marking()
        assert [p["seq"] for p in received(sock, "stock:updated")] == [1]

        def undispatched():
            return db.session.scalar(sa.select(sa.func.count()).where(MillEvent.dispatched_at.is_(None)))

        assert undispatched() == 1
        assert relay.relay_undispatched(app, min_age_seconds=0) == 0  # still down: kept
        assert undispatched() == 1
        state["down"] = False
        assert relay.relay_undispatched(app, min_age_seconds=0) == 1
        assert undispatched() == 0
        assert [p["seq"] for p in received(sock, "stock:updated")] == [1, 1]  # duplicates: dropped by seq
        db.session.remove()


def test_control_redis_manager_counts_failed_publishes(monkeypatch):
    manager = live_auth.ControlRedisManager("redis://127.0.0.1:1/0", channel="unused")
    monkeypatch.setattr(live_auth.socketio_pkg.RedisManager, "_publish", lambda self, data: None)
    manager._publish({"method": "emit"})
    assert manager.publish_failures == 1
    monkeypatch.setattr(live_auth.socketio_pkg.RedisManager, "_publish", lambda self, data: 1)
    manager._publish({"method": "emit"})
    assert manager.publish_failures == 1
