"""NotificationService: the seed's four targets, stored per recipient and emitted after commit.

`send_to_user`, `send_to_mill`, `send_to_admins` and `broadcast` take the seed's notification
`{type, title, message, data}`. Beyond the seed, each call writes one `Notification` row and one
`NotificationRecipient` row per recipient (the user; every active user of the mill; every active
SUPER_ADMIN; every active user) in the caller's transaction. Once that transaction has committed,
the notification is emitted as `notification {id, type, title, message, data, createdAt}` to the
target's rooms and then marked `dispatched_at` by a background task (batched: the write does not
wait for it); a rollback stores and emits nothing. If the process dies between commit and emit,
`relay_undispatched()` (a scheduler job) sends it later.

Like every service, these flush but never commit.
"""

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session, make_transient_to_detached

from ..auth.models import User
from ..auth.roles import Role
from ..common.errors import Invalid, NotFound
from ..common.listing import search_filter_sort_paginate
from ..extensions import db
from ..realtime.events import SERVER_EVENTS
from ..realtime.outbox import after_commit
from ..realtime.outbox import with_events as with_events_statement
from ..realtime.outbox.marking import DispatchMarker
from ..realtime.sockets import emitter
from .models import Notification, NotificationRecipient, NotificationTarget, NotificationType

log = logging.getLogger(__name__)

EVENT = SERVER_EVENTS["NOTIFICATION"]
_QUEUED = "ricemill.pending_notifications"
# The relay leaves alone what the normal after-commit path is probably sending right now.
RELAY_GRACE = timedelta(seconds=10)
RELAY_BATCH = 500

_marker = DispatchMarker(Notification.__table__, "notifications")


def send_to_user(user_id, notification: dict, *, session: Session | None = None) -> Notification:
    """To one user (their `user:{id}` room)."""
    session = session or db.session()
    user = session.get(User, uuid.UUID(str(user_id)))
    if user is None:
        raise NotFound("User not found")
    return _store(session, NotificationTarget.USER, notification, user_id=user.id, mill_id=user.mill_id)


def send_to_mill(
    mill_id, notification: dict, *, session: Session | None = None, with_events: bool = False
) -> Notification:
    """To every active user of the mill (`mill:{id}` room). `with_events` (only from an outbox commit
    hook): stored by the statement that stores the commit's events."""
    session = session or db.session()
    return _store(
        session, NotificationTarget.MILL, notification, mill_id=uuid.UUID(str(mill_id)), with_events=with_events
    )


def send_to_admins(notification: dict, *, session: Session | None = None) -> Notification:
    """To every active SUPER_ADMIN (`admin` room)."""
    session = session or db.session()
    return _store(session, NotificationTarget.ADMINS, notification)


def broadcast(notification: dict, *, session: Session | None = None) -> Notification:
    """To every active user (every connection of the default namespace)."""
    session = session or db.session()
    return _store(session, NotificationTarget.BROADCAST, notification)


# Each target's recipients (`:{p}recipient_id` is the user of USER, the mill of MILL).
_RECIPIENTS = {
    NotificationTarget.USER: "users.id = CAST(:{p}recipient_id AS uuid)",
    NotificationTarget.MILL: "users.mill_id = CAST(:{p}recipient_id AS uuid) AND users.is_active IS true",
    NotificationTarget.ADMINS: f"users.role = '{Role.SUPER_ADMIN.value}' AND users.is_active IS true",
    NotificationTarget.BROADCAST: "users.is_active IS true",
}


def _store_ctes(recipients: str) -> str:
    """The notification row and its recipients as two data-modifying CTEs (names and binds prefixed
    `{p}`, the outbox's convention for `with_events`): one statement however many users the target
    has. Text with its casts, as the events' statement is: the outbox puts them in front of it."""
    return f"""
    {{p}}notification AS (
        INSERT INTO notifications (id, target, mill_id, type, title, message, data, created_at)
        VALUES (CAST(:{{p}}id AS uuid), :{{p}}target, CAST(:{{p}}mill_id AS uuid), :{{p}}type, :{{p}}title,
                :{{p}}message, CAST(:{{p}}data AS jsonb), :{{p}}created_at)
        RETURNING id
    ),
    {{p}}recipients AS (
        INSERT INTO notification_recipients (notification_id, user_id)
        SELECT {{p}}notification.id, users.id FROM {{p}}notification JOIN users ON {recipients}
    )
    """  # noqa: S608 - constants only: `recipients` is one of _RECIPIENTS


# Built once per target: alone (a send outside a commit hook) or carried by the events' statement.
_CTES = {target: _store_ctes(recipients) for target, recipients in _RECIPIENTS.items()}
_STORE = {target: sa.text("WITH " + ctes.format(p="") + " SELECT 1") for target, ctes in _CTES.items()}


def _store(
    session: Session, target, notification: dict, *, user_id=None, mill_id=None, with_events: bool = False
) -> Notification:
    kind = notification.get("type")
    if kind not in NotificationType.__members__.values():
        raise Invalid("Unknown notification type", errors=[{"field": "type", "message": f"not one of {_types()}"}])
    row = Notification(
        id=uuid.uuid4(),
        target=target,
        mill_id=mill_id,
        type=NotificationType(kind),
        title=notification["title"],
        message=notification["message"],
        data=notification.get("data") or {},
        # Set here (not by the server) so the emitted payload needs no read-back after commit.
        created_at=datetime.now(UTC),
    )
    # Every value is known here (id, created_at), so nothing is read back; the row then joins the
    # session as persistent, without a flush.
    params = {
        "id": str(row.id), "target": row.target.value, "mill_id": str(mill_id) if mill_id else None,
        "type": row.type.value, "title": row.title, "message": row.message, "data": json.dumps(row.data),
        "created_at": row.created_at,
    }  # fmt: skip
    if target in (NotificationTarget.USER, NotificationTarget.MILL):
        params["recipient_id"] = str(user_id if target == NotificationTarget.USER else mill_id)
    if with_events:  # from the outbox's commit hook: stored in the events' statement, one round trip less
        with_events_statement(session, _CTES[target], params)
    else:
        session.connection().execute(_STORE[target], params)  # Core: no ORM step
    make_transient_to_detached(row)
    session.add(row)
    queued = session.info.get(_QUEUED)
    if queued is None:
        queued = session.info[_QUEUED] = []
        after_commit(lambda: _emit_and_mark(session.info.pop(_QUEUED, [])), session=session)
    queued.append((payload(row), target, user_id, mill_id))
    return row


@event.listens_for(Session, "after_rollback")
def _discard_queued(session: Session) -> None:
    session.info.pop(_QUEUED, None)


@event.listens_for(Session, "after_soft_rollback")
def _discard_queued_soft(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_QUEUED, None)


def _types() -> str:
    return ", ".join(t.value for t in NotificationType)


def payload(row: Notification) -> dict:
    """The socket payload: the seed's `{id, type, title, message, data}` plus `createdAt`."""
    return {
        "id": str(row.id),
        "type": str(row.type.value if hasattr(row.type, "value") else row.type),
        "title": row.title,
        "message": row.message,
        "data": row.data or {},
        "createdAt": row.created_at.isoformat() if row.created_at else None,
    }


def _emit(item: dict, target, user_id, mill_id) -> None:
    target = NotificationTarget(target)
    if target == NotificationTarget.USER:
        emitter.to_user(EVENT, item, user_id)
    elif target == NotificationTarget.MILL:
        emitter.to_mill(EVENT, item, mill_id)
    elif target == NotificationTarget.ADMINS:
        emitter.to_admins(EVENT, item)
    else:
        emitter.broadcast(EVENT, item)


def _emit_and_mark(queued: list) -> None:
    """After commit: emit each notification and send the frames at once (the request that committed
    goes on until it next waits; they would wait for it), then have them marked dispatched in the
    background (batched, so that a write's latency does not grow by a transaction)."""
    sent = []
    for item, target, user_id, mill_id in queued:
        try:
            _emit(item, target, user_id, mill_id)
            sent.append(uuid.UUID(item["id"]))
        except Exception:  # the relay sends it again
            log.exception("Emitting notification %s failed", item["id"])
    emitter.send_now()  # like the outbox's dispatch: the frames leave now, not at the hub's next turn
    if sent:
        _queue_marking(sent)


def _queue_marking(ids: list[uuid.UUID]) -> None:
    _marker.queue(current_app._get_current_object() if has_app_context() else None, ids)


def flush_marking(timeout: float = 5.0) -> None:
    """Wait until the queued ids are marked (tests, shutdown)."""
    _marker.flush(timeout)


def relay_undispatched(*, grace: timedelta = RELAY_GRACE, limit: int = RELAY_BATCH) -> int:
    """Emit the notifications a crash left undispatched (older than `grace`); returns how many.

    Runs in the caller's transaction (the scheduler's job commits it). SKIP LOCKED lets two relays
    share the work instead of sending the same rows twice.
    """
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.dispatched_at.is_(None), Notification.created_at < sa.func.now() - grace)
        .order_by(Notification.created_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return 0
    user_ids = {}
    for row in rows:
        if row.target == NotificationTarget.USER:
            user_ids[row.id] = db.session.scalar(
                sa.select(NotificationRecipient.user_id).where(NotificationRecipient.notification_id == row.id)
            )
    for row in rows:
        _emit(payload(row), row.target, user_ids.get(row.id), row.mill_id)
        row.dispatched_at = sa.func.now()
    db.session.flush()
    log.info("Relayed %d undispatched notifications", len(rows))
    return len(rows)


def list_for_user(user_id, *, query: dict) -> tuple[list, dict]:
    """A page of the user's notifications, newest first, each row (Notification, read_at);
    `unread=true` keeps the unread ones (false means no filter)."""
    return search_filter_sort_paginate(
        sa.select(Notification, NotificationRecipient.read_at)
        .join(NotificationRecipient, NotificationRecipient.notification_id == Notification.id)
        .where(NotificationRecipient.user_id == user_id),
        query,
        filters={"unread": lambda unread: NotificationRecipient.read_at.is_(None) if unread else None},
        sort=(Notification.created_at.desc(), Notification.id.desc()),
        rows=True,
    )


def unread_count(user_id) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(NotificationRecipient)
        .where(NotificationRecipient.user_id == user_id, NotificationRecipient.read_at.is_(None))
    )


def mark_read(*, user, notification_id) -> tuple[Notification, datetime]:
    """Mark one of the user's notifications read; someone else's (or none) is NotFound."""
    recipient = db.session.get(NotificationRecipient, (notification_id, user.id))
    if recipient is None:
        raise NotFound("Notification not found")
    if recipient.read_at is None:
        recipient.read_at = datetime.now(UTC)
        db.session.flush()
    return db.session.get(Notification, notification_id), recipient.read_at


def mark_all_read(*, user) -> int:
    result = db.session.execute(
        sa.update(NotificationRecipient)
        .where(NotificationRecipient.user_id == user.id, NotificationRecipient.read_at.is_(None))
        .values(read_at=sa.func.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
