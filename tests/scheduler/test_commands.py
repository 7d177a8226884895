"""`flask ricemill check-stock` and `flask ricemill scheduler` (a process of its own)."""

import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest
import redis
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.models import Stock
from ricemill.realtime.outbox.models import MillEvent
from tests.factories import make_mill, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/7"


def _set_min(mill, stock_type, minimum):
    db.session.execute(
        sa.update(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == stock_type).values(min_stock_level=minimum)
    )


def test_check_stock_prints_what_it_found_and_records_the_alerts(app):
    mill = make_mill("Sri Lakshmi")
    make_user(Role.OPERATOR, mill)
    _set_min(mill, "PADDY", 500)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["ricemill", "check-stock"])
    assert result.exit_code == 0, result.output
    assert "Low stock: 1 in 1 mill(s)" in result.output
    assert "Sri Lakshmi" in result.output and "PADDY" in result.output and "critical" in result.output
    names = db.session.scalars(sa.select(MillEvent.name).where(MillEvent.mill_id == mill.id)).all()
    assert names == ["stock:low-alert"]


def test_check_stock_with_nothing_low(app):
    mill = make_mill()
    result = app.test_cli_runner().invoke(args=["ricemill", "check-stock", "--mill-id", str(mill.id)])
    assert result.exit_code == 0 and "No low stock." in result.output


def test_check_stock_refuses_a_bad_mill_id(app):
    result = app.test_cli_runner().invoke(args=["ricemill", "check-stock", "--mill-id", "nope"])
    assert result.exit_code != 0


def _redis_or_skip():
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no Redis: {error}")
    return client


@pytest.mark.committed
def test_scheduler_command_runs_the_jobs_and_emits_through_the_message_queue(app, database_urls):
    client = _redis_or_skip()
    with app.app_context():
        mill = make_mill()
        make_user(Role.OPERATOR, mill)
        _set_min(mill, "BRAN", 100)
        db.session.commit()
        mill_id = str(mill.id)
        db.session.remove()
    channel = f"ricemill-test-{uuid.uuid4().hex[:8]}"  # runs in parallel each listen on their own
    pubsub = client.pubsub()
    pubsub.subscribe(channel)
    env = dict(
        os.environ,
        RICEMILL_ENV="testing",
        TEST_DATABASE_URL=database_urls["test"],
        SOCKETIO_MESSAGE_QUEUE=REDIS_URL,
        SOCKETIO_CHANNEL=channel,
        STOCK_CHECK_INTERVAL_SECONDS="1",
        OUTBOX_RELAY_INTERVAL_SECONDS="1",
        PYTHONPATH=ROOT,
        FLASK_APP="ricemill:create_app",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "ricemill", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not seen:
            assert proc.poll() is None, proc.communicate()[0]
            message = pubsub.get_message(timeout=0.5)
            if message and message["type"] == "message":
                data = json.loads(message["data"])
                if data.get("event") == "stock:low-alert" and data.get("room") == f"mill:{mill_id}":
                    seen.append(data)
        assert seen, "the scheduler process emitted no stock:low-alert through the queue"
        assert seen[0]["data"][0]["stockType"] == "BRAN" and seen[0]["data"][0]["severity"] == "critical"
    finally:
        proc.terminate()
        output = proc.communicate(timeout=20)[0]
        pubsub.close()
    assert proc.returncode == 0, output
    assert "Scheduled low-stock" in output and "Scheduler stopped." in output
    with app.app_context():
        stored = db.session.scalars(
            sa.select(MillEvent.name).where(MillEvent.mill_id == mill_id, MillEvent.name == "stock:low-alert")
        ).all()
        db.session.remove()
    assert stored  # recorded, hence replayable


def _runs_per_slot(app, mill_id, interval, since: float):
    """[(slot, alerts recorded in it)] of the mill since a time: one low stock, so one alert per job run."""
    with app.app_context():
        epoch = sa.extract("epoch", MillEvent.created_at)
        slot = sa.func.floor(epoch / interval).label("slot")
        runs = db.session.execute(
            sa.select(slot, sa.func.count())
            .where(MillEvent.mill_id == mill_id, MillEvent.name == "stock:low-alert", epoch >= since)
            .group_by(slot)
        ).all()
        db.session.remove()
    return runs


@pytest.mark.committed
def test_two_scheduler_processes_run_each_job_run_once(app, database_urls):
    """Two `flask ricemill scheduler` processes, one low stock: every run of the low-stock job
    (one per interval slot) records exactly one alert, never one per process."""
    interval = 2
    with app.app_context():
        mill = make_mill()
        _set_min(mill, "HUSK", 100)
        db.session.commit()
        mill_id = str(mill.id)
        db.session.remove()
    env = dict(
        os.environ,
        RICEMILL_ENV="testing",
        TEST_DATABASE_URL=database_urls["test"],
        STOCK_CHECK_INTERVAL_SECONDS=str(interval),
        OUTBOX_RELAY_INTERVAL_SECONDS="60",
        PYTHONPATH=ROOT,
        FLASK_APP="ricemill:create_app",
    )
    env.pop("SOCKETIO_MESSAGE_QUEUE", None)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "ricemill", "scheduler"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [[] for _ in procs]
    readers = [
        threading.Thread(target=lambda p=p, o=o: o.extend(p.stdout), daemon=True)
        for p, o in zip(procs, outputs, strict=True)
    ]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 60  # process start-up is slow on a busy machine
        while time.monotonic() < deadline and not all(any("Scheduler running" in line for line in o) for o in outputs):
            assert all(proc.poll() is None for proc in procs), outputs
            time.sleep(0.2)
        both_up = time.time()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_runs_per_slot(app, mill_id, interval, since=both_up)) < 3:
            time.sleep(0.5)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
        for reader, proc in zip(readers, procs, strict=True):
            reader.join(5)
            proc.stdout.close()
    assert all(proc.returncode == 0 for proc in procs), ([proc.returncode for proc in procs], outputs)
    # Only slots that a later slot's run has closed count: a late second runner of a slot would have
    # fired (and been recorded) before the next slot's run.
    runs = sorted(_runs_per_slot(app, mill_id, interval, since=both_up))[:-1]
    assert len(runs) >= 2, outputs  # the job did run, in several slots
    assert all(count == 1 for _, count in runs), runs  # and once per slot, not once per process
