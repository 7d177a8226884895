import contextlib
import os
from collections.abc import Mapping

# The servers the tests start (python app.py, the bench and broadcast servers, the CLI) inherit this:
# eventlet's green DNS resolver costs 0.2 s of CPU per start, and every host they reach here is an
# address (127.0.0.1), never a name to resolve.
os.environ.setdefault("EVENTLET_NO_GREENDNS", "yes")

import psycopg2.errors
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import scoped_session, sessionmaker

from ricemill import create_app
from ricemill.auth.roles import Role
from ricemill.extensions import db

from . import dbserver
from .factories import auth_header, make_mill, make_user


@pytest.fixture(scope="session")
def database_urls():
    try:
        admin_url, test_url = dbserver.create_test_database()
    except Exception as error:  # with CI=true a missing database fails the run, never skips it
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"no PostgreSQL for tests: {error}")
    yield {"admin": admin_url, "test": test_url}
    dbserver.drop_test_database(admin_url, test_url)


@pytest.fixture(scope="session")
def app(database_urls):
    """The app on a fresh database whose schema is built by the migrations, once per run."""
    from flask_migrate import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_urls["test"]})
    with app.app_context():
        upgrade(revision="head")
    yield app
    from ricemill.realtime.outbox.marking import flush_all

    flush_all()  # background marking must finish before the database is dropped
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def another_app(app):
    """`create_app` for a test that needs an app of its own; after it, the process is the session app's again.

    `create_app` points process-wide state at the newest app: the one SocketIO's server (which
    `socketio.test_client` and every emit use), the outbox's dispatcher, the payload validation. Left
    so, a later test of this process would connect and dispatch through a discarded app.
    """
    from ricemill.extensions import socketio
    from ricemill.realtime import events
    from ricemill.realtime.outbox import dispatch

    saved = socketio.server, socketio.server_options, dispatch.installed_app(), events.validation_on()
    yield create_app
    socketio.server, socketio.server_options, dispatched_by, validating = saved
    dispatch.install(dispatched_by)
    events.set_validation(validating)


@pytest.fixture(autouse=True)
def _session_app_kept(app):
    """A test that made an app of its own without `another_app` fails here, not a later test elsewhere."""
    from ricemill.extensions import socketio

    server = socketio.server
    yield
    assert socketio.server is server, "the test left SocketIO on another app: make it with `another_app`"


@pytest.fixture(autouse=True)
def _db_transaction(request, app):
    """Each test runs in a transaction that is rolled back; the app's commits become savepoints.

    Tests marked `committed` commit for real (concurrency, live servers); every table is truncated after.
    """
    if request.node.get_closest_marker("committed"):
        yield
        truncate_all(app)
        return
    with app.app_context(), db.engine.connect() as connection, rolled_back(connection.begin(), connection):
        yield


@contextlib.contextmanager
def seeded_once(app, seed):
    """For a module-scoped fixture: `seed()` run once, on a connection of its own, in a transaction
    rolled back after the module. Yields (the connection, what `seed` returned); the module's
    `_db_transaction` then runs each test in a savepoint of it (`rolled_back(connection.begin_nested(),
    connection)`), so no test sees another's writes."""
    with app.app_context(), db.engine.connect() as connection, rolled_back(connection.begin(), connection):
        yield connection, seed()


@contextlib.contextmanager
def rolled_back(transaction, connection):
    """`db.session` on `connection` while the block runs, then `transaction` (the test's own, or a
    savepoint of a module's seeded data) rolled back."""
    try:
        with session_on(connection):
            yield
    finally:
        transaction.rollback()


@contextlib.contextmanager
def session_on(connection):
    """`db.session` bound to `connection`'s open transaction: the app's commits become savepoints."""
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield
    finally:
        db.session.remove()
        db.session = original


def truncate_all(app) -> None:
    """Every table emptied and the identity sequences restarted, as `TRUNCATE ... RESTART IDENTITY`
    would, by DELETE (children first): TRUNCATE replaces each table's files and drops their buffers,
    about 0.4 s for the whole schema, while deleting the few rows a test leaves takes milliseconds.

    The background marking of dispatched rows finishes first: ids restart, and a batch the test left
    queued would otherwise mark the next test's rows with the same ids."""
    from ricemill.realtime.outbox.marking import flush_all

    flush_all()
    with app.app_context():
        for attempt in range(5):
            try:
                with db.engine.begin() as conn:
                    conn.exec_driver_sql(_truncate_statement(app, conn))
                return
            except sa.exc.OperationalError as error:
                # LOCK TABLE takes the tables one by one: a server transaction holding one of them
                # while it waits for another is a deadlock, which PostgreSQL ends by cancelling one
                # side. Ours is retried once that transaction has finished.
                if not isinstance(error.orig, psycopg2.errors.DeadlockDetected) or attempt == 4:
                    raise


def _truncate_statement(app, conn) -> str:
    """The clean-up statement, built once per run (the tables' order and the sequences' names)."""
    statement = app.extensions.get("tests_truncate_all")
    if statement is None:
        sequences = conn.execute(
            sa.text(
                "SELECT format('%I.%I', schemaname, sequencename) FROM pg_sequences WHERE schemaname = current_schema()"
            )
        ).scalars()
        names = [f'"{t.name}"' for t in reversed(db.metadata.sorted_tables)]
        # every table locked first, as TRUNCATE does: a server still writing (the browser tests'
        # session server) is waited for instead of deadlocking with the deletes
        lock = f"LOCK TABLE {', '.join(names)} IN ACCESS EXCLUSIVE MODE"
        deletes = [f"DELETE FROM {name}" for name in names]
        statement = "; ".join([lock, *deletes] + [f"ALTER SEQUENCE {s} RESTART" for s in sequences])
        app.extensions["tests_truncate_all"] = statement
    return statement


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mill():
    return make_mill("Mill A")


@pytest.fixture
def other_mill():
    return make_mill("Mill B")


class _PerRole(Mapping):
    """{role: value} made on first use: most tests use one or two of the five roles, and a user costs a
    few statements and a password hash."""

    def __init__(self, make):
        self._make, self._made = make, {}

    def __getitem__(self, role):
        role = Role(role)
        if role not in self._made:
            self._made[role] = self._make(role)
        return self._made[role]

    def __iter__(self):
        return iter(Role)

    def __len__(self):
        return len(Role)


@pytest.fixture
def users(mill):
    """One user per role in `mill`, plus a SUPER_ADMIN (each made when first asked for)."""
    return _PerRole(lambda role: make_user(role, mill))


@pytest.fixture
def headers(users):
    return _PerRole(lambda role: auth_header(users[role]))


@pytest.fixture
def admin(users):
    return users[Role.MILL_ADMIN]


@pytest.fixture
def admin_headers(headers):
    return headers[Role.MILL_ADMIN]


@pytest.fixture
def operator(users):
    return users[Role.OPERATOR]


@pytest.fixture
def operator_headers(headers):
    return headers[Role.OPERATOR]


def _cost(item) -> int:
    """0 for the tests that drive Chromium, start server processes or are marked slow (seconds each), 1 for the other
    tests that commit for real, 2 for the rest (milliseconds each)."""
    if item.get_closest_marker("browser") or item.get_closest_marker("live") or item.get_closest_marker("slow"):
        return 0
    return 1 if item.get_closest_marker("committed") else 2


def pytest_collection_modifyitems(config, items):
    """The long tests first, each module's tests still together and in their order: pytest-xdist hands
    out tests in this order, so the short ones fill the workers' gaps at the end instead of one worker
    finishing a long test alone. Each worker that meets a browser test starts its own Chromium and
    server (session fixtures), a second or so of CPU."""
    items.sort(key=_cost)  # stable
