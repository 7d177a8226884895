import os
import subprocess
import sys
import threading

import pytest
import requests
import sqlalchemy as sa

from ricemill.extensions import db
from tests.waiting import wait_until

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _start(database_url, green: bool):
    env = dict(os.environ, GREEN_DB_URL=database_url, GREEN_PSYCOPG="1" if green else "0", PYTHONPATH=ROOT)
    proc = subprocess.Popen(
        [sys.executable, "tests/green_server.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    port = int(proc.stdout.readline().strip())
    return proc, f"http://127.0.0.1:{port}"


def _stop(proc):
    proc.terminate()
    proc.communicate(timeout=10)


ROW_LOCKED = sa.text(
    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
    "WHERE c.relname = 'mills' AND l.mode = 'RowShareLock' AND l.granted "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


def _row_locked(app) -> bool:
    with app.app_context(), db.engine.connect() as conn:
        return conn.execute(ROW_LOCKED).scalar() > 0


def _race(app, base):
    results = {}

    def call(name):
        try:
            response = requests.post(f"{base}/{name}", timeout=10)
            results[name] = (response.status_code, response.json() if response.status_code == 200 else None)
        except requests.RequestException as error:
            results[name] = (repr(error), None)

    hold = threading.Thread(target=call, args=("hold",))
    hold.start()
    wait_until(lambda: _row_locked(app) or "hold" in results, message="/hold to take the row lock")
    wait = threading.Thread(target=call, args=("wait",))
    wait.start()
    hold.join()
    wait.join()
    return results


@pytest.mark.committed
def test_psycopg2_is_green_under_eventlet(app, database_urls):
    """Two requests in one eventlet process, one waiting on a row lock the other holds: both finish."""
    with app.app_context():
        from ricemill.mills import service

        service.create_mill(data={"name": "Green", "code": "GREEN"})
        db.session.commit()
    proc, base = _start(database_urls["test"], green=True)
    try:
        results = _race(app, base)
    finally:
        _stop(proc)
    assert results["hold"][0] == 200, results
    assert results["wait"][0] == 200, results
    assert results["hold"][1]["sawWaiter"], results  # /wait really waited for the lock, and did not stall


@pytest.mark.committed
def test_without_psycogreen_the_same_race_stalls(app, database_urls):
    """The control: psycopg2 left blocking, the waiting request freezes the process (lock_timeout)."""
    with app.app_context():
        from ricemill.mills import service

        service.create_mill(data={"name": "Green", "code": "GREEN"})
        db.session.commit()
    proc, base = _start(database_urls["test"], green=False)
    try:
        results = _race(app, base)
    finally:
        _stop(proc)
    assert results["hold"][0] != 200 or results["wait"][0] != 200, results
