"""`flask ricemill ...` commands."""

import click
from flask.cli import AppGroup

ricemill_cli = AppGroup("ricemill", help="ricemill administration.")


@ricemill_cli.command("create-superadmin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_superadmin(email: str, name: str, password: str) -> None:
    """Create a platform SUPER_ADMIN."""
    from .auth import service
    from .auth.roles import Role
    from .common.errors import DomainError
    from .extensions import db

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
    from .demo import seed_demo

    logins = seed_demo()
    click.echo("Demo logins (password for all: see below)")
    for login in logins:
        click.echo(f"  {login['role']:<12} {login['email']:<28} {login['password']}  {login['mill'] or ''}")
