"""The only module that calls `socketio.emit`: rooms and namespaces decided in one place.

Namespaces (REALTIME.md): `/` has rooms `user:{id}`, `mill:{id}`, `admin`; `/mill` has one
`mill:{id}` room per connection's mill; `/admin` is SUPER_ADMIN only and gets every mill's activity
and platform events. With SOCKETIO_MESSAGE_QUEUE set, every emit reaches every server process.
"""

from ..extensions import socketio

DEFAULT, MILL, ADMIN = "/", "/mill", "/admin"


def mill_room(mill_id) -> str:
    return f"mill:{mill_id}"


def user_room(user_id) -> str:
    return f"user:{user_id}"


ADMIN_ROOM = "admin"


def to_mill(event: str, payload: dict, mill_id) -> None:
    """Everyone looking at the mill: its room in `/` and in `/mill`."""
    room = mill_room(mill_id)
    socketio.emit(event, payload, to=room, namespace=DEFAULT)
    socketio.emit(event, payload, to=room, namespace=MILL)


def to_user(event: str, payload: dict, user_id) -> None:
    socketio.emit(event, payload, to=user_room(user_id), namespace=DEFAULT)


def to_admins(event: str, payload: dict) -> None:
    """SUPER_ADMINs: the `admin` room of `/` and every `/admin` connection."""
    socketio.emit(event, payload, to=ADMIN_ROOM, namespace=DEFAULT)
    socketio.emit(event, payload, namespace=ADMIN)


def broadcast(event: str, payload: dict) -> None:
    """Every connection of the default namespace."""
    socketio.emit(event, payload, namespace=DEFAULT)
