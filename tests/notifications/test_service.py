"""NotificationService: the seed's four targets, stored per recipient, emitted after commit only."""

import uuid

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.common.errors import Invalid, NotFound
from ricemill.extensions import db
from ricemill.notifications import service
from ricemill.notifications.models import Notification, NotificationRecipient
from tests.factories import make_mill, make_user

from .conftest import notifications

NOTE = {"type": "info", "title": "Hello", "message": "World", "data": {"k": 1}}


def _recipients(row) -> set:
    return set(
        db.session.scalars(
            sa.select(NotificationRecipient.user_id).where(NotificationRecipient.notification_id == row.id)
        )
    )


@pytest.fixture
def people():
    a, b = make_mill(), make_mill()
    owner_a = make_user(Role.MILL_ADMIN, a)
    operator_a = make_user(Role.OPERATOR, a)
    gone_a = make_user(Role.MANAGER, a)
    gone_a.is_active = False
    operator_b = make_user(Role.OPERATOR, b)
    admin = make_user(Role.SUPER_ADMIN)
    gone_admin = make_user(Role.SUPER_ADMIN)
    gone_admin.is_active = False
    db.session.commit()
    return {
        "a": a, "b": b, "owner_a": owner_a, "operator_a": operator_a, "gone_a": gone_a,
        "operator_b": operator_b, "admin": admin, "gone_admin": gone_admin,
    }  # fmt: skip


def test_send_to_user_stores_one_recipient_and_emits_to_their_room_after_commit(people, emitted):
    user = people["operator_a"]
    row = service.send_to_user(user.id, NOTE)
    assert notifications(emitted) == []  # not before the commit
    db.session.commit()
    assert _recipients(row) == {user.id}
    [(fn, _, payload, room)] = notifications(emitted)
    assert (fn, room) == ("to_user", user.id)
    assert payload == {
        "id": str(row.id), "type": "info", "title": "Hello", "message": "World", "data": {"k": 1},
        "createdAt": row.created_at.isoformat(),
    }  # fmt: skip
    stored = db.session.get(Notification, row.id)
    assert stored.target == "user" and stored.mill_id == user.mill_id


def test_send_to_mill_reaches_only_that_mills_active_users(people, emitted):
    row = service.send_to_mill(people["a"].id, NOTE)
    db.session.commit()
    assert _recipients(row) == {people["owner_a"].id, people["operator_a"].id}
    [(fn, _, payload, room)] = notifications(emitted)
    assert (fn, str(room)) == ("to_mill", str(people["a"].id)) and payload["id"] == str(row.id)


def test_send_to_admins_reaches_active_super_admins_only(people, emitted):
    row = service.send_to_admins(NOTE)
    db.session.commit()
    recipients = _recipients(row)
    assert people["admin"].id in recipients and people["gone_admin"].id not in recipients
    assert {people["owner_a"].id, people["operator_b"].id}.isdisjoint(recipients)
    assert [item[0] for item in notifications(emitted)] == ["to_admins"]


def test_broadcast_reaches_every_active_user(people, emitted):
    row = service.broadcast(NOTE)
    db.session.commit()
    recipients = _recipients(row)
    active = {people[k].id for k in ("owner_a", "operator_a", "operator_b", "admin")}
    assert active <= recipients
    assert people["gone_a"].id not in recipients and people["gone_admin"].id not in recipients
    assert [item[0] for item in notifications(emitted)] == ["broadcast"]


def test_rolled_back_notification_is_neither_stored_nor_emitted(people, emitted):
    row = service.send_to_mill(people["a"].id, NOTE)
    row_id = row.id
    db.session.rollback()
    db.session.commit()
    assert notifications(emitted) == []
    assert db.session.get(Notification, row_id) is None
    # The next transaction is not haunted by the rolled-back one.
    again = service.send_to_user(people["admin"].id, NOTE)
    db.session.commit()
    assert [item[2]["id"] for item in notifications(emitted)] == [str(again.id)]


def test_several_notifications_of_one_transaction_are_all_emitted_in_order(people, emitted):
    first = service.send_to_user(people["owner_a"].id, NOTE)
    second = service.send_to_mill(people["b"].id, dict(NOTE, type="warning"))
    db.session.commit()
    assert [item[2]["id"] for item in notifications(emitted)] == [str(first.id), str(second.id)]


def test_unknown_type_and_unknown_user_are_refused(people):
    with pytest.raises(Invalid):
        service.send_to_mill(people["a"].id, dict(NOTE, type="shout"))
    with pytest.raises(NotFound):
        service.send_to_user(uuid.uuid4(), NOTE)


@pytest.mark.committed
def test_committed_notifications_are_marked_dispatched_and_the_relay_sends_the_rest(app, emitted):
    from datetime import timedelta

    with app.app_context():
        mill = make_mill()
        make_user(Role.OPERATOR, mill)
        sent = service.send_to_mill(mill.id, NOTE)
        db.session.commit()
        service.flush_marking()  # marked in the background, batched
        assert db.session.get(Notification, sent.id).dispatched_at is not None
        # A crash between commit and emit: stored, never dispatched.
        lost = Notification(target="mill", mill_id=mill.id, type="warning", title="Lost", message="crash", data={})
        db.session.add(lost)
        db.session.commit()
        emitted.clear()
        assert service.relay_undispatched(grace=timedelta(0)) == 1
        db.session.commit()
        [(fn, _, payload, room)] = notifications(emitted)
        assert (fn, str(room), payload["id"], payload["title"]) == ("to_mill", str(mill.id), str(lost.id), "Lost")
        assert db.session.get(Notification, lost.id).dispatched_at is not None
        assert service.relay_undispatched(grace=timedelta(0)) == 0
        db.session.remove()
