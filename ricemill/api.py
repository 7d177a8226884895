"""The REST API: one flask-smorest `Api` (schemas + OpenAPI at /api/v1/openapi.json) and its blueprints."""

import re

from flask_smorest import Api

from .common.errors import handle_http_exception
from .common.writes import WRITE_METHODS, install_write_path


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
    document_idempotency_key(app, api)


IDEMPOTENCY_KEY_PARAMETER = {
    "description": (
        "1-128 visible ASCII characters, one per logical write. A retry with the same key and request "
        "answers the first answer (header `Idempotent-Replayed: true`) and writes nothing; the same key "
        "with another request is a 422. Kept 24 hours."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[\\x21-\\x7e]+$"},
    "required": False,
}


def document_idempotency_key(app, api: Api) -> None:
    """Every wrapped write operation of the OpenAPI document names the `Idempotency-Key` header.

    apispec has no public hook to add a parameter to operations already registered, so the paths it
    holds are amended in place once every blueprint is in.
    """
    api.spec.components.parameter("IdempotencyKey", "header", dict(IDEMPOTENCY_KEY_PARAMETER))
    ref = {"$ref": "#/components/parameters/IdempotencyKey"}
    wrapped = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if getattr(app.view_functions[rule.endpoint], "_ricemill_write", False)
        for method in rule.methods & WRITE_METHODS
    }
    for path, operations in api.spec._paths.items():
        for method, operation in operations.items():
            if (path, method) in wrapped:
                operation.setdefault("parameters", []).append(ref)
