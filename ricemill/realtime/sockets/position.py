"""`mill:position {millId, seq}`: where each mill stands, told to the sockets of this process.

A client keeps `lastSeq`, the highest seq of its mill with no gap below it (docs/realtime-client.md);
a position above it means it missed something, by whatever cause (a Redis outage or re-subscribe
gap, a crash between commit and emit, a lost connection), and it sends `sync`.

- Right after a socket's CONNECT packet (connection.py), for the mill rooms it entered.
- Every POSITION_INTERVAL_SECONDS, by a background task of each server process (started on the
  process's first connection), to every mill room that has sockets in this process, in `/` and
  `/mill`. Each process reads the seqs of all those mills in one query and emits locally, never
  through the message queue: it needs no other process, and works while Redis is down.
"""

import logging

from flask import Flask

from ...extensions import socketio
from ..events import SERVER_EVENTS
from ..outbox.replay import current_seqs
from . import emitter
from .periodic import ProcessLoop

log = logging.getLogger(__name__)

POSITION = SERVER_EVENTS["MILL_POSITION"]
_ROOM_PREFIX = emitter.mill_room("")


def local_mill_ids() -> list[str]:
    """The mills whose room has at least one socket of this process, in `/` or `/mill`."""
    server = socketio.server
    if server is None:
        return []
    rooms = server.manager.rooms
    found = set()
    for namespace in (emitter.DEFAULT, emitter.MILL):
        for room, members in list(rooms.get(namespace, {}).items()):
            if isinstance(room, str) and room.startswith(_ROOM_PREFIX) and len(members):
                found.add(room.removeprefix(_ROOM_PREFIX))
    return sorted(found)


def send_positions() -> int:
    """One `mill:position` to each mill room with sockets here (one query). Returns how many mills."""
    seqs = current_seqs(local_mill_ids())
    for mill_id, seq in seqs.items():
        emitter.to_mill_local(POSITION, {"millId": mill_id, "seq": seq}, mill_id)
    return len(seqs)


def send_position_to(sid: str, namespace: str, mill_ids) -> None:
    """The positions of `mill_ids` to one socket of this process (right after its CONNECT)."""
    for mill_id, seq in current_seqs(mill_ids).items():
        emitter.to_sid(POSITION, {"millId": mill_id, "seq": seq}, sid, namespace)


_heartbeat = ProcessLoop("Sending the mill positions", lambda app: send_positions(), "POSITION_INTERVAL_SECONDS")


def ensure_heartbeat(app: Flask) -> None:
    """Start this process's heartbeat once (POSITION_INTERVAL_SECONDS 0: only on connect)."""
    _heartbeat.ensure(app)
