"""The only module that calls `socketio.emit`: rooms and namespaces decided in one place.

Every emit is checked against the event's contract when validation is on (realtime/events.py).
Namespaces (docs/realtime.md): `/` has rooms `user:{id}`, `mill:{id}`, `admin` and `all`; `/mill`
has one `mill:{id}` room per connection's mill; `/admin` is SUPER_ADMIN only (room `admin`) and gets
every mill's activity and platform events. With SOCKETIO_MESSAGE_QUEUE set, every emit reaches every
server process (except the local ones: `to_sid`, `to_mill_local`).

Every emit names a room, never a whole namespace: a socket enters its rooms only once its CONNECT
packet has gone out (connection.py), so nothing reaches it before that.
An event for several namespaces is one emit (`fastpath.emit_to_rooms`): one message on the queue,
and nothing encoded for a namespace's room that has no members in this process.
"""

from flask import request

from ...extensions import socketio
from ..events import check_server_payload
from .fastpath import emit_to_rooms, uncork_all

DEFAULT, MILL, ADMIN = "/", "/mill", "/admin"


def send_now() -> None:
    """Send the frames of the emits made so far now, one send per socket, instead of at the hub's
    next turn (sockets/fastpath.py): for a caller whose emits are a complete burst (after a commit),
    so that they do not wait behind the request's remaining work and the other ready green threads."""
    uncork_all()


def mill_room(mill_id) -> str:
    return f"mill:{mill_id}"


def user_room(user_id) -> str:
    return f"user:{user_id}"


ADMIN_ROOM = "admin"
ALL_ROOM = "all"  # every connected socket of `/` (a broadcast)


def to_mill(event: str, payload: dict, mill_id) -> None:
    """Everyone looking at the mill: its room in `/` and in `/mill`."""
    check_server_payload(event, payload)
    room = mill_room(mill_id)
    emit_to_rooms(socketio.server, event, payload, [(DEFAULT, room), (MILL, room)])


def to_mill_local(event: str, payload: dict, mill_id) -> None:
    """The mill's rooms in `/` and `/mill`, this process's sockets only (never through the queue)."""
    check_server_payload(event, payload)
    room = mill_room(mill_id)
    socketio.emit(event, payload, to=room, namespace=DEFAULT, ignore_queue=True)
    socketio.emit(event, payload, to=room, namespace=MILL, ignore_queue=True)


def to_user(event: str, payload: dict, user_id) -> None:
    check_server_payload(event, payload)
    socketio.emit(event, payload, to=user_room(user_id), namespace=DEFAULT)


def to_admins(event: str, payload: dict) -> None:
    """SUPER_ADMINs: the `admin` room of `/` and every `/admin` connection."""
    check_server_payload(event, payload)
    emit_to_rooms(socketio.server, event, payload, [(DEFAULT, ADMIN_ROOM), (ADMIN, ADMIN_ROOM)])


def to_mill_and_admins(event: str, payload: dict, mill_id) -> None:
    """The mill and the SUPER_ADMINs, once each: a SUPER_ADMIN who joined the mill's room gets one copy."""
    check_server_payload(event, payload)
    room = mill_room(mill_id)
    targets = [(DEFAULT, [room, ADMIN_ROOM]), (MILL, room), (ADMIN, ADMIN_ROOM)]
    emit_to_rooms(socketio.server, event, payload, targets)


def broadcast(event: str, payload: dict) -> None:
    """Every connection of the default namespace (each is in the `all` room once connected)."""
    check_server_payload(event, payload)
    socketio.emit(event, payload, to=ALL_ROOM, namespace=DEFAULT)


def to_mill_others(event: str, payload: dict, mill_id, *, sender_sid: str) -> None:
    """The others in the mill's room of `/` (typing indicators): never back to the sender."""
    check_server_payload(event, payload)
    socketio.emit(event, payload, to=mill_room(mill_id), skip_sid=sender_sid, namespace=DEFAULT)


def to_sid(event: str, payload: dict, sid: str | None = None, namespace: str | None = None) -> None:
    """One socket of this process: by default the one whose event or handshake is being handled.

    Straight to it, not through the message queue: the answer works even while the queue is down.
    """
    check_server_payload(event, payload)
    if sid is None or namespace is None:
        sid = sid or request.sid
        namespace = namespace or request.namespace
    socketio.emit(event, payload, to=sid, namespace=namespace, ignore_queue=True)


def to_control(event: str, payload: dict, user_id) -> None:
    """An internal control message for every server process (live_auth.py intercepts it; never sent)."""
    socketio.server.manager.emit(event, payload, namespace=DEFAULT, room=user_room(user_id))
