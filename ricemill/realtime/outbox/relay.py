"""The relay: what a crash left undispatched is sent again.

`relay_undispatched(app)` sends again the rows still unmarked after a while: the process that
committed them died before emitting (or before marking). Rows are claimed with
`FOR UPDATE SKIP LOCKED`, so two processes never send the same row; delivery is at least once and
clients drop duplicates by `seq`. When the message queue (Redis) refuses a publish, the rows stay
undispatched too: the relay sends them again once it is back.
"""

import logging

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from ...extensions import db, socketio
from ..sockets.live_auth import queue_failures
from . import dispatch
from .dispatch import emit_records
from .models import MillEvent
from .store import event_record

log = logging.getLogger(__name__)

RELAY_BATCH = 500


class _QueueDown(Exception):
    """The message queue refused a publish: keep the claimed rows undispatched."""


def relay_undispatched(app: Flask | None = None, *, min_age_seconds: float | None = None) -> int:
    """Emit and mark the events left undispatched for at least `min_age_seconds`. Returns how many."""
    app = app or dispatch.installed_app()
    total = 0
    with app.app_context():
        age = app.config["OUTBOX_RELAY_INTERVAL_SECONDS"] if min_age_seconds is None else min_age_seconds
        while True:
            try:
                with Session(db.engine) as session, session.begin():
                    rows = session.scalars(
                        sa.select(MillEvent)
                        .where(
                            MillEvent.dispatched_at.is_(None),
                            MillEvent.created_at <= sa.func.now() - sa.func.make_interval(0, 0, 0, 0, 0, 0, age),
                        )
                        .order_by(MillEvent.mill_id, MillEvent.seq)
                        .limit(RELAY_BATCH)
                        .with_for_update(skip_locked=True)
                    ).all()
                    if not rows:
                        break
                    failures = queue_failures()
                    emit_records([event_record(row) for row in rows])
                    if queue_failures() != failures:
                        raise _QueueDown
                    session.execute(
                        sa.update(MillEvent)
                        .where(MillEvent.id.in_([row.id for row in rows]))
                        .values(dispatched_at=sa.func.now())
                    )
            except _QueueDown:
                log.warning("Message queue unavailable: %d events stay undispatched", len(rows))
                break
            total += len(rows)
            if len(rows) < RELAY_BATCH:
                break
    if total:
        log.info("Relayed %d undispatched events", total)
    return total


def relay_at_start(app: Flask) -> int:
    """Once at server start (a background task): after one relay interval, so that the clients of a
    crashed process have reconnected, send whatever is still undispatched, however young."""
    socketio.sleep(app.config["OUTBOX_RELAY_INTERVAL_SECONDS"])
    try:
        return relay_undispatched(app, min_age_seconds=0)
    except Exception:
        log.exception("Start-up relay failed")
        return 0
