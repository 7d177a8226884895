"""The scheduler: its jobs, exactly one runner per job run, started once or not at all."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger

from ricemill import jobs as periodic
from ricemill import scheduler as sched
from ricemill.extensions import db
from ricemill.realtime.outbox.models import MillEvent
from tests.factories import make_mill
from tests.payloads import payload
from tests.waiting import wait_until


@pytest.fixture
def fresh_scheduler(monkeypatch):
    """The module's scheduler replaced by an unstarted one (the real one is shared by the process)."""
    fresh = BackgroundScheduler(timezone="UTC")
    monkeypatch.setattr(sched, "scheduler", fresh)
    yield fresh
    if fresh.running:
        fresh.shutdown(wait=False)


def _held_body(runs, release: threading.Event):
    """A job body that keeps running (and its runner the lock) until the test releases it."""

    def body():
        runs.append(threading.get_ident())
        release.wait(10)

    return body


@pytest.mark.committed
def test_two_threads_running_the_same_job_at_once_run_its_body_once(app):
    runs, results = [], []
    release = threading.Event()

    def worker():
        results.append(sched.run_exclusively(app, "test-once-threads", _held_body(runs, release)))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    # One thread runs the body and waits in it; the other met the lock and gave up.
    wait_until(lambda: runs and results, message="one runner in the body and one refused")
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(runs) == 1
    assert sorted(results) == [False, True]
    # The lock went with the run: the next run goes ahead.
    assert sched.run_exclusively(app, "test-once-threads", _held_body(runs, release)) is True
    assert len(runs) == 2


@pytest.mark.committed
def test_two_schedulers_firing_the_same_job_at_the_same_moment_run_it_once(app):
    runs, results = [], []
    release = threading.Event()
    body = _held_body(runs, release)

    def fire():
        results.append(sched.run_exclusively(app, "test-once-schedulers", body))

    at = datetime.now(UTC) + timedelta(seconds=0.3)
    schedulers = [BackgroundScheduler(timezone="UTC") for _ in range(2)]
    for runner in schedulers:
        runner.add_job(fire, DateTrigger(run_date=at), misfire_grace_time=60)
        runner.start()
    try:
        # Both fired: the loser gave up while the winner was still in the body.
        wait_until(lambda: results, message="one scheduler's run to be refused")
        release.set()
        wait_until(lambda: len(results) == 2, message="the winner's run to end")
    finally:
        release.set()
        for runner in schedulers:
            runner.shutdown(wait=True)
    assert len(runs) == 1
    assert sorted(results) == [False, True]


class _Quiet(threading.Event):
    """The scheduler's `stopping` event, telling when a runner has begun its quiet period."""

    def __init__(self):
        super().__init__()
        self.entered = threading.Event()

    def wait(self, timeout=None):
        self.entered.set()
        return super().wait(timeout)


@pytest.mark.committed
def test_a_late_peer_skips_while_the_winner_holds_the_quiet_period(app, monkeypatch):
    runs = []
    release = threading.Event()
    release.set()  # the winner's body ends at once
    quiet = _Quiet()
    monkeypatch.setattr(sched, "stopping", quiet)
    winner = threading.Thread(
        target=sched.run_exclusively,
        args=(app, "test-quiet", _held_body(runs, release)),
        kwargs={"quiet_seconds": 600},
    )
    winner.start()
    # The winner's body is done and committed; a peer whose clock is a little late fires now.
    assert quiet.entered.wait(10)
    assert sched.run_exclusively(app, "test-quiet", _held_body(runs, release)) is False
    quiet.set()  # as on shutdown: the quiet period ends at once
    winner.join(10)
    assert not winner.is_alive()
    assert len(runs) == 1


@pytest.mark.committed
def test_a_job_commits_what_its_body_did_and_rolls_back_when_it_fails(app):
    with app.app_context():
        mill_id = make_mill().id
        db.session.remove()

    def publish_and(fail):
        def body():
            from ricemill.realtime.outbox import publish

            publish("stock:updated", mill_id, payload("stock:updated"))
            if fail:
                raise RuntimeError("boom")

        return body

    assert sched.run_exclusively(app, "test-commit", publish_and(fail=True)) is True  # logged, not raised
    assert sched.run_exclusively(app, "test-commit", publish_and(fail=False)) is True
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MillEvent)) == 1
        db.session.remove()


def test_register_jobs_adds_the_jobs_with_their_intervals(app, fresh_scheduler):
    sched.register_jobs(app, fresh_scheduler)
    jobs = {job.id: job for job in fresh_scheduler.get_jobs()}
    assert set(jobs) == {"low-stock", "relay", "purge-events", "purge-idempotency-keys"}
    seconds = {name: job.trigger.interval.total_seconds() for name, job in jobs.items()}
    assert seconds == {
        "low-stock": app.config["STOCK_CHECK_INTERVAL_SECONDS"],
        "relay": app.config["OUTBOX_RELAY_INTERVAL_SECONDS"],
        "purge-events": 24 * 3600,
        "purge-idempotency-keys": 3600,
    }
    # Every process counts from the same epoch, so their runs meet at the lock.
    assert all(job.trigger.start_date == sched.EPOCH for job in jobs.values())
    assert all(job.func is sched.run_exclusively and job.args[1] == name for name, job in jobs.items())


def test_not_started_when_run_scheduler_is_false(app, fresh_scheduler, monkeypatch):
    monkeypatch.setitem(app.config, "RUN_SCHEDULER", False)
    assert sched.start_scheduler_if_configured(app) is False
    assert not fresh_scheduler.running


def test_started_once_only(app, fresh_scheduler, monkeypatch):
    registered = []
    monkeypatch.setattr(sched, "register_jobs", lambda app: registered.append(app))
    monkeypatch.setitem(app.config, "RUN_SCHEDULER", True)
    assert sched.start_scheduler_if_configured(app) is True
    assert fresh_scheduler.running
    assert sched.start_scheduler_if_configured(app) is False
    assert len(registered) == 1


def test_not_started_in_the_reloaders_watcher_process(app, fresh_scheduler, monkeypatch):
    monkeypatch.setattr(sched, "register_jobs", lambda app: None)
    monkeypatch.setitem(app.config, "RUN_SCHEDULER", True)
    monkeypatch.setitem(app.config, "DEBUG", True)
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    assert sched.start_scheduler_if_configured(app) is False  # the watcher only restarts the server
    monkeypatch.setenv("WERKZEUG_RUN_MAIN", "true")
    assert sched.start_scheduler_if_configured(app) is True  # the server process itself


def test_purge_removes_only_events_older_than_the_retention(app):
    mill = make_mill()
    old, new = (
        MillEvent(mill_id=mill.id, seq=seq, name="stock:updated", payload={},
                  created_at=datetime.now(UTC) - timedelta(days=days))
        for seq, days in ((1, app.config["EVENT_RETENTION_DAYS"] + 1), (2, 1))
    )  # fmt: skip
    db.session.add_all([old, new])
    db.session.commit()
    assert periodic.purge_events_job(app) == 1
    assert db.session.scalars(sa.select(MillEvent.seq).where(MillEvent.mill_id == mill.id)).all() == [2]


def test_the_stock_job_publishes_the_low_stocks(app):
    from ricemill.inventory.models import Stock

    mill = make_mill()
    db.session.execute(
        sa.update(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == "RICE").values(min_stock_level=10)
    )
    db.session.commit()
    assert periodic.check_stock_job() >= 1
    db.session.commit()
    names = db.session.scalars(sa.select(MillEvent.name).where(MillEvent.mill_id == mill.id)).all()
    assert names == ["stock:low-alert"]


@pytest.mark.committed
def test_the_relay_job_sends_what_a_crash_left_undispatched(app, monkeypatch):
    from ricemill.notifications.models import Notification
    from ricemill.realtime.sockets import emitter

    sent = []
    for name in ("to_user", "to_mill", "to_admins", "broadcast", "to_mill_and_admins"):
        if hasattr(emitter, name):
            monkeypatch.setattr(emitter, name, lambda event, payload, *room, _n=name: sent.append((event, payload)))
    long_ago = datetime.now(UTC) - timedelta(minutes=1)
    with app.app_context():
        mill = make_mill()
        note = Notification(target="mill", mill_id=mill.id, type="info", title="Lost", message="m", data={},
                            created_at=long_ago)  # fmt: skip
        event = MillEvent(mill_id=mill.id, seq=1, name="stock:updated", payload={"seq": 1}, created_at=long_ago)
        db.session.add_all([note, event])
        db.session.commit()
        note_id = note.id
        db.session.remove()
    assert sched.run_exclusively(app, "relay", lambda: periodic.relay_job(app)) is True
    assert ("notification", "Lost") in [(e, p.get("title")) for e, p in sent]
    assert "stock:updated" in [e for e, _ in sent]
    with app.app_context():
        assert db.session.get(Notification, note_id).dispatched_at is not None
        assert db.session.scalar(sa.select(MillEvent.dispatched_at)) is not None
        db.session.remove()
