"""The REST API: one flask-smorest `Api` (schemas + OpenAPI at /api/v1/openapi.json) and its blueprints."""

from flask_smorest import Api

from .common.errors import handle_http_exception
from .common.writes import install_write_path


class RicemillApi(Api):
    """flask-smorest's Api with the seed's envelope for every error."""

    def handle_http_exception(self, error):
        return handle_http_exception(error)


def blueprints():
    """`blp` of every `ricemill/<domain>/api.py`, auth and mills first."""
    import importlib
    import importlib.util
    import pkgutil
    from pathlib import Path

    here = [str(Path(__file__).parent)]
    names = ["auth", "mills"] + sorted(
        m.name for m in pkgutil.iter_modules(here) if m.ispkg and m.name not in ("auth", "mills")
    )
    found = []
    for name in names:
        if importlib.util.find_spec(f"ricemill.{name}.api") is not None:
            found.append(importlib.import_module(f"ricemill.{name}.api").blp)
    return found


def register_blueprints(app) -> None:
    api = RicemillApi(
        app,
        spec_kwargs={
            "components": {
                "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}
            },
            "security": [{"bearerAuth": []}],
        },
    )
    for blp in blueprints():
        api.register_blueprint(blp)
    app.extensions["ricemill_api"] = api
    install_write_path(app)  # the write routes: Idempotency-Key, answer built before the one commit
