"""ricemill: a multi-tenant platform for rice mills, live over Socket.IO."""

import logging
import os

from flask import Flask

from config import get_config

log = logging.getLogger(__name__)


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """The app factory: a short list of register_* steps."""
    app = Flask(__name__, instance_relative_config=True)
    config_class = get_config(config_name)
    app.config.from_object(config_class)
    if overrides:
        app.config.update(overrides)
    config_class.validate(app.config)
    os.makedirs(app.instance_path, exist_ok=True)

    register_logging(app)
    register_database(app)
    register_extensions(app)
    register_api(app)
    register_realtime(app)
    register_web(app)
    register_commands(app)
    register_proxy_fix(app)  # last: outside Socket.IO's middleware, so sockets see the real host too
    return app


def register_logging(app: Flask) -> None:
    from .logging_setup import configure_logging

    configure_logging(app)


def register_database(app: Flask) -> None:
    from .database import resolve_database_uri

    app.config["SQLALCHEMY_DATABASE_URI"] = resolve_database_uri(
        app.config.get("SQLALCHEMY_DATABASE_URI"), app.instance_path
    )


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401 - every table on the metadata
    from .auth.jwt_callbacks import register_jwt_callbacks
    from .extensions import db, jwt, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"))
    jwt.init_app(app)
    register_jwt_callbacks()


def register_api(app: Flask) -> None:
    from .api import register_blueprints
    from .common.errors import register_error_handlers
    from .security import register_security

    register_error_handlers(app)
    register_security(app)
    register_blueprints(app)


def register_realtime(app: Flask) -> None:
    from .realtime.setup import init_realtime

    init_realtime(app)


def register_web(app: Flask) -> None:
    from .web import register_web_blueprint

    register_web_blueprint(app)


def register_proxy_fix(app: Flask) -> None:
    from .security import register_proxy_fix as install

    install(app)


def register_commands(app: Flask) -> None:
    from .cli import ricemill_cli

    app.cli.add_command(ricemill_cli)
