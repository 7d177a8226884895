"""Live dashboard: after committed changes, the mill room gets a fresh `dashboard:stats`.

Throttled per mill to at most one push every DASHBOARD_PUSH_MIN_INTERVAL_SECONDS, on the trailing
edge: the first change of a quiet mill pushes at once (in one background worker), every further change
within the interval only makes sure that one more push happens when the interval is over, and that
push reads the numbers as they are then. A burst of 50 writes gives two pushes, never 50.
With an interval of 0 (the testing config) the push happens at once, in the caller.

How it is triggered: the outbox commit hook `push_after_commit` (registered by realtime/setup.py)
notes the mills that had events; once their transaction has committed and ended
(`after_transaction_end`, where SQL may run again; in `after_commit` it may not)
`schedule_dashboard_push(mill_id)` runs for each. Nobody listening (no message queue and no socket
of this process in the mill's rooms) means nothing is computed.

The throttle state lives in the process: with several server processes behind a message queue,
each throttles its own writes.
"""

import heapq
import itertools
import logging
import threading
import time
import uuid
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..realtime.events import SERVER_EVENTS
from ..realtime.outbox import after_commit
from ..realtime.sockets import emitter
from . import service

log = logging.getLogger(__name__)

_DUE = "ricemill.dashboard_due"
_lock = threading.Lock()


@dataclass
class _MillState:
    last: float = float("-inf")  # monotonic time of the last push
    scheduled: bool = False  # a push is already on its way


_state: dict[str, _MillState] = {}
_queue: list[tuple[float, int, str, Flask]] = []  # heap of (due monotonic time, tie-breaker, mill id, app)
_order = itertools.count()
_worker_running = False
TICK = 0.02  # the worker's longest nap: a newly due mill waits at most this long
LINGER = 1.0  # an idle worker waits this long for more work before it ends


def push_after_commit(session: Session, events) -> None:
    """Outbox commit hook: once this transaction commits, its mills are due a push."""
    mills = {str(item.mill_id) for item in events}
    after_commit(lambda: session.info.setdefault(_DUE, set()).update(mills), session=session)


@event.listens_for(Session, "after_transaction_end")
def _push_due(session: Session, transaction) -> None:
    if transaction.parent is not None:
        return
    due = session.info.pop(_DUE, None)
    if not due or not has_app_context():
        return
    for mill_id in sorted(due):
        try:
            schedule_dashboard_push(mill_id)
        except Exception:  # a dashboard is never worth failing the write that committed
            log.exception("Scheduling the dashboard push of mill %s failed", mill_id)


def schedule_dashboard_push(mill_id) -> None:
    """Push the mill's dashboard now or at the end of its interval (see the module docstring)."""
    app = current_app._get_current_object()
    key = str(mill_id)
    if not _has_listeners(app, key):
        return
    interval = float(app.config.get("DASHBOARD_PUSH_MIN_INTERVAL_SECONDS") or 0)
    if interval <= 0:
        push_dashboard(key)
        return
    global _worker_running
    with _lock:
        state = _state.setdefault(key, _MillState())
        if state.scheduled:
            return  # the push on its way will read the numbers this change made
        state.scheduled = True
        heapq.heappush(_queue, (max(time.monotonic(), state.last + interval), next(_order), key, app))
        if _worker_running:
            return
        _worker_running = True
    socketio.start_background_task(_worker)


def _worker() -> None:
    """One background task pushes every due mill in turn (not a task per mill: a job that touches
    thousands of mills must not start thousands of threads). It ends after LINGER idle seconds."""
    global _worker_running
    idle_since = time.monotonic()
    while True:
        job, nap = None, TICK
        with _lock:
            now = time.monotonic()
            if not _queue:
                if now - idle_since >= LINGER:
                    _worker_running = False
                    return
            else:
                idle_since = now
                if _queue[0][0] > now:
                    nap = min(_queue[0][0] - now, TICK)
                else:
                    _, _, key, app = heapq.heappop(_queue)
                    state = _state[key]
                    state.scheduled = False  # a change from now on needs a push after this one
                    state.last = now
                    job = (key, app)
        if job is None:
            socketio.sleep(nap)
            continue
        key, app = job
        with app.app_context():
            try:
                push_dashboard(key)
            except Exception:
                log.exception("Pushing the dashboard of mill %s failed", key)
            finally:
                db.session.remove()


def push_dashboard(mill_id) -> bool:
    """Compute the mill's dashboard and emit it to the mill's rooms; False when it could not."""
    try:
        data = service.get_dashboard(mill_id=uuid.UUID(str(mill_id)))
    except Exception:
        log.exception("Computing the dashboard of mill %s failed", mill_id)
        db.session.rollback()
        return False
    emitter.to_mill(SERVER_EVENTS["DASHBOARD_STATS"], data, mill_id)
    emitter.send_now()  # not after the session's cleanup (a round trip) and the hub's next turn
    return True


def _has_listeners(app: Flask, mill_id: str) -> bool:
    """Is anyone looking at the mill? Through a message queue other processes may be: assume so."""
    if app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        return True
    server = socketio.server
    if server is None:
        return False
    room = emitter.mill_room(mill_id)
    return any(any(True for _ in server.manager.get_participants(ns, room)) for ns in (emitter.DEFAULT, emitter.MILL))


def reset() -> None:
    """Forget the throttle state (tests)."""
    with _lock:
        _state.clear()
        _queue.clear()
