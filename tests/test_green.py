import os
import subprocess
import sys
import threading
import time

import pytest
import requests

from ricemill.extensions import db

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


def _race(base):
    results = {}

    def call(name):
        started = time.monotonic()
        try:
            response = requests.post(f"{base}/{name}", timeout=10)
            results[name] = (response.status_code, time.monotonic() - started)
        except requests.RequestException as error:
            results[name] = (repr(error), time.monotonic() - started)

    hold = threading.Thread(target=call, args=("hold",))
    hold.start()
    time.sleep(0.15)  # /hold has the lock
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
        results = _race(base)
    finally:
        _stop(proc)
    assert results["hold"][0] == 200, results
    assert results["wait"][0] == 200, results
    assert results["wait"][1] >= 0.25  # it really waited for the lock


@pytest.mark.committed
def test_without_psycogreen_the_same_race_stalls(app, database_urls):
    """The control: psycopg2 left blocking, the waiting request freezes the process (lock_timeout)."""
    with app.app_context():
        from ricemill.mills import service

        service.create_mill(data={"name": "Green", "code": "GREEN"})
        db.session.commit()
    proc, base = _start(database_urls["test"], green=False)
    try:
        results = _race(base)
    finally:
        _stop(proc)
    assert results["hold"][0] != 200 or results["wait"][0] != 200, results
