"""The one publish path for domain events (transactional outbox).

A service calls `publish(...)` while it works. Nothing is written or sent then: at commit time
(`before_commit`) the pending events of each mill get the next numbers of that mill's gapless
sequence and are inserted in the same transaction as the change; once the commit has succeeded
(`after_commit`) they are handed to the dispatcher, which emits them. A rollback discards them.

`after_commit(fn)` queues any other side effect (disconnecting a user's sockets, say) to run only
once the transaction that made it true has committed.

Commit hooks: just before the pending events are stored, `commit_hooks(session, pending)` run with
them, in the same transaction. They derive what follows from the events themselves, so that a
domain service only ever calls `publish()`: the notifications a mill wants
(`ricemill.notifications.rules`) and the live dashboard push of each mill that changed
(`ricemill.realtime.dashboard_push`). A hook may write rows and queue after-commit callbacks; it
must not publish (the pending list is already taken).
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..mills.models import next_sequence_value
from .events import MILL_EVENT_NAMES
from .models import MillEvent

log = logging.getLogger(__name__)

_PENDING = "ricemill.pending_events"
_CALLBACKS = "ricemill.after_commit"
_COMMITTED = "ricemill.committed_events"

# Set by the realtime layer: receives the committed events (list of dicts) after each commit.
_dispatcher: Callable[[list[dict]], None] | None = None


@dataclass
class PendingEvent:
    name: str
    mill_id: uuid.UUID
    payload: dict
    summary: str | None = None
    actor: dict | None = None
    entity: dict | None = None
    extra: dict = field(default_factory=dict)


def _session() -> Session:
    """The current session, with its transaction begun: a later rollback must see (and discard)
    whatever is queued on it."""
    from ..extensions import db

    session = db.session()
    session.connection()
    return session


def publish(
    name: str,
    mill_id,
    payload: dict,
    *,
    actor: dict | None = None,
    summary: str | None = None,
    entity: dict | None = None,
) -> None:
    """Record domain event `name` for mill `mill_id` in the current transaction.

    `payload` is the contract's shape (REALTIME.md); `millId` and `seq` are added at commit.
    `summary`, `actor` ({id, name}) and `entity` ({type, id}) make it an activity-feed entry.
    """
    if name not in MILL_EVENT_NAMES:
        raise ValueError(f"{name!r} is not a mill event")
    session = _session()
    session.info.setdefault(_PENDING, []).append(
        PendingEvent(
            name=name,
            mill_id=uuid.UUID(str(mill_id)),
            payload=payload,
            summary=summary,
            actor=actor,
            entity=entity,
        )
    )


def after_commit(callback: Callable[[], None], *, session: Session | None = None) -> None:
    """Run `callback` once the current transaction commits; never if it rolls back.

    Pass `session` from inside a session event (a commit hook), where the session is the one committing.
    """
    (session or _session()).info.setdefault(_CALLBACKS, []).append(callback)


def pending_events() -> list[PendingEvent]:
    return list(_session().info.get(_PENDING, []))


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


def commit_hooks() -> tuple[Callable[[Session, list[PendingEvent]], None], ...]:
    """What runs on the pending events of a commit (imported late: they import this module)."""
    from ..notifications.rules import notify_for_events
    from .dashboard_push import push_after_commit

    return (notify_for_events, push_after_commit)


@event.listens_for(Session, "before_commit")
def _store_pending_events(session: Session) -> None:
    pending: list[PendingEvent] = session.info.pop(_PENDING, [])
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
    session.info.setdefault(_COMMITTED, []).extend(event_record(row) for row in rows)


@event.listens_for(Session, "after_commit")
def _dispatch_committed(session: Session) -> None:
    records: list[dict] = session.info.pop(_COMMITTED, [])
    callbacks = session.info.pop(_CALLBACKS, [])
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
    session.info.pop(_PENDING, None)
    session.info.pop(_COMMITTED, None)
    session.info.pop(_CALLBACKS, None)


@event.listens_for(Session, "after_soft_rollback")
def _discard_pending_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        _discard_pending(session)
