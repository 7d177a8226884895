"""Storing the pending events at commit, and handing them to the dispatcher after it.

Commit hooks: just before the pending events are stored, the registered hooks run with them
(`hook(session, pending)`), in the same transaction. They derive what follows from the events
themselves, so that a domain service only ever calls `publish()`: the notifications a mill wants
(`ricemill.notifications.rules`) and the live dashboard push of each mill that changed
(`ricemill.dashboard.push`); `ricemill.realtime.setup` registers them, as it installs the
dispatcher. A hook may write rows and queue after-commit callbacks; it must not publish (the
pending list is already taken).
"""

import logging
import uuid
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session

from ...mills.models import next_sequence_value
from .models import MillEvent
from .publish import CALLBACKS, COMMITTED, PENDING, PendingEvent

log = logging.getLogger(__name__)

CommitHook = Callable[[Session, list[PendingEvent]], None]

# Set by the realtime layer: receives the committed events (list of dicts) after each commit.
_dispatcher: Callable[[list[dict]], None] | None = None
_hooks: list[CommitHook] = []


def set_dispatcher(dispatcher: Callable[[list[dict]], None] | None) -> None:
    global _dispatcher
    _dispatcher = dispatcher


def event_record(row: MillEvent) -> dict:
    """A stored event as the dispatcher and the replay see it."""
    return {
        "id": row.id,
        "millId": str(row.mill_id),
        "seq": row.seq,
        "name": row.name,
        "payload": row.payload,
        "summary": row.summary,
        "actor": {"id": str(row.actor_id), "name": row.actor_name} if row.actor_id else None,
        "entity": {"type": row.entity_type, "id": row.entity_id} if row.entity_type else None,
        "at": row.created_at.isoformat() if row.created_at else None,
    }


def register_commit_hook(hook: CommitHook) -> None:
    """Run `hook(session, pending)` on the pending events of every commit (realtime/setup.py
    registers them once per process; registering the same hook again does nothing)."""
    if hook not in _hooks:
        _hooks.append(hook)


def commit_hooks() -> tuple[CommitHook, ...]:
    return tuple(_hooks)


@event.listens_for(Session, "before_commit")
def _store_pending_events(session: Session) -> None:
    pending: list[PendingEvent] = session.info.pop(PENDING, [])
    if not pending:
        return
    for hook in commit_hooks():
        hook(session, pending)
    by_mill: dict[uuid.UUID, list[PendingEvent]] = {}
    for item in pending:
        by_mill.setdefault(item.mill_id, []).append(item)
    rows: list[MillEvent] = []
    # Sorted so that two transactions touching the same mills lock their counters in one order.
    for mill_id in sorted(by_mill, key=str):
        items = by_mill[mill_id]
        last = next_sequence_value(mill_id, "event", len(items), session=session)
        for offset, item in enumerate(items):
            seq = last - len(items) + 1 + offset
            payload = dict(item.payload, millId=str(mill_id), seq=seq)
            actor = item.actor or {}
            entity = item.entity or {}
            row = MillEvent(
                mill_id=mill_id,
                seq=seq,
                name=item.name,
                payload=payload,
                summary=item.summary,
                actor_id=uuid.UUID(actor["id"]) if actor.get("id") else None,
                actor_name=actor.get("name"),
                entity_type=entity.get("type"),
                entity_id=str(entity["id"]) if entity.get("id") else None,
            )
            session.add(row)
            rows.append(row)
    session.flush()  # eager defaults: id and created_at come back by RETURNING
    session.info.setdefault(COMMITTED, []).extend(event_record(row) for row in rows)


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    records: list[dict] = session.info.pop(COMMITTED, [])
    callbacks = session.info.pop(CALLBACKS, [])
    if records and _dispatcher is not None:
        try:
            _dispatcher(records)
        except Exception:  # the relay sends them again; the commit stands
            log.exception("Dispatching %d committed events failed", len(records))
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit callback failed")


@event.listens_for(Session, "after_rollback")
def _discard_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(COMMITTED, None)
    session.info.pop(CALLBACKS, None)


@event.listens_for(Session, "after_soft_rollback")
def _discard_pending_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        _discard_pending(session)
