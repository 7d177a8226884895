"""Marking emitted rows as dispatched, off the request path.

After an emit, the ids are queued and one background task per process marks them in batches: every
BATCH_DELAY_SECONDS at most, it takes what every marker (the events' and the notifications') has
queued and marks it all in one transaction, one UPDATE per table. So a write never pays a second
transaction, and a busy server pays at most a few marking transactions a second, not one per write
and table (those took 5% of the server's time at 50 writes/s, on the loop that delivers the events:
bench/RESULTS.md, finding 4). A row whose marking fails stays undispatched and the relay sends it again
(after OUTBOX_RELAY_INTERVAL_SECONDS, well above the delay): delivery is at least once, clients drop
duplicates.
"""

import logging
import threading
import time

import sqlalchemy as sa

from ...extensions import db, socketio

log = logging.getLogger(__name__)

BATCH_DELAY_SECONDS = 0.25  # let the commits of this long share one transaction

_markers: list["DispatchMarker"] = []
_lock = threading.Lock()
_running = False  # the one background task is on its way


def flush_all(timeout: float = 5.0) -> None:
    """Wait for every marker's queued rows: before a CLI command's process exits, or a test
    session drops its database."""
    deadline = time.monotonic() + timeout
    while (_running or any(marker._queued for marker in _markers)) and time.monotonic() < deadline:
        socketio.sleep(0.01)


class DispatchMarker:
    """The rows of one table to mark `dispatched_at`, queued per app; the module's task marks them."""

    def __init__(self, table: sa.Table, label: str):
        self.table = table
        self.label = label
        self._queued: dict = {}  # app -> ids
        _markers.append(self)

    def queue(self, app, ids: list) -> None:
        """Mark `ids` dispatched soon, in the background."""
        global _running
        if app is None or not ids:
            return  # the relay will mark them
        with _lock:
            self._queued.setdefault(app, []).extend(ids)
            if _running:
                return
            _running = True
        socketio.start_background_task(_run)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued is marked (tests, shutdown)."""
        flush_all(timeout)

    def _update(self, conn, ids: list) -> None:
        conn.execute(
            sa.update(self.table)
            .where(self.table.c.id.in_(ids), self.table.c.dispatched_at.is_(None))
            .values(dispatched_at=sa.func.now())
        )


def _take() -> dict:
    """Everything queued: app -> [(marker, ids)], the markers always in the same order."""
    batches: dict = {}
    for marker in _markers:
        for app, ids in marker._queued.items():
            batches.setdefault(app, []).append((marker, ids))
        marker._queued = {}
    return batches


def _run() -> None:
    """Every BATCH_DELAY_SECONDS, what was queued meanwhile (a burst shares one transaction); ends
    once nothing more is queued (the next queue starts it again)."""
    global _running
    while True:
        socketio.sleep(BATCH_DELAY_SECONDS)
        with _lock:
            batches = _take()
        for app, work in batches.items():
            _mark(app, work)
        with _lock:
            if not any(marker._queued for marker in _markers):
                _running = False
                return


def _mark(app, work: list) -> None:
    try:
        with app.app_context(), db.engine.begin() as conn:
            for marker, ids in work:
                marker._update(conn, ids)
        return
    except Exception:
        if len(work) == 1:
            log.exception("Marking %d %s dispatched failed", len(work[0][1]), work[0][0].label)
            return
        log.warning("Marking rows of %d tables in one transaction failed; one by one", len(work), exc_info=True)
    for marker, ids in work:  # one table's trouble must not leave the others unmarked
        _mark(app, [(marker, ids)])
