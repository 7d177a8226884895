"""How the authorisation matrix makes a real document of a given mill for each URL argument.

Every `<uuid:...>` argument of a mill route needs a factory here; the matrix fails when one is
missing, so a new route can never slip past it. Factories take (mill, admin_user) and return an id.
Domain test packages add theirs with `register("purchase_id", factory)`.
"""

from collections.abc import Callable

from ricemill.auth.roles import Role

from .factories import make_user

ID_FACTORIES: dict[str, Callable] = {}
# Path arguments that are not ids: a valid value for the matrix.
STATIC_ARGS: dict[str, str] = {}


def register(arg_name: str, factory: Callable) -> None:
    ID_FACTORIES[arg_name] = factory


def register_static(arg_name: str, value: str) -> None:
    STATIC_ARGS[arg_name] = value


register("user_id", lambda mill, admin: make_user(Role.OPERATOR, mill).id)


def load_domain_factories() -> None:
    """Import every tests/<domain>/factories_registry.py so their register() calls run."""
    import importlib
    import pkgutil

    import tests

    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                importlib.import_module(f"tests.{module.name}.authz")
            except ModuleNotFoundError as error:
                if error.name != f"tests.{module.name}.authz":
                    raise
