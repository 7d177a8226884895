"""The outbox's dispatch after commit (realtime/outbox/dispatch.py): the frames of a commit's events
are handed to the sockets before dispatch returns; and the background marking of dispatched rows
(realtime/outbox/marking.py): the rows every marker queued in a burst are marked together, one
transaction for all tables, and one table's failure leaves the others marked."""

import pytest
import sqlalchemy as sa

from ricemill.extensions import db
from ricemill.notifications import service as notification_service
from ricemill.notifications.models import Notification
from ricemill.realtime.outbox import dispatch, marking
from ricemill.realtime.outbox.models import MillEvent
from ricemill.realtime.sockets import fastpath
from tests.factories import make_mill

pytestmark = pytest.mark.committed


def _rows(mill_id, count: int) -> tuple[list[int], list]:
    events = [MillEvent(mill_id=mill_id, seq=n, name="stock:updated", payload={"seq": n}) for n in range(1, count + 1)]
    notes = [
        Notification(target="mill", mill_id=mill_id, type="info", title=f"n{n}", message="m", data={})
        for n in range(count)
    ]
    db.session.add_all(events + notes)
    db.session.commit()
    return [e.id for e in events], [n.id for n in notes]


def _undispatched() -> dict:
    return {
        model.__tablename__: db.session.scalar(
            sa.select(sa.func.count()).select_from(model).where(model.dispatched_at.is_(None))
        )
        for model in (MillEvent, Notification)
    }


def _queue_both(app, event_ids, note_ids) -> None:
    """As the dispatchers do after their emits: a burst of small queues on both markers."""
    for event_id, note_id in zip(event_ids, note_ids, strict=True):
        dispatch._marker.queue(app, [event_id])
        notification_service._marker.queue(app, [note_id])


def test_a_burst_on_both_tables_is_one_transaction(app):
    with app.app_context():
        event_ids, note_ids = _rows(make_mill().id, 6)
        assert _undispatched() == {"mill_events": 6, "notifications": 6}
        db.session.remove()
        commits, updates = [], []
        on_commit = lambda conn: commits.append(1)  # noqa: E731
        on_execute = lambda conn, cursor, statement, *rest: updates.append(statement)  # noqa: E731
        sa.event.listen(db.engine, "commit", on_commit)
        sa.event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            _queue_both(app, event_ids, note_ids)
            marking.flush_all()
        finally:
            sa.event.remove(db.engine, "commit", on_commit)
            sa.event.remove(db.engine, "before_cursor_execute", on_execute)
        assert _undispatched() == {"mill_events": 0, "notifications": 0}
        assert len(commits) == 1
        assert sorted(s.split()[1] for s in updates if s.startswith("UPDATE")) == ["mill_events", "notifications"]
        db.session.remove()


def test_one_tables_failure_leaves_the_others_marked(app, monkeypatch):
    with app.app_context():
        event_ids, note_ids = _rows(make_mill().id, 3)
        db.session.remove()
        marker = notification_service._marker

        def broken(conn, ids):
            raise sa.exc.OperationalError("UPDATE notifications", {}, Exception("lock timeout"))

        monkeypatch.setattr(marker, "_update", broken)
        _queue_both(app, event_ids, note_ids)
        marking.flush_all()
        assert _undispatched() == {"mill_events": 0, "notifications": 3}  # the relay sends these again
        db.session.remove()


class HeldSocket:
    """A websocket whose frames the fast path holds until it is uncorked (as `_cork` lists it)."""

    def __init__(self):
        self.frames, self.sent = [], []

    def write(self, frame):
        if not self.frames:
            fastpath._corked.append(self)
        self.frames.append(frame)

    def _uncork(self):
        self.sent.extend(self.frames)
        self.frames = []


def test_a_commits_events_leave_before_dispatch_returns(app, monkeypatch):
    """Under eventlet the frames would otherwise wait for the hub's next turn, behind the rest of
    the request and every other ready green thread."""
    from ricemill.inventory.stock import apply_movement

    monkeypatch.setattr(fastpath, "_corked", [])
    sock = HeldSocket()
    monkeypatch.setattr(dispatch.emitter, "to_mill", lambda event, payload, mill_id: sock.write(event))
    monkeypatch.setattr(dispatch.emitter, "to_mill_and_admins", lambda event, payload, mill_id: sock.write(event))
    with app.app_context():
        mill = make_mill()
        apply_movement(mill_id=mill.id, stock_type="BRAN", change=1, reason="t")
        db.session.commit()  # the dispatcher runs here
        assert sock.sent and "stock:updated" in sock.sent
        assert sock.frames == [] and sock not in fastpath._corked
        dispatch.flush_marking()
        db.session.remove()
