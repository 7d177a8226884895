import pytest
import sqlalchemy as sa

from ricemill.auth.models import User
from ricemill.extensions import db
from ricemill.mills.models import Mill


def test_create_superadmin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "ricemill",
            "create-superadmin",
            "--email",
            "root@example.test",
            "--name",
            "Root",
            "--password",
            "a long password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.test"))
    assert user.role == "SUPER_ADMIN" and user.mill_id is None
    again = runner.invoke(
        args=[
            "ricemill",
            "create-superadmin",
            "--email",
            "root@example.test",
            "--name",
            "Root",
            "--password",
            "a long password",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_create_superadmin_prompts_for_what_is_missing(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["ricemill", "create-superadmin", "--email", "ask@example.test"],
        input="Asked Name\nsecret password\nsecret password\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(User.name).where(User.email == "ask@example.test")) == "Asked Name"


def test_create_superadmin_refuses_short_password(app):
    result = app.test_cli_runner().invoke(
        args=["ricemill", "create-superadmin", "--email", "s@example.test", "--name", "S", "--password", "short"]
    )
    assert result.exit_code != 0


@pytest.mark.slow
def test_seed_demo_is_idempotent_and_prints_logins(app, client):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["ricemill", "seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Mill)),
    )
    assert counts == (7, 2)
    second = runner.invoke(args=["ricemill", "seed-demo"])
    assert second.exit_code == 0
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Mill)),
    ) == counts
    assert "owner@lakshmi.local" in first.output and "admin@ricemill.local" in first.output
    login = client.post("/api/v1/auth/login", json={"email": "owner@lakshmi.local", "password": "ricemill-demo-1"})
    assert login.status_code == 200


@pytest.mark.committed
def test_seed_demo_as_a_process_leaves_nothing_undispatched(app, database_urls):
    """The command's process exits right after its commit: background marking must finish first."""
    import os
    import subprocess
    import sys

    from ricemill.notifications.models import Notification
    from ricemill.realtime.outbox.models import MillEvent

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(
        os.environ,
        DATABASE_URL=database_urls["test"],
        FLASK_APP="ricemill:create_app",
        RICEMILL_ENV="development",
        RUN_SCHEDULER="false",
    )
    result = subprocess.run(
        [sys.executable, "-m", "flask", "ricemill", "seed-demo"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Marking" not in result.stderr
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MillEvent)) > 0
        for model in (MillEvent, Notification):
            undispatched = db.session.scalar(
                sa.select(sa.func.count()).select_from(model).where(model.dispatched_at.is_(None))
            )
            assert undispatched == 0, model.__tablename__
        db.session.remove()
