"""Binds the one SocketIO instance to the app. Handlers and dispatch register from here."""

import sys

from flask import Flask

from ..extensions import socketio


def _async_mode() -> str:
    """eventlet when the process was monkey-patched (app.py, wsgi.py), else threading (tests, CLI)."""
    eventlet = sys.modules.get("eventlet")
    if eventlet is not None and eventlet.patcher.is_monkey_patched("socket"):
        return "eventlet"
    return "threading"


def init_realtime(app: Flask) -> None:
    cfg = app.config
    origins = cfg.get("CLIENT_URL") or None  # None: same origin only
    socketio.init_app(
        app,
        async_mode=cfg.get("SOCKETIO_ASYNC_MODE") or _async_mode(),
        cors_allowed_origins=origins,
        cors_credentials=True,
        message_queue=cfg.get("SOCKETIO_MESSAGE_QUEUE"),
        ping_timeout=cfg["SOCKETIO_PING_TIMEOUT"],
        ping_interval=cfg["SOCKETIO_PING_INTERVAL"],
        max_http_buffer_size=cfg["SOCKETIO_MAX_HTTP_BUFFER_SIZE"],
        transports=["websocket", "polling"],
        logger=False,
        engineio_logger=False,
    )
