"""Storing the pending events at commit, and handing them to the dispatcher after it.

Commit hooks: just before the pending events are stored, the registered hooks run with them
(`hook(session, pending)`), in the same transaction. They derive what follows from the events
themselves, so that a domain service only ever calls `publish()`: the notifications a mill wants
(`ricemill.notifications.rules`) and the live dashboard push of each mill that changed
(`ricemill.dashboard.push`); `ricemill.realtime.setup` registers them, as it installs the
dispatcher. A hook may write rows and queue after-commit callbacks; it must not publish (the
pending list is already taken). A hook's own rows may ride in the events' statement
(`with_events`): data-modifying CTEs stored in the same round trip as the events.
"""

import json
import logging
import uuid
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from .models import MillEvent
from .publish import CALLBACKS, COMMITTED, PENDING, PendingEvent

log = logging.getLogger(__name__)

COMPANIONS = "ricemill.event_companions"

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
    records: list[dict] = []
    companions = session.info.pop(COMPANIONS, [])
    # Sorted so that two transactions touching the same mills lock their counters in one order.
    for mill_id in sorted(by_mill, key=str):
        records.extend(_store_mill_events(session, mill_id, by_mill[mill_id], companions))
        companions = []  # the first mill's statement carries them
    session.info.setdefault(COMMITTED, []).extend(records)


def with_events(session: Session, ctes: str, params: dict) -> None:
    """From a commit hook: run `ctes` in the statement that stores this commit's events, one round
    trip instead of two. `ctes` is a constant text of data-modifying CTEs (`{p}name AS (INSERT ...)`,
    comma-separated, nothing read back), whose CTE names and binds start with `{p}`: each call's get
    a prefix of their own, so that one commit may carry several (`params` are given unprefixed)."""
    session.info.setdefault(COMPANIONS, []).append((ctes, params))


# One statement per mill, as text: a VALUES list of the rows' own values would make SQLAlchemy
# compile the statement anew for every write (its cache key would hold the data); arrays do not.
_RESERVE_AND_INSERT = """
    reserved AS (
        INSERT INTO mill_sequences (mill_id, name, last_value) VALUES (CAST(:mill_id AS uuid), 'event', :count)
        ON CONFLICT (mill_id, name) DO UPDATE SET last_value = mill_sequences.last_value + :count
        RETURNING last_value
    )
    INSERT INTO mill_events (mill_id, seq, name, payload, summary, actor_id, actor_name, entity_type, entity_id)
    SELECT CAST(:mill_id AS uuid), reserved.last_value - :count + p.ord, p.name,
           p.payload || jsonb_build_object('seq', reserved.last_value - :count + p.ord),
           p.summary, p.actor_id, p.actor_name, p.entity_type, p.entity_id
    FROM reserved, unnest(
        CAST(:names AS varchar[]), CAST(:payloads AS jsonb[]), CAST(:summaries AS varchar[]),
        CAST(:actor_ids AS uuid[]), CAST(:actor_names AS varchar[]), CAST(:entity_types AS varchar[]),
        CAST(:entity_ids AS varchar[])
    ) WITH ORDINALITY AS p(name, payload, summary, actor_id, actor_name, entity_type, entity_id, ord)
    RETURNING id, seq, created_at
    """
# The columns RETURNING gives, declared: SQLAlchemy then keeps the result's description with the
# compiled statement instead of building it from the cursor's on every write.
_RETURNED = (
    sa.column("id", MillEvent.__table__.c.id.type),
    sa.column("seq", MillEvent.__table__.c.seq.type),
    sa.column("created_at", MillEvent.__table__.c.created_at.type),
)
_STORE_EVENTS = sa.text("WITH" + _RESERVE_AND_INSERT).columns(*_RETURNED)
# The events' statement with companion CTEs in front, per tuple of their texts (a few constants).
_WITH_COMPANIONS: dict[tuple[str, ...], sa.TextualSelect] = {}


def _statement(companions: list[tuple[str, dict]]) -> tuple[sa.TextualSelect, dict]:
    """The events' statement carrying `companions`, and the companions' binds (prefixed)."""
    if not companions:
        return _STORE_EVENTS, {}
    texts = tuple(ctes for ctes, _ in companions)
    statement = _WITH_COMPANIONS.get(texts)
    if statement is None:
        parts = [ctes.format(p=f"c{n}_") for n, ctes in enumerate(texts)]
        statement = sa.text("WITH " + ", ".join(parts) + "," + _RESERVE_AND_INSERT).columns(*_RETURNED)
        _WITH_COMPANIONS[texts] = statement
    params = {f"c{n}_{key}": value for n, (_, values) in enumerate(companions) for key, value in values.items()}
    return statement, params


def _store_mill_events(
    session: Session, mill_id: uuid.UUID, items: list[PendingEvent], companions: list[tuple[str, dict]] = ()
) -> list[dict]:
    """One statement per mill: reserve `len(items)` numbers of the mill's event sequence (a
    data-modifying CTE, which locks the counter row until commit) and insert the events numbered
    from them. Each payload gets `millId` and its `seq` in SQL; the records are built here from the
    same values and what RETURNING gives back (id, seq, created_at). `companions` (`with_events`)
    ride in the same statement."""
    count = len(items)
    rows = []
    for item in items:
        actor, entity = item.actor or {}, item.entity or {}
        rows.append(
            (
                item.name, dict(item.payload, millId=str(mill_id)), item.summary,
                str(uuid.UUID(actor["id"])) if actor.get("id") else None, actor.get("name"),
                entity.get("type"), str(entity["id"]) if entity.get("id") else None,
            )
        )  # fmt: skip
    names, payloads, summaries, actor_ids, actor_names, entity_types, entity_ids = zip(*rows, strict=True)
    params = {
        "mill_id": str(mill_id),
        "count": count,
        "names": list(names),
        "payloads": [json.dumps(payload) for payload in payloads],
        "summaries": list(summaries),
        "actor_ids": list(actor_ids),
        "actor_names": list(actor_names),
        "entity_types": list(entity_types),
        "entity_ids": list(entity_ids),
    }
    statement, more = _statement(list(companions))
    stored = {row.seq: row for row in session.connection().execute(statement, params | more)}  # Core: no ORM step
    last = max(stored)
    out = []
    for offset, (name, payload, summary, actor_id, actor_name, entity_type, entity_id) in enumerate(rows):
        number = last - count + 1 + offset
        row = stored[number]
        out.append(
            {
                "id": row.id,
                "millId": str(mill_id),
                "seq": number,
                "name": name,
                "payload": dict(payload, seq=number),
                "summary": summary,
                "actor": {"id": str(actor_id), "name": actor_name} if actor_id else None,
                "entity": {"type": entity_type, "id": entity_id} if entity_type else None,
                "at": row.created_at.isoformat() if row.created_at else None,
            }
        )
    return out


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
    session.info.pop(COMPANIONS, None)


@event.listens_for(Session, "after_soft_rollback")
def _discard_pending_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        _discard_pending(session)
