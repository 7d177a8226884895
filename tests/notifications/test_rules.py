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
        {
            "purchase": {"id": purchase_id, "farmerName": "Suresh", "amount": 120600, "netWeightKg": 5625.25},
            "createdBy": actor.actor,
        },
        actor=actor.actor,
        summary=f"{actor.name} recorded a purchase",
        entity={"type": "purchase", "id": purchase_id},
    )


def _link(kind, doc_id, url, actor=None, **machine):
    data = {**machine, "entity": {"type": kind, "id": doc_id}, "url": url}
    if actor is not None:
        data["actorId"] = str(actor.id)  # the pages toast it for everyone but the author
    return data


def test_purchase_created_notifies_every_user_of_that_mill_naming_party_and_amount(emitted):
    mill, other = make_mill(), make_mill()
    ravi = make_user(Role.OPERATOR, mill, name="Ravi")
    owner = make_user(Role.MILL_ADMIN, mill)
    stranger = make_user(Role.OPERATOR, other)
    _purchase_created(mill, ravi)
    assert _stored(mill) == []  # nothing before the commit
    db.session.commit()
    [row] = _stored(mill)
    message = "Purchase from Suresh: ₹1,20,600.00 for 5,625.3 kg (56.3 q) of paddy, by Ravi"
    data = _link("purchase", "p-1", "/documents/purchases?id=p-1", ravi, purchaseId="p-1")
    assert (row.type, row.title, row.message, row.data) == ("success", "New purchase", message, data)
    assert _recipients(row) == {ravi.id, owner.id}
    assert _stored(other) == [] and stranger.id not in _recipients(row)
    [(fn, _, payload, room)] = notifications(emitted)
    assert fn == "to_mill" and str(room) == str(mill.id)
    assert {k: payload[k] for k in ("type", "title", "message", "data")} == {
        "type": "success", "title": "New purchase", "message": message, "data": data,
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
    assert any(r.message == "Batch of 1,000 kg (10 q) of Sona gave 55% rice (typical 64–72%)" for r in rows)
    assert {r.data["url"] for r in rows} == {"/milling"}


def test_sale_payments_and_staff_left_notify_the_mill(emitted):
    mill = make_mill()
    clerk = make_user(Role.MANAGER, mill, name="Meena")
    sale = {"id": "s-1", "buyerName": "Ravi Traders", "amount": 120600, "quantityKg": 3000, "stockType": "BROKEN_RICE",
            "invoiceNo": 12}  # fmt: skip
    publish("sale:created", mill.id, {"sale": sale, "createdBy": clerk.actor})
    publish("payment:received", mill.id, {"payment": {"id": "pay-1", "amount": 1250.5, "partyName": "Gupta",
                                                      "mode": "UPI"}, "receivedBy": clerk.actor})  # fmt: skip
    publish("payment:made", mill.id, {"payment": {"id": "pay-2", "amount": 900, "partyName": "Suresh", "mode": "BANK"},
                                      "madeBy": clerk.actor})  # fmt: skip
    publish("staff:left", mill.id, {"staff": {"id": "st-1", "name": "Kumar"}, "removedBy": clerk.actor})
    publish("purchase:updated", mill.id, {"purchase": {"id": "p"}, "updatedBy": clerk.actor})  # no notification
    db.session.commit()
    got = [(r.type, r.title, r.message, r.data) for r in _stored(mill)]
    assert got == [
        ("success", "New sale", "Sale to Ravi Traders: ₹1,20,600.00 for 3,000 kg (30 q) of Broken rice, invoice 12,"
         " by Meena", _link("sale", "s-1", "/documents/sales?id=s-1", saleId="s-1")),
        ("success", "Payment received", "Payment from Gupta: ₹1,250.50 (UPI), received by Meena",
         _link("payment", "pay-1", "/documents/payments?id=pay-1", paymentId="pay-1")),
        ("info", "Payment made", "Payment to Suresh: ₹900.00 (Bank transfer), paid by Meena",
         _link("payment", "pay-2", "/documents/payments?id=pay-2", paymentId="pay-2")),
        ("info", "Staff left", "Kumar left the mill (recorded by Meena)",
         _link("staff", "st-1", "/documents/staff?id=st-1", staffId="st-1")),
    ]  # fmt: skip


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
    assert row.message == "Paddy is low: 400 kg left, minimum 500 kg; Rice is low: 0 kg left, minimum 500 kg"
    assert (row.data["url"], row.data["entity"], "actorId" in row.data) == (
        "/stock",
        {"type": "stock", "id": "PADDY"},
        False,
    )


def test_notifications_of_several_mills_in_one_commit_ride_with_the_events(emitted):
    """Each notification of a commit is stored by the statement that stores the events (the first
    mill's), with its own recipients, whichever mill it is for."""
    mill, other = make_mill(), make_mill()
    ravi, meena = make_user(Role.OPERATOR, mill, name="Ravi"), make_user(Role.OPERATOR, other, name="Meena")
    owner = make_user(Role.MILL_ADMIN, other)
    _purchase_created(mill, ravi, "p-1")
    _purchase_created(other, meena, "p-2")
    _purchase_created(other, meena, "p-3")
    db.session.commit()
    [one] = _stored(mill)
    assert one.data["purchaseId"] == "p-1" and _recipients(one) == {ravi.id}
    rows = _stored(other)
    assert sorted(r.data["purchaseId"] for r in rows) == ["p-2", "p-3"]
    assert all(_recipients(r) == {meena.id, owner.id} for r in rows)
    assert len(notifications(emitted)) == 3
