"""Notifications derived from committed domain events, in the same transaction."""

import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.models import Stock
from ricemill.inventory.stock import apply_movement
from ricemill.notifications.models import Notification, NotificationRecipient
from ricemill.realtime.outbox import publish
from tests.factories import make_mill, make_user
from tests.payloads import payload

from .conftest import notifications


def _stored(mill=None, title=None):
    stmt = sa.select(Notification).order_by(Notification.created_at)
    if mill is not None:
        stmt = stmt.where(Notification.mill_id == mill.id)
    if title is not None:
        stmt = stmt.where(Notification.title == title)
    return db.session.scalars(stmt).all()


def _recipients(row):
    return set(
        db.session.scalars(
            sa.select(NotificationRecipient.user_id).where(NotificationRecipient.notification_id == row.id)
        )
    )


def _purchase_created(mill, actor, purchase_id="p-1"):
    publish(
        "purchase:created",
        mill.id,
        {"purchase": {"id": purchase_id, "farmerName": "Suresh"}, "createdBy": actor.actor},
        actor=actor.actor,
        summary=f"{actor.name} recorded a purchase",
        entity={"type": "purchase", "id": purchase_id},
    )


def test_purchase_created_notifies_every_user_of_that_mill_with_the_seeds_message(emitted):
    mill, other = make_mill(), make_mill()
    ravi = make_user(Role.OPERATOR, mill, name="Ravi")
    owner = make_user(Role.MILL_ADMIN, mill)
    stranger = make_user(Role.OPERATOR, other)
    _purchase_created(mill, ravi)
    assert _stored(mill) == []  # nothing before the commit
    db.session.commit()
    [row] = _stored(mill)
    assert (row.type, row.title, row.message, row.data) == (
        "success", "New Purchase", "Ravi created a new purchase", {"purchaseId": "p-1", "actorId": str(ravi.id)},
    )  # fmt: skip
    assert _recipients(row) == {ravi.id, owner.id}
    assert _stored(other) == [] and stranger.id not in _recipients(row)
    [(fn, _, payload, room)] = notifications(emitted)
    assert fn == "to_mill" and str(room) == str(mill.id)
    assert {k: payload[k] for k in ("type", "title", "message", "data")} == {
        "type": "success", "title": "New Purchase", "message": "Ravi created a new purchase",
        "data": {"purchaseId": "p-1", "actorId": str(ravi.id)},  # the pages toast it for everyone but Ravi
    }  # fmt: skip


def test_a_rolled_back_purchase_notifies_nobody(emitted):
    mill = make_mill()
    ravi = make_user(Role.OPERATOR, mill, name="Ravi")
    _purchase_created(mill, ravi)
    db.session.rollback()
    db.session.commit()
    assert _stored(mill) == [] and notifications(emitted) == []


def test_milling_outturn_outside_the_typical_range_warns(emitted):
    mill = make_mill()
    make_user(Role.MANAGER, mill)
    for batch_id, outturn in (("b-ok", 67.5), ("b-low", 55.0), ("b-high", 80.25)):
        publish(
            "milling:completed",
            mill.id,
            payload(
                "milling:completed",
                batch={"id": batch_id, "variety": "Sona", "paddyInputKg": 1000, "outturnPercent": outturn},
            ),
        )
    db.session.commit()
    rows = _stored(mill, "Unusual outturn")
    assert sorted(r.data["batchId"] for r in rows) == ["b-high", "b-low"]
    assert all(r.type == "warning" for r in rows)
    assert any("55.00% rice" in r.message for r in rows)


def test_sale_payments_and_staff_left_notify_the_mill(emitted):
    mill = make_mill()
    clerk = make_user(Role.MANAGER, mill, name="Meena")
    publish("sale:created", mill.id, {"sale": {"id": "s-1"}, "createdBy": clerk.actor})
    publish("payment:received", mill.id, {"payment": {"id": "pay-1", "amount": 1250.5, "partyName": "Gupta"},
                                          "receivedBy": clerk.actor})  # fmt: skip
    publish("payment:made", mill.id, {"payment": {"id": "pay-2", "amount": 900, "partyName": "Suresh"},
                                      "madeBy": clerk.actor})  # fmt: skip
    publish("staff:left", mill.id, {"staff": {"id": "st-1", "name": "Kumar"}, "removedBy": clerk.actor})
    publish("purchase:updated", mill.id, {"purchase": {"id": "p"}, "updatedBy": clerk.actor})  # no notification
    db.session.commit()
    got = [(r.type, r.title, r.message, r.data) for r in _stored(mill)]
    assert got == [
        ("success", "New Sale", "Meena created a new sale", {"saleId": "s-1"}),
        ("success", "Payment Received", "Meena received ₹1,250.50 from Gupta", {"paymentId": "pay-1"}),
        ("info", "Payment Made", "Meena paid ₹900.00 to Suresh", {"paymentId": "pay-2"}),
        ("info", "Staff left", "Kumar left the mill", {"staffId": "st-1"}),
    ]


def test_low_stock_alerts_of_one_commit_make_one_notification_per_mill(emitted):
    mill = make_mill()
    make_user(Role.OPERATOR, mill)
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=1000, reason="in")
    apply_movement(mill_id=mill.id, stock_type="RICE", change=600, reason="in")
    db.session.execute(sa.update(Stock).where(Stock.mill_id == mill.id).values(min_stock_level=500))
    db.session.commit()
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=-600, reason="milling")  # 400 <= 500: medium
    apply_movement(mill_id=mill.id, stock_type="RICE", change=-600, reason="sold")  # 0: critical
    db.session.commit()
    [row] = _stored(mill, "Low stock")
    assert row.type == "warning"
    assert [(s["stockType"], s["severity"]) for s in row.data["stocks"]] == [("PADDY", "medium"), ("RICE", "critical")]
    assert row.message == "PADDY is low: 400 kg (minimum 500 kg); RICE is low: 0 kg (minimum 500 kg)"
