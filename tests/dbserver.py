"""Where the test database lives: TEST_DATABASE_URL (a server) or the embedded PostgreSQL.

Each run gets its own database (created here, dropped at the end), so parallel runs never collide;
under pytest-xdist each worker is a run of its own (its name is in the database's).
With CI=true an unreachable server is a failure, never a skip.
"""

import os
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def server_url() -> str:
    from ricemill.database import embedded_postgres_uri, with_psycopg2_driver

    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return with_psycopg2_driver(url)

    data_dir = os.environ.get("EMBEDDED_DB_DIR") or os.path.join(
        os.path.dirname(__file__), "..", "instance", "test-pgdata"
    )
    return embedded_postgres_uri(data_dir, database="postgres")


def create_test_database() -> tuple[str, str]:
    """Returns (admin_url, test_url) for a fresh, empty database."""
    admin_url = make_url(server_url())
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")  # gw0, gw1, ... under pytest-xdist
    name = f"ricemill_test_{worker}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
            # A commit waits for its WAL flush (2-4 ms here) only for durability across a crash of the
            # server, which no test of this database causes (the fault tests crash private servers);
            # every commit is still visible to the other connections at once.
            conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    finally:
        engine.dispose()
    return admin_url.render_as_string(hide_password=False), admin_url.set(database=name).render_as_string(
        hide_password=False
    )


def drop_test_database(admin_url: str, test_url: str) -> None:
    name = make_url(test_url).database
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
