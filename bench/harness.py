"""What every benchmark shares: its own database, bulk test data, statistics, the machine's
description, the bench server process, and recording the result in bench/RESULTS.md."""

import contextlib
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
HOST = "127.0.0.1"  # benchmarks never talk to anything else
# Shared by the bench process (which mints tokens) and the bench server (which checks them).
JWT_SECRET = "bench-only-jwt-secret-" + uuid.uuid4().hex
PASSWORD_HASH_PLACEHOLDER = "bench-user-cannot-log-in"


# --- database -------------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
    if not url:
        raise SystemExit(
            "Set BENCH_DATABASE_URL or TEST_DATABASE_URL to a PostgreSQL server (a database is created there)."
        )
    from ricemill.database import with_psycopg2_driver

    url = make_url(with_psycopg2_driver(url))
    if url.host not in (None, "127.0.0.1", "localhost", "::1"):
        raise SystemExit("Benchmarks only run against a PostgreSQL server on this machine.")
    return url.render_as_string(hide_password=False)


@contextlib.contextmanager
def bench_database(name: str, *, migrate: bool = True):
    """A fresh database migrated to head, dropped afterwards. Yields its URL."""
    admin = make_url(server_url())
    db_name = f"ricemill_bench_{name}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{db_name}"'))
    url = admin.set(database=db_name).render_as_string(hide_password=False)
    try:
        if migrate:
            app = make_app(url)
            from flask_migrate import upgrade

            from ricemill.extensions import db

            with app.app_context():
                upgrade(revision="head")
                db.engine.dispose()
        yield url
    finally:
        from ricemill.realtime.outbox.marking import flush_all

        flush_all()  # background dispatch marking must finish before the database goes
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        engine.dispose()


def make_app(url: str):
    """The product's app on the bench database, in this (unpatched) process."""
    from ricemill import create_app

    return create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": url, "JWT_SECRET_KEY": JWT_SECRET, "LOG_LEVEL": "WARNING"},
    )


def insert_mills(conn, count: int, *, prefix: str = "BM") -> list[str]:
    """`count` mills with their five stock rows, in two INSERT ... SELECT statements."""
    rows = conn.execute(
        sa.text(
            """
            INSERT INTO mills (id, name, code, settings, is_active)
            SELECT gen_random_uuid(), 'Bench mill ' || g, :prefix || g,
                   '{"standardMoisturePercent": 17, "timezone": "Asia/Kolkata"}'::jsonb, true
            FROM generate_series(1, :n) AS g
            RETURNING id
            """
        ),
        {"n": count, "prefix": prefix},
    ).scalars()
    ids = [str(i) for i in rows]
    conn.execute(
        sa.text(
            """
            INSERT INTO stocks (id, mill_id, stock_type, quantity, min_stock_level)
            SELECT gen_random_uuid(), m.id, t.stock_type, 0, 0
            FROM mills m CROSS JOIN (VALUES ('PADDY'), ('RICE'), ('BROKEN_RICE'), ('BRAN'), ('HUSK'))
                 AS t(stock_type)
            WHERE m.code LIKE :prefix || '%'
            """
        ),
        {"prefix": prefix},
    )
    return ids


def insert_users(conn, mill_ids: list[str], *, role: str = "MILL_ADMIN") -> dict[str, dict]:
    """One active user per mill (no usable password: benchmarks mint tokens). mill_id -> user."""
    out = {}
    for mill_id in mill_ids:
        user_id = str(uuid.uuid4())
        out[mill_id] = {"id": user_id, "role": role, "mill_id": mill_id, "name": f"Bench {user_id[:6]}"}
    conn.execute(
        sa.text(
            "INSERT INTO users (id, email, name, role, mill_id, is_active, password_hash) "
            "VALUES (:id, :email, :name, :role, :mill_id, true, :hash)"
        ),
        [{**u, "email": f"{u['id']}@bench.invalid", "hash": PASSWORD_HASH_PLACEHOLDER} for u in out.values()],
    )
    return out


def tokens_for(url: str, users: list[dict], *, seconds: int = 3600) -> dict[str, str]:
    """Access tokens exactly as the product issues them (same claims), valid for `seconds`."""
    from datetime import timedelta

    from flask_jwt_extended import create_access_token

    app = make_app(url)
    with app.app_context():
        return {
            u["id"]: create_access_token(
                identity=u["id"],
                additional_claims={"role": u["role"], "millId": u["mill_id"]},
                expires_delta=timedelta(seconds=seconds),
            )
            for u in users
        }


class StatementCounter:
    """Counts (and keeps) the SQL statements an engine executes while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _on_execute(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._on_execute)


# --- statistics and the machine -------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-pct * len(ordered) // 100))))
    return ordered[rank - 1]


def summarize_ms(samples_s: list[float]) -> dict:
    """Latency samples in seconds -> milliseconds summary."""
    ms = [s * 1000 for s in samples_s]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3) if ms else None,
        "p90_ms": round(percentile(ms, 90), 3) if ms else None,
        "p99_ms": round(percentile(ms, 99), 3) if ms else None,
        "min_ms": round(min(ms), 3) if ms else None,
        "max_ms": round(max(ms), 3) if ms else None,
    }


class LoadSampler:
    """The 1-minute load average, sampled while a benchmark runs (others share this machine)."""

    def __init__(self, interval: float = 1.0):
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.samples.append(os.getloadavg()[0])
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        s = self.samples or [os.getloadavg()[0]]
        return {
            "start": round(s[0], 2),
            "max": round(max(s), 2),
            "mean": round(sum(s) / len(s), 2),
            "end": round(s[-1], 2),
        }


def machine(db_url: str | None = None) -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(["free", "-h"], capture_output=True, text=True, timeout=5).stdout
        mem_line = next((ln for ln in out.splitlines() if ln.startswith("Mem:")), "")
        mem = mem_line.split()[1] if mem_line else "unknown"
    info = {
        "nproc": os.cpu_count(),
        "memory_total": mem,
        "cpu": cpu,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    if db_url:
        engine = sa.create_engine(db_url)
        with engine.connect() as conn:
            info["postgresql"] = conn.scalar(sa.text("SHOW server_version"))
        engine.dispose()
    return info


# --- results --------------------------------------------------------------------------------


def record(name: str, title: str, result: dict, notes: list[str], path: Path | None = None) -> None:
    """Replace (or add) the section of `name` in RESULTS.md: notes, then the full JSON."""
    path = Path(path) if path else RESULTS
    begin, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    body = "\n".join(
        [
            begin,
            f"## {title}",
            "",
            f"Run {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')} with `python -m bench.{name.split(':')[0]} "
            + " ".join(result.get("argv", []))
            + "`.",
            "",
            *[f"- {n}" for n in notes],
            "",
            "<details><summary>Full result (JSON)</summary>",
            "",
            "```json",
            json.dumps(result, indent=2, default=str),
            "```",
            "</details>",
            end,
        ]
    )
    text = (
        path.read_text()
        if path.exists()
        else "# Benchmark results\n\nWritten by the scripts in bench/ (see bench/README.md).\n"
    )
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _m: body, text) if pattern.search(text) else text.rstrip() + "\n\n" + body + "\n"
    path.write_text(text)


def finish(name: str, title: str, result: dict, notes: list[str], args) -> dict:
    """Print the JSON result and, unless --no-record, record it."""
    result["argv"] = sys.argv[1:]
    print(json.dumps(result, indent=2, default=str))
    label = getattr(args, "label", None)
    if label:  # a second section for the same benchmark at another size
        name, title = f"{name}:{label}", f"{title} ({label})"
    if not getattr(args, "no_record", False):
        record(name, title, result, notes, getattr(args, "results", None))
    return result


def add_common_args(parser) -> None:
    parser.add_argument("--no-record", action="store_true", help="print only; leave RESULTS.md alone")
    parser.add_argument("--results", default=None, help="results file (default bench/RESULTS.md)")
    parser.add_argument("--label", default=None, help="record as a separate section, e.g. 'at 10 writes/s'")


# --- the bench server -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class BenchServer:
    """`python -m bench.server` (the product app on eventlet, plus bench-only routes) in a subprocess."""

    def __init__(self, db_url: str, *, extra_env: dict | None = None, max_size: int | None = None):
        self.db_url = db_url
        self.max_size = max_size  # None: eventlet's default (1024 concurrent connections), as app.py
        self.port = free_port()
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self):
        import tempfile

        env = dict(os.environ, BENCH_DB_URL=self.db_url, BENCH_JWT_SECRET=JWT_SECRET, **self.extra_env)
        self.log = tempfile.NamedTemporaryFile(prefix="bench-server-", suffix=".log", delete=False)
        self.log_path = self.log.name
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bench.server", "--port", str(self.port)]
            + (["--max-size", str(self.max_size)] if self.max_size else []),
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bench server exited: {self.log_tail()}")
            try:
                self.stats()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"bench server did not start: {self.log_tail()}")

    def log_tail(self, n: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return Path(self.log_path).read_text()[-n:]
        return ""

    def get(self, path: str, timeout: float = 30) -> dict:
        import urllib.request

        # self.base is always http://127.0.0.1:<port>
        with urllib.request.urlopen(self.base + path, timeout=timeout) as resp:  # noqa: S310
            return json.loads(resp.read())

    def stats(self, *, greenlets: bool = False) -> dict:
        return self.get("/bench/stats" + ("?greenlets=1" if greenlets else ""))

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        keep = os.environ.get("BENCH_KEEP_SERVER_LOG")  # a path: keep the server's log there
        if keep:
            os.replace(self.log_path, keep)
        with contextlib.suppress(OSError):
            os.unlink(self.log_path)
