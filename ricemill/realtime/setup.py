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
    origins = cfg.get("CLIENT_URL") or None  # None: same origin only
    options = {}
    manager = live_auth.client_manager_for(cfg.get("SOCKETIO_MESSAGE_QUEUE"))
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
    on_access_change(token_revoked=live_auth.on_token_revoked, user_changed=live_auth.on_user_changed)
    app.register_blueprint(blp)
