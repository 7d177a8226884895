"""Live dashboard push: throttled per mill on the trailing edge, immediate with a 0 interval."""

import importlib
import sys
import time
import types

import pytest

from ricemill.dashboard import push as dashboard_push
from ricemill.extensions import db
from ricemill.realtime.outbox import publish
from ricemill.realtime.sockets import emitter
from tests.factories import make_mill
from tests.payloads import payload
from tests.waiting import wait_until


@pytest.fixture
def pushes(monkeypatch):
    """Captured `dashboard:stats` emits as (monotonic time, mill id, data)."""
    seen = []
    real_to_mill = emitter.to_mill

    def to_mill(event, payload, mill_id):
        if event == "dashboard:stats":
            seen.append((time.monotonic(), str(mill_id), payload))
        else:
            real_to_mill(event, payload, mill_id)

    monkeypatch.setattr(emitter, "to_mill", to_mill)
    monkeypatch.setattr(dashboard_push, "_has_listeners", lambda app, mill_id: True)
    monkeypatch.setattr(dashboard_push, "LINGER", 0.05)  # an idle worker ends soon: the tests wait for that
    _worker_done()
    dashboard_push.reset()
    yield seen
    dashboard_push.reset()


@pytest.fixture
def commits(monkeypatch):
    """A fake get_dashboard reporting how many commits the test has made so far (the 'numbers')."""
    state = {"n": 0, "calls": 0}

    def fake_get_dashboard(*, mill_id):
        state["calls"] += 1
        return {"millId": str(mill_id), "commits": state["n"]}

    try:
        module = importlib.import_module("ricemill.dashboard.service")
        monkeypatch.setattr(module, "get_dashboard", fake_get_dashboard)
    except ImportError:
        monkeypatch.setitem(
            sys.modules, "ricemill.dashboard.service", types.SimpleNamespace(get_dashboard=fake_get_dashboard)
        )
    return state


def _worker_done():
    """The barrier: the background worker has ended, so every push it had due has been made."""
    wait_until(lambda: not dashboard_push._worker_running, message="the dashboard push worker to end")


def _write(mill, commits):
    publish("stock:updated", mill.id, payload("stock:updated"))
    db.session.commit()
    commits["n"] += 1


def test_a_burst_of_50_writes_gives_at_most_two_pushes_the_last_with_the_final_numbers(
    app, monkeypatch, pushes, commits
):
    interval = 0.3
    monkeypatch.setitem(app.config, "DASHBOARD_PUSH_MIN_INTERVAL_SECONDS", interval)
    mill = make_mill()
    started = time.monotonic()
    for _ in range(50):
        _write(mill, commits)
    burst = time.monotonic() - started
    _worker_done()
    mine = [p for p in pushes if p[1] == str(mill.id)]
    allowed = 1 + max(1, int(burst / interval) + 1)  # 2 when the burst fits in one interval
    assert 1 <= len(mine) <= allowed, (len(mine), burst)
    if burst < interval:
        assert len(mine) <= 2
    assert mine[-1][2] == {"millId": str(mill.id), "commits": 50}  # the trailing push has the final numbers


def test_the_first_write_of_a_quiet_mill_pushes_at_once_and_the_next_waits_for_the_interval(
    app, monkeypatch, pushes, commits
):
    """With an interval far longer than the test, only 'at once' can explain the first push."""
    monkeypatch.setitem(app.config, "DASHBOARD_PUSH_MIN_INTERVAL_SECONDS", 3600)
    mill = make_mill()
    _write(mill, commits)
    wait_until(lambda: pushes, message="the first push")
    _write(mill, commits)  # within the interval: one push is due at its end, none now
    assert dashboard_push._state[str(mill.id)].scheduled
    _write(mill, commits)
    assert [m for _, m, _ in pushes] == [str(mill.id)]
    dashboard_push.reset()  # drop the push due in an hour


def test_each_mill_is_throttled_on_its_own(app, monkeypatch, pushes, commits):
    monkeypatch.setitem(app.config, "DASHBOARD_PUSH_MIN_INTERVAL_SECONDS", 0.3)
    a, b = make_mill(), make_mill()
    started = time.monotonic()
    for _ in range(5):
        _write(a, commits)
        _write(b, commits)
    allowed = 2 + int((time.monotonic() - started) / 0.3)  # 2 when the writes fit in one interval
    _worker_done()
    for mill, last_write in ((a, 9), (b, 10)):
        mine = [p for p in pushes if p[1] == str(mill.id)]
        assert 1 <= len(mine) <= allowed and mine[-1][2]["commits"] >= last_write


def test_zero_interval_pushes_at_once_in_the_caller(app, monkeypatch, pushes, commits):
    monkeypatch.setitem(app.config, "DASHBOARD_PUSH_MIN_INTERVAL_SECONDS", 0)
    mill = make_mill()
    _write(mill, commits)
    assert [(m, d) for _, m, d in pushes] == [(str(mill.id), {"millId": str(mill.id), "commits": 0})]
    _write(mill, commits)
    assert len(pushes) == 2  # no throttle at 0


def test_a_rolled_back_write_pushes_nothing(app, pushes, commits):
    mill = make_mill()
    publish("stock:updated", mill.id, payload("stock:updated"))
    db.session.rollback()
    db.session.commit()
    assert pushes == [] and commits["calls"] == 0


def test_nobody_listening_computes_nothing(app, monkeypatch, commits):
    """No socket of this process in the mill's rooms and no message queue: no dashboard is computed."""
    monkeypatch.setitem(app.config, "SOCKETIO_MESSAGE_QUEUE", None)
    mill = make_mill()
    assert dashboard_push._has_listeners(app, str(mill.id)) is False
    publish("stock:updated", mill.id, payload("stock:updated"))
    db.session.commit()
    assert commits["calls"] == 0
    monkeypatch.setitem(app.config, "SOCKETIO_MESSAGE_QUEUE", "redis://elsewhere")  # other processes may listen
    assert dashboard_push._has_listeners(app, str(mill.id)) is True


def test_the_real_dashboard_is_pushed(app, monkeypatch, pushes):
    get_dashboard = pytest.importorskip("ricemill.dashboard.service").get_dashboard
    mill = make_mill()
    publish("stock:updated", mill.id, payload("stock:updated"))
    db.session.commit()
    [(_, mill_id, data)] = pushes
    assert mill_id == str(mill.id)
    fresh = get_dashboard(mill_id=mill.id)
    assert {k: v for k, v in data.items() if k != "generatedAt"} == {
        k: v for k, v in fresh.items() if k != "generatedAt"
    }


def test_many_mills_share_one_background_worker(app, monkeypatch, pushes, commits):
    from ricemill.extensions import socketio

    monkeypatch.setitem(app.config, "DASHBOARD_PUSH_MIN_INTERVAL_SECONDS", 0.3)
    # A worker that ended and one that starts at that moment would overlap in the count below:
    # with the real linger the worker stays up through the writes' gaps.
    monkeypatch.setattr(dashboard_push, "LINGER", 1.0)
    running, peak = [0], [0]
    real_start = socketio.start_background_task

    def counted(target, *args, **kwargs):
        if target is not dashboard_push._worker:  # others' tasks (marking events dispatched, say)
            return real_start(target, *args, **kwargs)

        def run():
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            try:
                target(*args, **kwargs)
            finally:
                running[0] -= 1

        return real_start(run)

    monkeypatch.setattr(socketio, "start_background_task", counted)
    mills = [make_mill() for _ in range(20)]
    started = time.monotonic()
    for _ in range(3):
        for mill in mills:
            _write(mill, commits)
    allowed = 2 + int((time.monotonic() - started) / 0.3)
    _worker_done()
    assert peak[0] == 1  # one worker, never a thread per mill
    for index, mill in enumerate(mills):
        mine = [p for p in pushes if p[1] == str(mill.id)]
        # The last push saw the mill's last write (commit number 41 + index of 60).
        assert 1 <= len(mine) <= allowed and mine[-1][2]["commits"] >= 41 + index
