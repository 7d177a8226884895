"""Binds the one SocketIO instance to the app and wires the realtime layer, once, from here:
the socket handlers, the outbox's dispatcher and commit hooks (notification rules, dashboard push),
live authorisation, the event contracts (every domain's events.py) and their validation switch.

The wiring module sits above the domains: it imports them; nothing imports it but create_app.
"""

import sys

from flask import Flask

from ..auth.service import on_access_change
from ..dashboard import events as dashboard_events
from ..dashboard.push import push_after_commit
from ..extensions import socketio
from ..finance import events as finance_events
from ..inventory import events as inventory_events
from ..milling import events as milling_events
from ..mills import events as mills_events
from ..notifications import events as notifications_events
from ..notifications.rules import notify_for_events
from ..parties import events as parties_events
from ..purchases import events as purchases_events
from ..sales import events as sales_events
from ..security import guard_malformed_frames
from ..staff import events as staff_events
from . import events
from .outbox import dispatch
from .outbox.store import register_commit_hook
from .routes import blp
from .sockets import fastpath, live_auth
from .sockets.connection import install_connect_order, register_connection_handlers
from .sockets.handlers import register_client_handlers

# Each domain's payload contracts register when its events module is imported.
EVENT_MODULES = (
    dashboard_events,
    finance_events,
    inventory_events,
    milling_events,
    mills_events,
    notifications_events,
    parties_events,
    purchases_events,
    sales_events,
    staff_events,
)

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
    register_connection_handlers()
    register_client_handlers()
    _handlers_registered = True


def init_realtime(app: Flask) -> None:
    cfg = app.config
    events.set_validation(cfg.get("VALIDATE_EVENTS") or app.debug or app.testing)
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
    register_commit_hook(notify_for_events)  # in this order: notifications, then the dashboard push
    register_commit_hook(push_after_commit)
    on_access_change(
        token_revoked=live_auth.on_token_revoked,
        user_changed=live_auth.on_user_changed,
        family_revoked=live_auth.on_family_revoked,
    )
    install_connect_order(socketio.server, app)  # rooms and first events only after CONNECT
    guard_malformed_frames(socketio.server)
    # eventlet only: direct websocket writes, one frame per broadcast, websockets read by the hub
    fastpath.install(
        socketio.server,
        compression=cfg.get("SOCKETIO_WEBSOCKET_COMPRESSION", False),
        max_detached=cfg.get("MAX_CONNECTIONS"),
    )
    app.register_blueprint(blp)
