"""Marking emitted rows as dispatched, off the request path.

After an emit, the ids are queued and one background task marks them in batches (one UPDATE for a
burst of commits), so a write never pays a second transaction. A row whose marking fails stays
undispatched and the relay sends it again: delivery is at least once, clients drop duplicates.
"""

import logging
import threading
import time

import sqlalchemy as sa

from ...extensions import db, socketio

log = logging.getLogger(__name__)

BATCH_DELAY_SECONDS = 0.05  # let a burst of commits share one UPDATE

_markers: list["DispatchMarker"] = []


def flush_all(timeout: float = 5.0) -> None:
    """Wait for every marker's queued rows: before a CLI command's process exits, or a test
    session drops its database."""
    for marker in _markers:
        marker.flush(timeout)


class DispatchMarker:
    def __init__(self, table: sa.Table, label: str):
        self.table = table
        self.label = label
        self._queued: list = []
        self._lock = threading.Lock()
        self._running = False
        _markers.append(self)

    def queue(self, app, ids: list) -> None:
        """Mark `ids` dispatched soon, in the background."""
        if app is None or not ids:
            return  # the relay will mark them
        with self._lock:
            self._queued.extend(ids)
            if self._running:
                return
            self._running = True
        socketio.start_background_task(self._run, app)

    def _run(self, app) -> None:
        socketio.sleep(BATCH_DELAY_SECONDS)
        while True:
            with self._lock:
                ids = list(self._queued)
                self._queued.clear()
                if not ids:
                    self._running = False
                    return
            try:
                with app.app_context(), db.engine.begin() as conn:
                    conn.execute(
                        sa.update(self.table)
                        .where(self.table.c.id.in_(ids), self.table.c.dispatched_at.is_(None))
                        .values(dispatched_at=sa.func.now())
                    )
            except Exception:  # the relay sends them again later
                log.exception("Marking %d %s dispatched failed", len(ids), self.label)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until everything queued is marked (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while (self._running or self._queued) and time.monotonic() < deadline:
            socketio.sleep(0.01)
