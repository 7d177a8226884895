"""Delivery of the event record after commit (the relay, relay.py, sends what a crash left).

`dispatch(records)` is the outbox's dispatcher: called once a transaction has committed, it emits each
event to its mill (and `activity:new` to the mill and the admins), then queues the rows to be marked
`dispatched_at` by a background task, in batches, so that a write's latency does not grow.

The frames of those emits leave before `dispatch` returns. Under eventlet the broadcast fast path
(sockets/fastpath.py) holds the frames a green thread writes until the hub's next turn, so that a burst
leaves in one send per socket; but the request that committed goes on (its notification, its answer)
until it next waits, and the hub then runs the other ready green threads first: on a busy server the
events waited there for tens of milliseconds (bench/RESULTS.md, finding 4). A commit's events are one
burst already, so they are sent right away, still one send per socket.
"""

import logging

from flask import Flask

from ..events import SERVER_EVENTS
from ..sockets import emitter, fastpath
from ..sockets.live_auth import queue_failures
from .marking import DispatchMarker
from .models import MillEvent
from .store import set_dispatcher

log = logging.getLogger(__name__)

_app: Flask | None = None
_marker = DispatchMarker(MillEvent.__table__, "events")


def activity(record: dict) -> dict:
    """The `activity:new` payload of a stored event."""
    return {
        "seq": record["seq"],
        "millId": record["millId"],
        "type": record["name"],
        "summary": record["summary"],
        "actor": record["actor"],
        "entity": record["entity"],
        "at": record["at"],
    }


def emit_records(records: list[dict]) -> None:
    for record in records:
        emitter.to_mill(record["name"], record["payload"], record["millId"])
        if record.get("summary"):
            emitter.to_mill_and_admins(SERVER_EVENTS["ACTIVITY_NEW"], activity(record), record["millId"])


def dispatch(records: list[dict]) -> None:
    failures = queue_failures()
    emit_records(records)
    fastpath._uncork_all()  # send the frames now (see the module docstring); nothing to do without the fast path
    if queue_failures() != failures:
        # Local sockets have them; other processes do not: leave them to the relay.
        log.warning("Message queue unavailable: %d events left for the relay", len(records))
        return
    _queue_marking([record["id"] for record in records])


def _queue_marking(ids: list[int]) -> None:
    _marker.queue(_app, ids)


def flush_marking(timeout: float = 5.0) -> None:
    """Wait until the queued rows are marked (tests, shutdown)."""
    _marker.flush(timeout)


def install(app: Flask) -> None:
    global _app
    _app = app
    set_dispatcher(dispatch)


def installed_app() -> Flask | None:
    return _app
