"""The one publish path for domain events (transactional outbox), see docs/realtime.md.

A service calls `publish(...)` while it works. Nothing is written or sent then: at commit time
(`before_commit`, store.py) the pending events of each mill get the next numbers of that mill's
gapless sequence and are inserted in the same transaction as the change; once the commit has
succeeded (`after_commit`) they are handed to the dispatcher, which emits them. A rollback
discards them.

`after_commit(fn)` queues any other side effect (disconnecting a user's sockets, say) to run only
once the transaction that made it true has committed.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from ...extensions import db
from ..events import MILL_EVENT_NAMES, check_server_payload

log = logging.getLogger(__name__)

PENDING = "ricemill.pending_events"
CALLBACKS = "ricemill.after_commit"
COMMITTED = "ricemill.committed_events"


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

    `payload` is the event's contract (its schema in the domain's events.py, docs/realtime.md);
    `millId` and `seq` are added at commit. With validation on (VALIDATE_EVENTS, debug, testing) a
    payload that breaks its contract raises EventContractError here, in the writer.
    `summary`, `actor` ({id, name}) and `entity` ({type, id}) make it an activity-feed entry.
    """
    if name not in MILL_EVENT_NAMES:
        raise ValueError(f"{name!r} is not a mill event")
    check_server_payload(name, {**payload, "millId": str(mill_id), "seq": 1})
    session = _session()
    session.info.setdefault(PENDING, []).append(
        PendingEvent(
            name=name,
            mill_id=uuid.UUID(str(mill_id)),
            payload=payload,
            summary=summary,
            actor=actor,
            entity=entity,
        )
    )


def publish_document_event(
    name: str, mill_id, key: str, value, *, by: str, actor, summary: str, entity_type: str, entity_id
) -> None:
    """The usual shape of a document's event: `{key: value, by: {id, name}}`, in the activity feed as
    `actor` doing `summary` to the document (`entity_type`, `entity_id`). `actor` has an `.actor` dict."""
    publish(
        name,
        mill_id,
        {key: value, by: actor.actor},
        actor=actor.actor,
        summary=summary,
        entity={"type": entity_type, "id": str(entity_id)},
    )


def after_commit(callback: Callable[[], None], *, session: Session | None = None) -> None:
    """Run `callback` once the current transaction commits; never if it rolls back.

    Pass `session` from inside a session event (a commit hook), where the session is the one committing.
    """
    (session or _session()).info.setdefault(CALLBACKS, []).append(callback)


def pending_events() -> list[PendingEvent]:
    return list(_session().info.get(PENDING, []))
