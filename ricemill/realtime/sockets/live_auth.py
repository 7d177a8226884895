"""Live authorisation: sockets lose their connection as soon as their right to it ends.

- Logout revokes a token: the sockets that used that token are disconnected.
- Deactivation, a role, mill or password change: every socket of the user is disconnected.
- A socket is disconnected when its access token expires (one watcher task per process).

With a message queue, each server process only knows its own sockets. The request to disconnect
travels as an internal control message on the queue's channel: our client manager intercepts it
in every process (itself included) and disconnects its local sockets; it is never sent to a client.
"""

import logging
import time

import socketio as socketio_pkg

from ...extensions import socketio
from . import emitter, registry
from .fastpath import TargetedEmitMixin

log = logging.getLogger(__name__)

CONTROL_EVENT = "ricemill:control"
EXPIRY_CHECK_SECONDS = 0.5


def disconnect_local(
    user_id: str, jti: str | None = None, reason: str = "access changed", family: str | None = None
) -> int:
    """Disconnect this process's sockets of `user_id` (only those of token `jti`, or of refresh
    family `family`, when given)."""
    count = 0
    for session in registry.for_user(str(user_id)):
        if (jti is None or session.jti == jti) and (family is None or session.family == family):
            log.info("Disconnecting socket of %s (%s): %s", session.user_id, session.name, reason)
            registry.remove(session.namespace, session.sid)
            socketio.server.disconnect(session.sid, namespace=session.namespace, ignore_queue=True)
            count += 1
    return count


def _handle_control(data) -> None:
    if isinstance(data, list) and len(data) == 1:
        data = data[0]
    if not isinstance(data, dict) or "userId" not in data:
        return
    disconnect_local(data["userId"], data.get("jti"), data.get("reason", "access changed"), data.get("family"))


class _ControlMixin:
    """Intercepts control messages, whether published here or received from another process."""

    def _handle_emit(self, message):
        if message.get("event") == CONTROL_EVENT:
            try:
                _handle_control(message.get("data"))
            except Exception:
                log.exception("Control message failed")
            return
        super()._handle_emit(message)


class ControlRedisManager(_ControlMixin, TargetedEmitMixin, socketio_pkg.RedisManager):
    """Also counts failed publishes (python-socketio logs and drops them), so that the dispatcher
    leaves those events undispatched and the relay sends them again once Redis is back."""

    publish_failures = 0

    def _publish(self, data):
        result = super()._publish(data)
        if result is None:
            self.publish_failures += 1
        return result


def queue_failures() -> int:
    """How many publishes to the message queue have failed in this process so far."""
    manager = socketio.server.manager if socketio.server is not None else None
    return getattr(manager, "publish_failures", 0)


class ControlKombuManager(_ControlMixin, TargetedEmitMixin, socketio_pkg.KombuManager):
    pass


def client_manager_for(url: str | None, channel: str = "flask-socketio"):
    """The message-queue client manager, able to carry control messages; None without a queue."""
    if not url:
        return None
    if url.startswith(("redis://", "rediss://")):
        return ControlRedisManager(url, channel=channel)
    return ControlKombuManager(url, channel=channel)


def request_disconnect(
    user_id, jti: str | None = None, reason: str = "access changed", family: str | None = None
) -> None:
    """Disconnect the user's sockets (or those of one token, or one refresh family) in every process."""
    if socketio.server is None:
        return
    if isinstance(socketio.server.manager, _ControlMixin):
        message = {"userId": str(user_id), "jti": jti, "reason": reason, "family": family}
        emitter.to_control(CONTROL_EVENT, message, user_id)
    else:
        disconnect_local(str(user_id), jti, reason, family)


def on_token_revoked(user_id, jti) -> None:
    request_disconnect(user_id, jti, "token revoked")


def on_family_revoked(user_id, family) -> None:
    request_disconnect(user_id, None, "session revoked", family)


def on_user_changed(user_id) -> None:
    request_disconnect(user_id, None, "user access changed")


# --- token expiry -------------------------------------------------------------------------------

_watching = False


def expire_due_sockets(now: float | None = None) -> int:
    """Disconnect the local sockets whose token has expired."""
    now = time.time() if now is None else now
    count = 0
    for session in registry.all_sessions():
        if session.exp <= now:
            log.info("Disconnecting socket of %s (%s): token expired", session.user_id, session.name)
            registry.remove(session.namespace, session.sid)
            socketio.server.disconnect(session.sid, namespace=session.namespace, ignore_queue=True)
            count += 1
    return count


def _watch_expiry() -> None:
    while True:
        socketio.sleep(EXPIRY_CHECK_SECONDS)
        try:
            expire_due_sockets()
        except Exception:
            log.exception("Token expiry check failed")


def ensure_expiry_watch() -> None:
    """Start the one expiry watcher of this process (green thread under eventlet) on first connect."""
    global _watching
    if not _watching:
        _watching = True
        socketio.start_background_task(_watch_expiry)
