"""The two entry points as real processes: `python app.py` and gunicorn's eventlet worker."""

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, make_mill, make_user

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, proc, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            output = proc.communicate()[0] if proc.stdout else "(see the server log)"
            raise AssertionError(f"server exited early: {output}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            time.sleep(0.1)
    raise AssertionError(f"{url} did not come up")


def _env(database_url: str, port: int) -> dict:
    return dict(
        os.environ,
        DATABASE_URL=database_url,
        HOST="127.0.0.1",
        PORT=str(port),
        RICEMILL_ENV="development",
        RUN_SCHEDULER="false",
        PYTHONPATH=ROOT,
    )


@pytest.fixture
def login_user(app):
    with app.app_context():
        mill = make_mill()
        user = make_user(Role.MANAGER, mill, email="entry@example.test")
        db.session.commit()
        return user.email


def _login(base: str, email: str) -> requests.Response:
    return requests.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=10)


@pytest.mark.committed
@pytest.mark.live
def test_python_app_py_serves_and_logs_like_the_seed(database_urls, login_user):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=_env(database_urls["test"], port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz", proc)
        response = _login(base, login_user)
        assert response.status_code == 200
        token = response.json()["data"]["accessToken"]
        assert (
            requests.get(f"{base}/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=5).status_code
            == 200
        )
    finally:
        proc.terminate()
        output = proc.communicate(timeout=15)[0]
    assert f"Server running on port {port}" in output
    assert "Socket.io server ready" in output
    assert "Environment: development" in output
    assert PASSWORD not in output and token not in output


@pytest.mark.committed
@pytest.mark.live
def test_gunicorn_eventlet_worker_serves_wsgi_app(database_urls, login_user):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "eventlet", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=_env(database_urls["test"], port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/healthz", proc)
        assert _login(base, login_user).status_code == 200
        polling = requests.get(f"{base}/socket.io/?EIO=4&transport=polling", timeout=5)
        assert polling.status_code in (200, 400, 401)  # Socket.IO is mounted on the same worker
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
