"""Configuration classes, read from the environment.

`get_config(name)` picks a class by name (development, testing, production); `create_app` calls
`validate()` so that production refuses to start without its secrets.
"""

import os
from datetime import timedelta


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class BaseConfig:
    ENV_NAME = "base"
    DEBUG = False
    TESTING = False

    SECRET_KEY = os.environ.get("SECRET_KEY")
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY")
    HOST = os.environ.get("HOST", "127.0.0.1")
    PORT = _env_int("PORT", 5000)

    # None means: start the embedded PostgreSQL under instance/ (see ricemill/database.py).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20}
    EMBEDDED_DB_DIR = os.environ.get("EMBEDDED_DB_DIR")  # default: <instance>/pgdata

    # Tokens (flask-jwt-extended). HS256 with a secret from the environment.
    JWT_ALGORITHM = "HS256"
    JWT_ACCESS_TOKEN_EXPIRES = timedelta(seconds=_env_int("JWT_ACCESS_TOKEN_SECONDS", 15 * 60))
    JWT_REFRESH_TOKEN_EXPIRES = timedelta(seconds=_env_int("JWT_REFRESH_TOKEN_SECONDS", 14 * 24 * 3600))
    JWT_TOKEN_LOCATION = ["headers", "cookies"]
    JWT_COOKIE_SECURE = os.environ.get("JWT_COOKIE_SECURE", "false").lower() == "true"
    JWT_COOKIE_SAMESITE = "Lax"
    JWT_COOKIE_CSRF_PROTECT = True
    JWT_ACCESS_COOKIE_PATH = "/"
    JWT_REFRESH_COOKIE_PATH = "/web/refresh"

    # Passwords: Argon2id at the OWASP minimum or above (m >= 19 MiB, t >= 2).
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 2)
    ARGON2_MEMORY_COST_KIB = _env_int("ARGON2_MEMORY_COST_KIB", 19 * 1024)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 1)

    # Login throttling per account: after N failures, lock with doubling back-off.
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_BASE_SECONDS = _env_int("LOGIN_LOCK_BASE_SECONDS", 30)
    LOGIN_LOCK_MAX_SECONDS = _env_int("LOGIN_LOCK_MAX_SECONDS", 15 * 60)
    # ... and per client address (password spraying): N failures within the window lock the address.
    LOGIN_ADDRESS_MAX_FAILURES = _env_int("LOGIN_ADDRESS_MAX_FAILURES", 10)
    LOGIN_ADDRESS_WINDOW_SECONDS = _env_int("LOGIN_ADDRESS_WINDOW_SECONDS", 10 * 60)

    # Hostile input (ricemill/security.py): request body and JSON shape limits.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    JSON_MAX_DEPTH = _env_int("JSON_MAX_DEPTH", 64)
    JSON_MAX_VALUES = _env_int("JSON_MAX_VALUES", 5_000)
    JSON_MAX_NUMBER_LENGTH = _env_int("JSON_MAX_NUMBER_LENGTH", 100)
    # Validation errors in one answer: the first N, with `errorCount` saying how many there were.
    MAX_VALIDATION_ERRORS = 20
    # How many reverse proxies to trust for X-Forwarded-For/-Proto/-Host (werkzeug ProxyFix); 0 = off.
    PROXY_FIX_X_FOR = _env_int("PROXY_FIX_X_FOR", 0)
    PROXY_FIX_X_PROTO = _env_int("PROXY_FIX_X_PROTO", 0)
    PROXY_FIX_X_HOST = _env_int("PROXY_FIX_X_HOST", 0)

    # OpenAPI (flask-smorest)
    API_TITLE = "ricemill API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    OPENAPI_SWAGGER_UI_URL = "/vendor/swagger-ui-dist/"

    # Socket.IO
    CLIENT_URL = _env_list("CLIENT_URL")  # allowed cross-origin clients; empty = same origin only
    SOCKETIO_MESSAGE_QUEUE = os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None
    # Redis pub/sub channels ignore the database number: deployments sharing a Redis keep apart by channel.
    SOCKETIO_CHANNEL = os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio"
    SOCKETIO_PING_TIMEOUT = 60
    SOCKETIO_PING_INTERVAL = 25
    SOCKETIO_MAX_HTTP_BUFFER_SIZE = 64 * 1024
    # permessage-deflate on websockets: off, as Node's socket.io since v3. Compressing costs zlib
    # work per message per client (two thirds of a broadcast's CPU here) and forbids one frame for all.
    SOCKETIO_WEBSOCKET_COMPRESSION = os.environ.get("SOCKETIO_WEBSOCKET_COMPRESSION", "false").lower() == "true"
    # Concurrent connections one eventlet server accepts (eventlet's own default, 1024, stalls
    # even plain HTTP requests once that many sockets are open; see bench/RESULTS.md). A plain
    # websocket leaves that count once connected (the hub reads it; realtime/sockets/fastpath.py),
    # up to as many again; past those, websockets count here as every connection does.
    MAX_CONNECTIONS = _env_int("MAX_CONNECTIONS", 10_000)
    SOCKET_RATE_LIMIT_PER_SECOND = _env_int("SOCKET_RATE_LIMIT_PER_SECOND", 20)
    SOCKET_RATE_LIMIT_BURST = _env_int("SOCKET_RATE_LIMIT_BURST", 40)
    # Sockets one user may hold open in one server process; the next one is refused.
    SOCKET_MAX_PER_USER = _env_int("SOCKET_MAX_PER_USER", 20)
    # Check every event payload against its schema (always on in debug and testing; docs/realtime.md).
    VALIDATE_EVENTS = os.environ.get("VALIDATE_EVENTS", "false").lower() == "true"

    # Jobs
    STOCK_CHECK_INTERVAL_SECONDS = _env_int("STOCK_CHECK_INTERVAL_SECONDS", 3600)
    DASHBOARD_PUSH_MIN_INTERVAL_SECONDS = _env_int("DASHBOARD_PUSH_MIN_INTERVAL_SECONDS", 3)
    # How often each process checks its connection counts for the /admin `platform:stats` (0: only on connect).
    PLATFORM_STATS_INTERVAL_SECONDS = _env_int("PLATFORM_STATS_INTERVAL_SECONDS", 5)
    OUTBOX_RELAY_INTERVAL_SECONDS = _env_int("OUTBOX_RELAY_INTERVAL_SECONDS", 5)
    # How often each process tells its sockets where their mills stand (`mill:position`; 0: on connect only).
    POSITION_INTERVAL_SECONDS = _env_int("POSITION_INTERVAL_SECONDS", 5)
    EVENT_RETENTION_DAYS = _env_int("EVENT_RETENTION_DAYS", 30)
    # Start the scheduler inside the web process (single-process deployments).
    RUN_SCHEDULER = os.environ.get("RUN_SCHEDULER", "true").lower() == "true"

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    REQUIRED_SETTINGS: tuple[str, ...] = ()

    @classmethod
    def validate(cls, settings: dict) -> None:
        missing = [name for name in cls.REQUIRED_SETTINGS if not settings.get(name)]
        if missing:
            env_names = {"SQLALCHEMY_DATABASE_URI": "DATABASE_URL"}
            names = ", ".join(env_names.get(name, name) for name in missing)
            raise RuntimeError(f"ricemill refuses to start in {cls.ENV_NAME}: set {names} in the environment.")


class DevelopmentConfig(BaseConfig):
    ENV_NAME = "development"
    DEBUG = True
    # Development-only fallbacks so the quick start needs no set-up; production refuses these.
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-secret-key-change-me"
    JWT_SECRET_KEY = os.environ.get("JWT_SECRET_KEY") or "dev-only-jwt-secret-change-me-0123456789"
    CLIENT_URL = _env_list("CLIENT_URL", "http://127.0.0.1:5000,http://localhost:5000")


class TestingConfig(BaseConfig):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    JWT_SECRET_KEY = "testing-jwt-secret-key-0123456789abcdef"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or None
    RUN_SCHEDULER = False
    JWT_COOKIE_CSRF_PROTECT = True
    DASHBOARD_PUSH_MIN_INTERVAL_SECONDS = 0
    # The cheapest Argon2id that argon2-cffi accepts (t=1, m=8 KiB): the factories hash a password for
    # every user they make. tests/auth/test_password_cost.py checks the production cost separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST_KIB = 8
    ARGON2_PARALLELISM = 1
    # In-process tests call platform.push_if_changed themselves; live servers in tests may set it.
    PLATFORM_STATS_INTERVAL_SECONDS = _env_int("PLATFORM_STATS_INTERVAL_SECONDS", 0)
    # In-process tests call position.send_positions themselves; live servers in tests may set it.
    POSITION_INTERVAL_SECONDS = _env_int("POSITION_INTERVAL_SECONDS", 0)


class ProductionConfig(BaseConfig):
    ENV_NAME = "production"
    REQUIRED_SETTINGS = ("SECRET_KEY", "JWT_SECRET_KEY", "SQLALCHEMY_DATABASE_URI")
    JWT_COOKIE_SECURE = os.environ.get("JWT_COOKIE_SECURE", "true").lower() == "true"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[BaseConfig]:
    name = name or os.environ.get("RICEMILL_ENV") or os.environ.get("FLASK_ENV") or "development"
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown RICEMILL_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
