"""Start-up and shut-down of `python app.py` as a real process on the embedded PostgreSQL.

The embedded server must stop when the app exits, whether by Ctrl-C (SIGINT), SIGTERM (systemd,
docker, kill) or, after a SIGKILL left a stale handle behind, at the next app's exit. The start-up
says where to go on its last line and prints no warnings nobody can act on.
"""

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from tests.test_entrypoints import _free_port

ROOT = Path(__file__).resolve().parents[1]
_started: list = []


@pytest.fixture(autouse=True)
def _no_process_left():
    """Whatever happens in a test, none of its app processes outlives it."""
    yield
    while _started:
        proc = _started.pop()
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


@pytest.fixture(scope="module")
def data_dir():
    # not under pytest's tmp_path: as root, PostgreSQL runs as its own user, who must reach the dir
    base = Path(tempfile.mkdtemp(prefix="rm-pg-", dir="/tmp"))
    base.chmod(0o755)
    yield base / "pgdata"
    _stop_leftover(base / "pgdata")
    shutil.rmtree(base, ignore_errors=True)


def _postmaster_pid(data_dir: Path) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return None
    return int(pid_file.read_text().split()[0])


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _stop_leftover(data_dir: Path) -> None:
    pid = _postmaster_pid(data_dir)
    if _alive(pid):
        os.kill(pid, signal.SIGINT)  # PostgreSQL's "fast shutdown"


def _start(data_dir: Path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XDG_RUNTIME_DIR")}
    env.update(
        RICEMILL_ENV="development",
        EMBEDDED_DB_DIR=str(data_dir),
        HOST="127.0.0.1",
        PORT=str(port),
        RUN_SCHEDULER="true",
        OUTBOX_RELAY_INTERVAL_SECONDS="1",
        PYTHONUNBUFFERED="1",
    )
    proc = subprocess.Popen(
        [sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    _started.append(proc)
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc, port
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"app did not start:\n{proc.communicate()[0][-4000:]}")
        time.sleep(0.05)


def _stop(proc, sig) -> str:
    proc.send_signal(sig)
    output = proc.communicate(timeout=30)[0]
    return output


def _wait_stopped(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


@pytest.mark.live
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_the_embedded_postgresql_stops_when_the_app_exits(data_dir, sig):
    proc, port = _start(data_dir)
    postgres = _postmaster_pid(data_dir)
    assert _alive(postgres)
    output = _stop(proc, sig)
    assert proc.returncode == 0, output
    assert _wait_stopped(postgres), f"PostgreSQL {postgres} still runs after the app exited:\n{output}"
    lines = [line for line in output.splitlines() if line.strip()]
    start_lines = lines[: next(i for i, line in enumerate(lines) if "is running on" in line) + 1]
    assert start_lines[-1].endswith(f"ricemill is running on http://127.0.0.1:{port} (Ctrl-C to stop)")
    assert "XDG_RUNTIME_DIR" not in output
    assert "Warning" not in "\n".join(start_lines), start_lines


@pytest.mark.live
def test_a_killed_app_does_not_keep_postgresql_running_forever(data_dir):
    proc, _ = _start(data_dir)
    postgres = _postmaster_pid(data_dir)
    proc.kill()  # SIGKILL: no clean-up at all, its handle stays behind
    proc.communicate(timeout=30)
    assert _alive(postgres)
    proc, _ = _start(data_dir)  # joins the running server, forgets the dead handle
    assert _postmaster_pid(data_dir) == postgres
    _stop(proc, signal.SIGTERM)
    assert _wait_stopped(postgres), "the next app's exit should have stopped PostgreSQL"


def test_apscheduler_does_not_log_every_job_run(app):
    for name in ("apscheduler.executors.default", "apscheduler.scheduler"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("ricemill").getEffectiveLevel() <= logging.INFO or app.config["LOG_LEVEL"] != "INFO"


def test_production_refuses_to_start_without_the_browser_assets(tmp_path, caplog):
    from flask import Flask

    from ricemill.web import check_vendor_assets, missing_vendor_files

    assert missing_vendor_files() == [], "npm ci has not been run in this checkout"
    production, development = Flask("p"), Flask("d")
    production.config["ENV_NAME"], development.config["ENV_NAME"] = "production", "development"
    with pytest.raises(RuntimeError, match="refuses to start in production.*npm ci"):
        check_vendor_assets(production, node_modules=str(tmp_path))
    with caplog.at_level(logging.WARNING, logger="ricemill.web"):
        check_vendor_assets(development, node_modules=str(tmp_path))
    assert "socket.io.min.js" in caplog.text and "npm ci" in caplog.text
    check_vendor_assets(production)  # installed: starts quietly


def test_favicon_is_ours(client):
    response = client.get("/favicon.ico")
    body = response.get_data()
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml" and body.startswith(b"<svg")
