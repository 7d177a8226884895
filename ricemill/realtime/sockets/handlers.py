"""Client events of `/`: each rate-limited, validated, authorised, answered by event and by ack.

Input is validated by the event's schema in realtime/events.py (`load_client_payload`), the same
contracts the browser is served; a refusal's message goes back to the client.

A handler answers its event (`joined:mill`, `error`, ...) and returns the ack (`{ok: true, ...}` or
`{ok: false, error}`), which Flask-SocketIO sends when the client asked for one. Nothing a client
sends can crash a handler or touch another socket.
"""

import logging
import time
import uuid

from flask import current_app, request
from flask_socketio import join_room, leave_room

from ...dashboard import service as dashboard_service
from ...extensions import socketio
from ..events import CLIENT_EVENTS, SERVER_EVENTS, ClientPayloadError, load_client_payload
from ..outbox.replay import replay
from . import emitter, registry
from .connection import MILL_ACCESS_DENIED, may_access_mill

log = logging.getLogger(__name__)

RATE_LIMITED = "Rate limit exceeded"
ABUSE_WINDOW_SECONDS = 10.0


class Rejected(Exception):
    """A client event refused with a message for the client."""


def _authorised_mill(session, mill_id: str) -> str:
    try:
        canonical = str(uuid.UUID(mill_id))
    except ValueError:
        raise Rejected(MILL_ACCESS_DENIED) from None
    if canonical != mill_id.lower() or not may_access_mill(session, canonical):
        raise Rejected(MILL_ACCESS_DENIED)
    return canonical


def _rate_limited(session) -> bool:
    """Take a token; on refusal count it, and disconnect sustained abuse (a burst's worth refused in a window)."""
    if session.bucket.take():
        return False
    now = time.monotonic()
    if now - session.refused_since > ABUSE_WINDOW_SECONDS:
        session.refused, session.refused_since = 0, now
    session.refused += 1
    if session.refused > current_app.config["SOCKET_RATE_LIMIT_BURST"]:
        log.warning("Disconnecting %s (%s): sustained client event flood", session.user_id, session.name)
        registry.remove(session.namespace, session.sid)
        socketio.server.disconnect(session.sid, namespace=session.namespace, ignore_queue=True)
    return True


def client_event(name: str, namespaces: tuple[str, ...] = (emitter.DEFAULT,)):
    """Register `fn(session, data) -> dict` as the handler of client event `name` on `/` (or on
    `namespaces`); `data` is the input loaded by the event's schema."""

    def decorator(fn):
        def handler(*args):
            session = registry.get(request.namespace, request.sid)
            if session is None:
                return {"ok": False, "error": "Not connected"}
            if _rate_limited(session):
                if session.refused == 1 or session.refused % 10 == 0:
                    emitter.to_sid(SERVER_EVENTS["ERROR"], {"message": RATE_LIMITED})
                return {"ok": False, "error": RATE_LIMITED}
            try:
                data = load_client_payload(name, args[0] if args else None)
                answer = fn(session, data)
            except (Rejected, ClientPayloadError) as rejected:
                message = str(rejected)
            except Exception:
                log.exception("Socket event %s failed for %s", name, session.user_id)
                message = "Request failed"
            else:
                return {"ok": True, **answer}
            emitter.to_sid(SERVER_EVENTS["ERROR"], {"message": message})
            return {"ok": False, "error": message}

        handler.__name__ = f"on_{name.replace(':', '_').replace('-', '_')}"
        for namespace in namespaces:
            socketio.on_event(name, handler, namespace=namespace)
        return fn

    return decorator


def register_client_handlers() -> None:
    @client_event(CLIENT_EVENTS["JOIN_MILL"])
    def join_mill(session, data):
        mill_id = _authorised_mill(session, data["millId"])
        join_room(emitter.mill_room(mill_id))
        log.info("User %s joined mill: %s", session.name, mill_id)
        emitter.to_sid(SERVER_EVENTS["JOINED_MILL"], {"millId": mill_id})
        return {"millId": mill_id}

    @client_event(CLIENT_EVENTS["LEAVE_MILL"])
    def leave_mill(session, data):
        mill_id = data["millId"]
        leave_room(emitter.mill_room(mill_id))
        emitter.to_sid(SERVER_EVENTS["LEFT_MILL"], {"millId": mill_id})
        return {"millId": mill_id}

    @client_event(CLIENT_EVENTS["REQUEST_DASHBOARD"])
    def request_dashboard(session, data):
        mill_id = _authorised_mill(session, data["millId"])
        try:
            stats = dashboard_service.get_dashboard(mill_id=mill_id)
        except Exception:
            log.exception("Dashboard for %s failed", mill_id)
            raise Rejected("Failed to fetch dashboard stats") from None
        emitter.to_sid(SERVER_EVENTS["DASHBOARD_STATS"], stats)
        return {"millId": mill_id}

    @client_event(CLIENT_EVENTS["ACTIVITY_TYPING"])
    def typing(session, data):
        mill_id = _authorised_mill(session, data["millId"])
        payload = {"user": session.user, "entity": data["entity"], "action": data["action"]}
        emitter.to_mill_others(SERVER_EVENTS["ACTIVITY_TYPING"], payload, mill_id, sender_sid=session.sid)
        return {"millId": mill_id}

    @client_event(CLIENT_EVENTS["ACTIVITY_STOP_TYPING"])
    def stop_typing(session, data):
        mill_id = _authorised_mill(session, data["millId"])
        payload = {"user": session.user}
        emitter.to_mill_others(SERVER_EVENTS["ACTIVITY_STOP_TYPING"], payload, mill_id, sender_sid=session.sid)
        return {"millId": mill_id}

    # `/mill` too: a wall dashboard follows the delivery contract like any page (its one mill only).
    @client_event(CLIENT_EVENTS["SYNC"], namespaces=(emitter.DEFAULT, emitter.MILL))
    def sync(session, data):
        mill_id = _authorised_mill(session, data["millId"])
        if session.namespace == emitter.MILL and emitter.mill_room(mill_id) not in session.rooms:
            raise Rejected(MILL_ACCESS_DENIED)
        return replay(mill_id=mill_id, last_seq=data["lastSeq"], sid=session.sid, namespace=session.namespace)
