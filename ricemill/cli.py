"""`flask ricemill ...` commands."""

import click
from flask.cli import AppGroup

from .auth import service
from .auth.roles import Role
from .common.errors import DomainError
from .demo import seed_demo
from .extensions import db
from .inventory.low_stock import check_low_stock
from .realtime.outbox.marking import flush_all
from .scheduler import register_jobs, stopping

ricemill_cli = AppGroup("ricemill", help="ricemill administration.")


@ricemill_cli.result_callback()
def _finish_background_work(*_args, **_kwargs) -> None:
    """The process ends with the command: let events and notifications be marked dispatched first."""
    flush_all()


@ricemill_cli.command("create-superadmin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_superadmin(email: str, name: str, password: str) -> None:
    """Create a platform SUPER_ADMIN."""
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    try:
        user = service.create_user(email=email, name=name, password=password, role=Role.SUPER_ADMIN)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"Created SUPER_ADMIN {user.email} ({user.id})")


@ricemill_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Idempotent demo data: a super admin and two mills with their staff and a month of work."""
    logins = seed_demo()
    click.echo("Demo logins (password for all: see below)")
    for login in logins:
        click.echo(f"  {login['role']:<12} {login['email']:<28} {login['password']}  {login['mill'] or ''}")


@ricemill_cli.command("check-stock")
@click.option("--mill-id", type=click.UUID, default=None, help="Only this mill (default: every mill).")
def check_stock_command(mill_id) -> None:
    """Run the low-stock check once now: alerts and notifications for every low stock."""
    found = check_low_stock(mill_id)
    db.session.commit()
    if not found:
        click.echo("No low stock.")
        return
    click.echo(f"Low stock: {len(found)} in {len({item.mill_id for item in found})} mill(s)")
    for item in found:
        click.echo(
            f"  {item.mill_name:<24} {item.stock_type:<12} {item.quantity:>14} kg"
            f"  (minimum {item.min_level} kg)  {item.severity}"
        )


@ricemill_cli.command("scheduler")
def scheduler_command() -> None:
    """Run the periodic jobs in the foreground, as a process of their own.

    Emits through SOCKETIO_MESSAGE_QUEUE when set (so the server processes deliver); run the web
    processes with RUN_SCHEDULER=false then. Several of these may run: each job run happens once.
    """
    import signal

    from apscheduler.schedulers.background import BackgroundScheduler
    from flask import current_app

    app = current_app._get_current_object()
    if not app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        click.echo("Warning: SOCKETIO_MESSAGE_QUEUE is not set; this process cannot reach any socket.", err=True)
    runner = BackgroundScheduler(timezone="UTC")
    register_jobs(app, runner)
    stopping.clear()
    # SIGTERM/SIGINT end the loop below, and a run waiting out its quiet period with it.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    runner.start()
    for job in runner.get_jobs():
        click.echo(f"Scheduled {job.id}: next run {job.next_run_time.isoformat()}")
    click.echo("Scheduler running; Ctrl-C to stop.", err=False)
    try:
        while not stopping.wait(1):
            pass
    finally:
        stopping.set()
        runner.shutdown(wait=True)
        click.echo("Scheduler stopped.")
