import subprocess
import sys

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from ricemill import create_app
from ricemill.extensions import db


def test_factory_builds_testing_app(app):
    assert app.testing
    assert app.config["ENV_NAME"] == "testing"
    assert "socketio" in app.extensions


def test_default_config_is_not_testing(database_urls, another_app):
    app = another_app("development", {"SQLALCHEMY_DATABASE_URI": database_urls["test"]})
    assert not app.testing
    assert app.config["DEBUG"]


@pytest.mark.parametrize(
    ("missing", "env_name"),
    [("SECRET_KEY", "SECRET_KEY"), ("JWT_SECRET_KEY", "JWT_SECRET_KEY"), ("SQLALCHEMY_DATABASE_URI", "DATABASE_URL")],
)
def test_production_refuses_to_start_without_secrets(missing, env_name):
    settings = {"SECRET_KEY": "s" * 32, "JWT_SECRET_KEY": "j" * 32, "SQLALCHEMY_DATABASE_URI": "postgresql://x/y"}
    settings[missing] = None
    with pytest.raises(RuntimeError, match=f"refuses to start in production: set {env_name}"):
        create_app("production", settings)


def test_production_message_from_a_real_process():
    env = {"RICEMILL_ENV": "production", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", "from ricemill import create_app; create_app()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "set SECRET_KEY, JWT_SECRET_KEY, DATABASE_URL" in result.stderr


def test_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="Unknown RICEMILL_ENV"):
        create_app("staging")


def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_openapi_document_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["info"]["title"] == "ricemill API"
    assert "/api/v1/auth/login" in spec["paths"]
    assert "/api/v1/mills/{mill_id}/users" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


@pytest.mark.committed
def test_migrations_downgrade_to_base_and_upgrade_again(app):
    from ricemill.extensions import db

    with app.app_context():
        downgrade(revision="base")
        tables = sa.inspect(db.engine).get_table_names()
        assert set(tables) <= {"alembic_version"}
        upgrade(revision="head")
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "mills", "mill_events", "stock_ledger", "paddy_purchases"} <= tables


def test_swagger_ui_assets_come_from_npm(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/vendor/swagger-ui-dist/swagger-ui-bundle.js" in page.data
    asset = client.get("/vendor/swagger-ui-dist/swagger-ui-bundle.js")
    assert asset.status_code == 200
    asset.close()
    assert client.get("/vendor/not-a-package/x.js").status_code == 404
    assert client.get("/vendor/swagger-ui-dist/../../package.json").status_code == 404


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u:p@db:5432/mill", "postgresql+psycopg2://u:p@db:5432/mill"),
        ("postgres://u:p@db/mill", "postgresql+psycopg2://u:p@db/mill"),
        ("postgresql+psycopg2://u@db/mill", "postgresql+psycopg2://u@db/mill"),
    ],
)
def test_database_url_spellings_use_psycopg2(given, used):
    from ricemill.database import resolve_database_uri

    assert resolve_database_uri(given, "/nonexistent") == used


def test_app_starts_with_a_plain_postgresql_url(database_urls, another_app):
    """DATABASE_URL as the README writes it (postgresql://...) must work, not ask for psycopg 3."""
    plain = database_urls["test"].replace("postgresql+psycopg2://", "postgresql://", 1)
    app = another_app("development", {"SQLALCHEMY_DATABASE_URI": plain})
    with app.app_context():
        assert db.session.execute(sa.text("SELECT 1")).scalar_one() == 1
        db.session.remove()
        db.engine.dispose()
