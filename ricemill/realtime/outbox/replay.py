"""`sync {millId, lastSeq}`: the events a reconnecting client missed, from the event record.

Every event of the mill with seq > lastSeq, in order, with its original name and payload, then
`sync:done {millId, seq}`. When the record cannot answer exactly (events purged after the retention
window, a gap too large, a lastSeq from the future) it answers `sync:reset {millId, seq}` and the
client reloads its state over REST. Only the requesting socket gets the replay.
"""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from ...extensions import db
from ...mills.models import MillSequence
from ..events import SERVER_EVENTS
from ..sockets import emitter
from .models import MillEvent

MAX_REPLAY = 1000


def current_seq(mill_id) -> int:
    value = db.session.scalar(
        sa.select(MillSequence.last_value).where(MillSequence.mill_id == mill_id, MillSequence.name == "event")
    )
    return int(value or 0)


def current_seqs(mill_ids) -> dict[str, int]:
    """{millId: the mill's last committed event seq} for many mills, in one query (0: no event yet).
    Ids that are not UUIDs are left out."""
    keys = {}
    for mill_id in mill_ids:
        try:
            keys[uuid.UUID(str(mill_id))] = str(mill_id)
        except ValueError:
            continue
    if not keys:
        return {}
    rows = db.session.execute(
        sa.select(MillSequence.mill_id, MillSequence.last_value).where(
            MillSequence.name == "event", MillSequence.mill_id.in_(list(keys))
        )
    ).all()
    found = {row.mill_id: int(row.last_value or 0) for row in rows}
    return {name: found.get(key, 0) for key, name in keys.items()}


def replay(*, mill_id: str, last_seq: int, sid: str, namespace: str) -> dict:
    """Send the missed events to socket `sid`; returns the ack's fields."""
    current = current_seq(mill_id)

    def reset(seq: int) -> dict:
        emitter.to_sid(SERVER_EVENTS["SYNC_RESET"], {"millId": mill_id, "seq": seq}, sid, namespace)
        return {"millId": mill_id, "seq": seq, "reset": True, "replayed": 0}

    if last_seq > current or current - last_seq > MAX_REPLAY:
        return reset(current)
    rows = []
    if last_seq < current:
        rows = db.session.execute(
            sa.select(MillEvent.seq, MillEvent.name, MillEvent.payload, MillEvent.created_at)
            .where(MillEvent.mill_id == mill_id, MillEvent.seq > last_seq)
            .order_by(MillEvent.seq)
            .limit(MAX_REPLAY + 1)
        ).all()
        horizon = datetime.now(UTC) - timedelta(days=current_app.config["EVENT_RETENTION_DAYS"])
        if not rows or rows[0].seq != last_seq + 1 or rows[0].created_at < horizon or len(rows) > MAX_REPLAY:
            return reset(max(current, rows[-1].seq if rows else 0))
    for row in rows:
        emitter.to_sid(row.name, row.payload, sid, namespace)
    seq = rows[-1].seq if rows else last_seq
    emitter.to_sid(SERVER_EVENTS["SYNC_DONE"], {"millId": mill_id, "seq": seq}, sid, namespace)
    return {"millId": mill_id, "seq": seq, "reset": False, "replayed": len(rows)}
