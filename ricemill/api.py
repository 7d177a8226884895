"""The REST API: one flask-smorest `Api` (schemas + OpenAPI at /api/v1/openapi.json) and its blueprints."""

from flask_smorest import Api

from .common.errors import handle_http_exception


class RicemillApi(Api):
    """flask-smorest's Api with the seed's envelope for every error."""

    def handle_http_exception(self, error):
        return handle_http_exception(error)


def blueprints():
    from .auth.api import blp as auth
    from .mills.api import blp as mills

    found = [auth, mills]
    # Domain blueprints register themselves here as they are added (see ricemill/*/api.py).
    for module_name in DOMAIN_BLUEPRINT_MODULES:
        module = __import__(f"ricemill.{module_name}.api", fromlist=["blp"])
        found.append(module.blp)
    return found


# Each domain package with an `api.py` exposing `blp`.
DOMAIN_BLUEPRINT_MODULES: list[str] = []


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
