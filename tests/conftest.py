import os

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


@pytest.fixture(autouse=True)
def _db_transaction(request, app):
    """Each test runs in a transaction that is rolled back; the app's commits become savepoints.

    Tests marked `committed` commit for real (concurrency, live servers); every table is truncated after.
    """
    if request.node.get_closest_marker("committed"):
        yield
        truncate_all(app)
        return
    ctx = app.app_context()
    ctx.push()
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = scoped_session(sessionmaker(bind=connection, join_transaction_mode="create_savepoint"))
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        outer.rollback()
        connection.close()
        ctx.pop()


def truncate_all(app) -> None:
    with app.app_context():
        tables = [t.name for t in db.metadata.sorted_tables]
        with db.engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def mill():
    return make_mill("Mill A")


@pytest.fixture
def other_mill():
    return make_mill("Mill B")


@pytest.fixture
def users(mill):
    """One user per role in `mill`, plus a SUPER_ADMIN."""
    return {role: make_user(role, mill) for role in Role}


@pytest.fixture
def headers(users):
    return {role: auth_header(user) for role, user in users.items()}


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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`--dist loadgroup`), the browser tests run together on one worker: they
    share one Chromium and one server process (session fixtures), which a second worker would start
    again."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))
