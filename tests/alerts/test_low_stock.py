"""The periodic low-stock check (inventory/low_stock.py) over every mill, in one query."""

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.low_stock import check_low_stock, get_severity, low_stock_query
from ricemill.inventory.models import Stock
from ricemill.inventory.stock import apply_movement
from ricemill.mills.models import Mill
from ricemill.notifications.models import Notification, NotificationRecipient
from ricemill.realtime.outbox.models import MillEvent
from tests.factories import make_mill, make_user


def _stock(mill, stock_type, quantity, minimum):
    if quantity:
        apply_movement(mill_id=mill.id, stock_type=stock_type, change=quantity, reason="opening")
    db.session.execute(
        sa.update(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == stock_type).values(min_stock_level=minimum)
    )


@pytest.fixture
def mills():
    low, fine, no_minimum, closed = make_mill("Low"), make_mill("Fine"), make_mill("No minimum"), make_mill("Closed")
    for mill in (low, fine, no_minimum, closed):
        make_user(Role.OPERATOR, mill)
    _stock(low, "PADDY", 0, 1000)  # critical
    _stock(low, "RICE", 500, 1000)  # exactly half: high
    _stock(low, "BRAN", 1000, 1000)  # at the minimum: medium
    _stock(low, "HUSK", 1000.001, 1000)  # just above: not low
    _stock(low, "BROKEN_RICE", 0, 0)  # no minimum: never
    _stock(fine, "PADDY", 5000, 1000)
    _stock(no_minimum, "PADDY", 0, 0)
    _stock(no_minimum, "RICE", 0, 0)
    _stock(closed, "PADDY", 0, 1000)
    db.session.execute(sa.update(Mill).where(Mill.id == closed.id).values(is_active=False))
    db.session.commit()
    return {"low": low, "fine": fine, "no_minimum": no_minimum, "closed": closed}


@pytest.fixture
def statements(mills):
    """Every SQL statement sent from now on (the transaction is begun first: its SAVEPOINT is not the job's)."""
    seen = []
    db.session.connection()
    me = threading.get_ident()  # not background work of the same engine (marking events dispatched)

    def count(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() == me:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def _low_alerts(mill):
    return db.session.execute(
        sa.select(MillEvent.seq, MillEvent.payload, MillEvent.summary)
        .where(MillEvent.mill_id == mill.id, MillEvent.name == "stock:low-alert")
        .order_by(MillEvent.seq)
    ).all()


def test_finds_the_right_stocks_of_the_right_mills_with_their_severity(mills):
    found = check_low_stock()
    mine = [(f.stock_type, f.quantity, f.min_level, f.severity) for f in found if f.mill_id == mills["low"].id]
    assert mine == [  # by mill, then stock type (the index's order)
        ("BRAN", Decimal("1000.000"), Decimal("1000.000"), "medium"),
        ("PADDY", Decimal("0.000"), Decimal("1000.000"), "critical"),
        ("RICE", Decimal("500.000"), Decimal("1000.000"), "high"),
    ]
    others = {mills[k].id for k in ("fine", "no_minimum", "closed")}
    assert not [f for f in found if f.mill_id in others]


def test_the_scan_over_every_mill_is_one_query(statements):
    found = check_low_stock()
    assert len(found) == 3
    assert len(statements) == 1, statements
    assert "JOIN mills" in statements[0]


def test_events_are_recorded_per_affected_mill_and_one_notification_each(mills):
    check_low_stock()
    db.session.commit()
    alerts = _low_alerts(mills["low"])
    assert [{k: p[k] for k in ("stockType", "currentQuantity", "minLevel", "severity")} for _, p, _ in alerts] == [
        {"stockType": "BRAN", "currentQuantity": 1000.0, "minLevel": 1000.0, "severity": "medium"},
        {"stockType": "PADDY", "currentQuantity": 0.0, "minLevel": 1000.0, "severity": "critical"},
        {"stockType": "RICE", "currentQuantity": 500.0, "minLevel": 1000.0, "severity": "high"},
    ]
    assert all(p["millId"] == str(mills["low"].id) and p["seq"] == seq for seq, p, _ in alerts)
    assert alerts[1][2] == "Paddy is low: 0 kg left, minimum 1,000 kg"
    for name in ("fine", "no_minimum", "closed"):
        assert _low_alerts(mills[name]) == []
    notes = db.session.scalars(sa.select(Notification).where(Notification.title == "Low stock")).all()
    assert [(n.mill_id, n.type) for n in notes] == [(mills["low"].id, "warning")]
    assert len(notes[0].data["stocks"]) == 3
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(NotificationRecipient)
            .where(NotificationRecipient.notification_id == notes[0].id)
        )
        == 1
    )


def test_one_mill_only(mills):
    assert check_low_stock(mills["fine"].id) == []
    assert {f.mill_id for f in check_low_stock(mills["low"].id)} == {mills["low"].id}


def test_nothing_low_publishes_nothing():
    mill = make_mill()
    _stock(mill, "PADDY", 10, 5)
    db.session.commit()
    assert check_low_stock(mill.id) == []
    db.session.commit()
    assert _low_alerts(mill) == []


def test_severity_rules_and_no_division_by_zero():
    assert get_severity(0, 100) == "critical"
    assert get_severity(50, 100) == "high"
    assert get_severity(Decimal("50.001"), 100) == "medium"
    assert get_severity(100, 100) == "medium"
    assert get_severity(101, 100) is None
    assert get_severity(0, 0) is None  # the seed divided by zero here
    assert get_severity(5, 0) is None


def test_the_scan_can_use_the_partial_index(mills):
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    compiled = low_stock_query().compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = "\n".join(db.session.scalars(sa.text(f"EXPLAIN {compiled}")))
    assert "ix_stocks_low" in plan, plan
