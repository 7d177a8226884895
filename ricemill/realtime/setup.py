"""Binds the one SocketIO instance to the app. Handlers and dispatch register from here."""

import sys

from flask import Flask

from ..extensions import socketio

_handlers_registered = False


def _async_mode() -> str:
    """eventlet when the process was monkey-patched (app.py, wsgi.py), else threading (tests, CLI)."""
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        return "eventlet"
    return "threading"


def origin_checker(allowed: list[str]):
    """Engine.IO's Origin check: the server's own origin (its pages) and the CLIENT_URL allow-list.

    A list alone would refuse the server's own pages once CLIENT_URL is set; `*` is never implied.
    """
    allowed = frozenset(origin.rstrip("/") for origin in allowed)

    def check(origin, environ=None) -> bool:
        if origin is None:
            return True  # not a browser: nothing to protect (the token is still required)
        origin = origin.rstrip("/")
        if origin in allowed:
            return True
        if environ and "HTTP_HOST" in environ:
            # The request's own Host (http or https: TLS may end at a proxy); client-sent
            # X-Forwarded-Host is never trusted here. Behind a configured proxy, ProxyFix
            # (PROXY_FIX_X_HOST) has already rewritten HTTP_HOST.
            return origin in (f"http://{environ['HTTP_HOST']}", f"https://{environ['HTTP_HOST']}")
        return False

    return check


def _register_handlers() -> None:
    """Once per process, before the first `init_app`: Flask-SocketIO keeps them and adds them to
    every server it creates (one per app)."""
    global _handlers_registered
    if _handlers_registered:
        return
    from .connection import register_connection_handlers
    from .handlers import register_client_handlers

    register_connection_handlers()
    register_client_handlers()
    _handlers_registered = True


def init_realtime(app: Flask) -> None:
    from ..auth.service import on_access_change
    from . import dispatch, live_auth
    from .routes import blp

    cfg = app.config
    origins = origin_checker(cfg.get("CLIENT_URL") or [])
    options = {}
    # The pub/sub channel: Redis channels ignore the database number, so deployments (and parallel
    # test runs) sharing one Redis keep apart by channel.
    channel = cfg.get("SOCKETIO_CHANNEL") or "flask-socketio"
    manager = live_auth.client_manager_for(cfg.get("SOCKETIO_MESSAGE_QUEUE"), channel)
    if manager is not None:
        options["client_manager"] = manager  # carries live-authorisation control messages too
    _register_handlers()
    socketio.init_app(
        app,
        async_mode=cfg.get("SOCKETIO_ASYNC_MODE") or _async_mode(),
        cors_allowed_origins=origins,
        cors_credentials=True,
        ping_timeout=cfg["SOCKETIO_PING_TIMEOUT"],
        ping_interval=cfg["SOCKETIO_PING_INTERVAL"],
        max_http_buffer_size=cfg["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        transports=["websocket", "polling"],
        logger=False,
        engineio_logger=False,
        **options,
    )
    dispatch.install(app)
    on_access_change(
        token_revoked=live_auth.on_token_revoked,
        user_changed=live_auth.on_user_changed,
        family_revoked=live_auth.on_family_revoked,
    )
    from ..security import guard_malformed_frames

    guard_malformed_frames(socketio.server)
    app.register_blueprint(blp)
