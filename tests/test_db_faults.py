"""PostgreSQL drops every connection of a running server: requests fail cleanly, the server recovers."""

import subprocess
import sys

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from ricemill.auth.roles import Role
from ricemill.extensions import db
from tests.factories import PASSWORD, make_mill, make_user
from tests.test_entrypoints import ROOT, _env, _free_port, _wait_for


def _allow_connections(admin_url: str, database: str, allow: bool) -> None:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{database}" WITH ALLOW_CONNECTIONS {"true" if allow else "false"}'))
    finally:
        engine.dispose()


def _terminate_backends(admin_url: str, database: str) -> int:
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return len(conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"),
                {"name": database},
            ).all())  # fmt: skip
    finally:
        engine.dispose()


@pytest.mark.committed
@pytest.mark.live
def test_dropped_database_connections_give_503_or_success_and_the_server_recovers(app, database_urls, tmp_path):
    with app.app_context():
        mill = make_mill()
        make_user(Role.MANAGER, mill, email="fault@example.test")
        mill_id = str(mill.id)
        db.session.remove()
    port = _free_port()
    # The server logs to a file: a pipe nobody reads fills up with the outage's errors and stalls it.
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "app.py"],
        cwd=ROOT,
        env=_env(database_urls["test"], port),
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/healthz", proc)
        with requests.Session() as http:
            login = http.post(
                f"{base}/api/v1/auth/login", json={"email": "fault@example.test", "password": PASSWORD}, timeout=10
            )
            headers = {"Authorization": f"Bearer {login.json()['data']['accessToken']}"}
            url = f"{base}/api/v1/mills/{mill_id}/stock"
            # warm the pool: several pooled connections that will all be cut
            assert all(http.get(url, headers=headers, timeout=10).status_code == 200 for _ in range(5))
            killed = _terminate_backends(database_urls["admin"], make_url(database_urls["test"]).database)
            assert killed >= 1
            statuses = []
            for _ in range(10):
                response = http.get(url, headers=headers, timeout=10)
                statuses.append(response.status_code)
                body = response.json()
                if response.status_code == 503:
                    assert body["success"] is False and body["statusCode"] == 503
            assert set(statuses) <= {200, 503}, statuses  # never a 500, never a hang
            assert statuses[-3:] == [200, 200, 200], statuses  # recovered without a restart
            # The database down for a while: every request is a clean 503 envelope, then it recovers.
            name = make_url(database_urls["test"]).database
            _allow_connections(database_urls["admin"], name, False)
            try:
                _terminate_backends(database_urls["admin"], name)
                down = [http.get(url, headers=headers, timeout=10) for _ in range(3)]
                assert [r.status_code for r in down] == [503, 503, 503], [r.text for r in down]
                assert all(r.json()["message"].startswith("Service temporarily unavailable") for r in down)
            finally:
                _allow_connections(database_urls["admin"], name, True)
            assert http.get(url, headers=headers, timeout=10).status_code == 200
            write = http.post(
                f"{base}/api/v1/mills/{mill_id}/stock/adjustments",
                headers=headers,
                timeout=10,
                json={"stockType": "RICE", "change": 5, "reason": "after the outage"},
            )
            assert write.status_code == 201, write.text
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        log.close()
