"""The handshake: who is connecting, which rooms they join, and the seed's refusal messages.

A client authenticates with `auth: {token}` (an access JWT). Same-origin pages may use the access
token cookie instead. A token in the query string is refused: it would land in access logs.
Refusals reach the client as `connect_error` with exactly the seed's messages.

Nothing reaches a socket before its CONNECT packet: the connect handlers only decide (who, which
rooms); `install_connect_order` wraps the server's connect handling so that, once the CONNECT
packet is out, the socket enters its rooms and gets `connected` and its mills' `mill:position`
(python-socketio clients drop packets that come before CONNECT; the JS client buffers them).
"""

import contextlib
import logging
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt as pyjwt
from flask import current_app, has_app_context, request
from flask_jwt_extended import decode_token
from flask_jwt_extended.exceptions import JWTExtendedException
from socketio.exceptions import ConnectionRefusedError as Refused

from ...auth.access import user_can_access_mill
from ...auth.models import User
from ...auth.roles import Role
from ...auth.service import is_access_token_revoked
from ...extensions import db, socketio
from ...mills.models import Mill
from ..events import SERVER_EVENTS
from . import emitter, platform, position, registry
from .live_auth import ensure_expiry_watch

log = logging.getLogger(__name__)

TOKEN_REQUIRED = "Authentication token required"  # noqa: S105 - a message, not a secret
INVALID_TOKEN = "Invalid token"  # noqa: S105
USER_INACTIVE = "User not found or inactive"
AUTH_FAILED = "Authentication failed"
ACCESS_DENIED = "Access denied"
MILL_ACCESS_DENIED = "Access denied to this mill"
TOO_MANY_SOCKETS = "Too many connections for this user"
MAX_TOKEN_LENGTH = 4096
QUERY_TOKEN_NAMES = ("token", "access_token", "jwt", "auth")


class Refusal(Exception):
    """A connection refused with one of the seed's messages."""


def _query_has_token() -> bool:
    query = parse_qs(request.environ.get("QUERY_STRING", ""))
    return any(name in query for name in QUERY_TOKEN_NAMES)


def _same_origin() -> bool:
    """No Origin (not a browser, or a same-origin GET) or an Origin equal to the server's host."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _presented_token(auth) -> str | None:
    token = auth.get("token") if isinstance(auth, dict) else None
    if token is None and _same_origin():
        token = request.cookies.get(current_app.config["JWT_ACCESS_COOKIE_NAME"])
    return token


def authenticate(auth) -> tuple[User, dict]:
    """The user and the token's claims, or Refusal(message)."""
    if _query_has_token():
        raise Refusal(TOKEN_REQUIRED)
    token = _presented_token(auth)
    if not token:
        raise Refusal(TOKEN_REQUIRED)
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise Refusal(INVALID_TOKEN)
    try:
        claims = decode_token(token)
    except (pyjwt.PyJWTError, JWTExtendedException):
        raise Refusal(INVALID_TOKEN) from None
    if claims.get("type") != "access" or is_access_token_revoked(claims.get("jti", ""), claims.get("fam")):
        raise Refusal(INVALID_TOKEN)
    try:
        user = db.session.get(User, uuid.UUID(str(claims.get("sub"))))
    except ValueError:
        raise Refusal(INVALID_TOKEN) from None
    if user is None or not user.is_active or (user.mill is not None and not user.mill.is_active):
        raise Refusal(USER_INACTIVE)
    return user, claims


def _register(user: User, claims: dict, rooms: tuple[str, ...] = ()) -> registry.SocketSession:
    cfg = current_app.config
    # SOCKET_MAX_PER_USER per process: the new socket is refused (the open ones are never cut off).
    if registry.count_for_user(str(user.id)) >= cfg["SOCKET_MAX_PER_USER"]:
        raise Refusal(TOO_MANY_SOCKETS)
    session = registry.SocketSession(
        sid=request.sid,
        namespace=request.namespace,
        user_id=str(user.id),
        name=user.name,
        role=str(user.role),
        mill_id=str(user.mill_id) if user.mill_id else None,
        jti=claims["jti"],
        exp=float(claims.get("exp") or time.time() + 3600),
        bucket=registry.TokenBucket(cfg["SOCKET_RATE_LIMIT_PER_SECOND"], cfg["SOCKET_RATE_LIMIT_BURST"]),
        family=claims.get("fam"),
        rooms=rooms,
    )
    registry.add(session)
    ensure_expiry_watch()
    return session


def guarded_connect(fn):
    """Run a connect handler: Refusal → its message; anything unexpected → logged, `Authentication failed`."""

    def handler(auth=None):
        try:
            return fn(auth)
        except Refusal as refusal:
            registry.remove(request.namespace, request.sid)
            log.info("Socket refused on %s: %s", request.namespace, refusal)
            raise Refused(str(refusal)) from None
        except Exception:
            registry.remove(request.namespace, request.sid)  # if it failed after registering
            log.exception("Socket authentication error on %s", request.namespace)
            raise Refused(AUTH_FAILED) from None

    handler.__name__ = fn.__name__
    return handler


def mill_exists(mill_id) -> bool:
    try:
        key = uuid.UUID(str(mill_id))
    except ValueError:
        return False
    return db.session.get(Mill, key) is not None


def may_access_mill(session: registry.SocketSession, mill_id) -> bool:
    """The REST rule (auth.access.user_can_access_mill) on a socket's session; a SUPER_ADMIN's mill
    must also exist (a user's own mill always does, so typing costs no query)."""
    if not user_can_access_mill(session, mill_id):
        return False
    return session.role != Role.SUPER_ADMIN or mill_exists(mill_id)


@guarded_connect
def connect_default(auth):
    user, claims = authenticate(auth)
    rooms = [emitter.user_room(user.id), emitter.ALL_ROOM]
    if user.role == Role.SUPER_ADMIN:
        rooms.append(emitter.ADMIN_ROOM)
    if user.mill_id:
        rooms.append(emitter.mill_room(user.mill_id))
    session = _register(user, claims, tuple(rooms))
    log.info("Socket connected: %s (%s) on /", session.user_id, session.name)


@guarded_connect
def connect_mill(auth):
    """`/mill`: one mill's events only, `auth: {token, millId}`."""
    user, claims = authenticate(auth)
    mill_id = auth.get("millId") if isinstance(auth, dict) else None
    if not isinstance(mill_id, str) or len(mill_id) > 64:
        raise Refusal(MILL_ACCESS_DENIED)
    allowed = user.role == Role.SUPER_ADMIN or (user.mill_id is not None and str(user.mill_id) == mill_id)
    if not allowed or not mill_exists(mill_id):
        raise Refusal(MILL_ACCESS_DENIED)
    mill_id = str(uuid.UUID(mill_id))
    session = _register(user, claims, (emitter.mill_room(mill_id),))
    log.info("Socket connected: %s (%s) on /mill for %s", session.user_id, session.name, mill_id)


@guarded_connect
def connect_admin(auth):
    """`/admin`: SUPER_ADMIN only; every mill's activity and platform events."""
    user, claims = authenticate(auth)
    if user.role != Role.SUPER_ADMIN:
        raise Refusal(ACCESS_DENIED)
    session = _register(user, claims, (emitter.ADMIN_ROOM,))
    log.info("Socket connected: %s (%s) on /admin", session.user_id, session.name)


def welcome(app, server, namespace: str, sid: str) -> bool:
    """Once the socket's CONNECT packet is out: its rooms, `connected`, its mills' positions (and the
    platform figures on `/admin`). Returns whether it did (not for a refused or gone socket)."""
    session = registry.get(namespace, sid)
    if session is None or session.welcomed or not server.manager.is_connected(sid, namespace):
        return False
    session.welcomed = True
    for room in session.rooms:  # no I/O before this: the socket cannot have gone in between
        server.enter_room(sid, room, namespace=namespace)
    emitter.to_sid(SERVER_EVENTS["CONNECTED"], {"userId": session.user_id, "message": "Connected successfully"},
                   sid, namespace)  # fmt: skip
    mills = [room.removeprefix(emitter.mill_room("")) for room in session.rooms if room.startswith("mill:")]
    if mills:
        try:
            position.send_position_to(sid, namespace, mills)
        except Exception:  # the database away for a moment: the heartbeat tells it later
            log.warning("Mill position not sent to %s on %s", sid, namespace, exc_info=True)
    if namespace == emitter.ADMIN:
        platform.send_to_new_admin(app, sid, namespace)
    position.ensure_heartbeat(app)
    return True


def install_connect_order(server, app) -> None:
    """Wrap the Socket.IO server's connect handling: the connect handler (authentication, refusals
    as `connect_error`), then the CONNECT packet, then `welcome`."""
    original = server._handle_connect
    if getattr(original, "welcomes", False):
        return

    def handle_connect(eio_sid, namespace, data):
        original(eio_sid, namespace, data)
        namespace = namespace or emitter.DEFAULT
        sid = server.manager.sid_from_eio_sid(eio_sid, namespace)
        if sid is None:
            return
        # As Flask-SocketIO does for its handlers: the app context already active (the test client's),
        # else one of its own (its teardown removes the database session).
        active = has_app_context() and current_app._get_current_object() is app
        with contextlib.nullcontext() if active else app.app_context():
            try:
                welcome(app, server, namespace, sid)
            except Exception:  # a socket without its rooms would miss everything: it must reconnect
                log.exception("Welcoming socket %s on %s failed; disconnecting it", sid, namespace)
                registry.remove(namespace, sid)
                server.disconnect(sid, namespace=namespace, ignore_queue=True)

    handle_connect.welcomes = True
    server._handle_connect = handle_connect


def on_disconnect(reason=None):
    session = registry.remove(request.namespace, request.sid)
    if session is not None:
        log.info(
            "Socket disconnected: %s (%s) on %s, reason: %s",
            session.user_id,
            session.name,
            session.namespace,
            reason,
        )


def register_connection_handlers() -> None:
    for namespace, handler in ((emitter.DEFAULT, connect_default), (emitter.MILL, connect_mill),
                               (emitter.ADMIN, connect_admin)):  # fmt: skip
        socketio.on_event("connect", handler, namespace=namespace)
        socketio.on_event("disconnect", on_disconnect, namespace=namespace)
