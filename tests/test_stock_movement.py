from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.common.errors import Conflict
from ricemill.extensions import db
from ricemill.inventory.low_stock import get_severity
from ricemill.inventory.models import Stock, StockLedgerEntry
from ricemill.inventory.stock import apply_movement, get_stock
from ricemill.realtime.outbox import pending_events
from tests.factories import make_mill


def test_movement_updates_quantity_and_writes_the_ledger():
    mill = make_mill()
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=Decimal("1000.5"), reason="purchase")
    entry = apply_movement(mill_id=mill.id, stock_type="PADDY", change=-500, reason="milling")
    db.session.commit()
    assert get_stock(mill.id, "PADDY").quantity == Decimal("500.500")
    assert entry.quantity_after == Decimal("500.500")
    total = db.session.scalar(
        sa.select(sa.func.sum(StockLedgerEntry.change)).where(
            StockLedgerEntry.mill_id == mill.id, StockLedgerEntry.stock_type == "PADDY"
        )
    )
    assert total == Decimal("500.500")


def test_movement_that_would_go_negative_is_409_and_writes_nothing():
    mill = make_mill()
    apply_movement(mill_id=mill.id, stock_type="RICE", change=10, reason="in")
    db.session.commit()
    with pytest.raises(Conflict, match="Not enough Rice"):
        apply_movement(mill_id=mill.id, stock_type="RICE", change=Decimal("-10.001"), reason="out")
    db.session.rollback()
    assert get_stock(mill.id, "RICE").quantity == Decimal("10.000")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StockLedgerEntry)) == 1


def test_crossing_below_minimum_publishes_a_low_alert_once():
    mill = make_mill()
    db.session.execute(
        sa.update(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == "RICE").values(min_stock_level=100)
    )
    apply_movement(mill_id=mill.id, stock_type="RICE", change=150, reason="in")
    apply_movement(mill_id=mill.id, stock_type="RICE", change=-60, reason="out")  # 90: crosses below 100
    apply_movement(mill_id=mill.id, stock_type="RICE", change=-10, reason="out")  # 80: already below
    names = [e.name for e in pending_events()]
    assert names.count("stock:low-alert") == 1
    alert = next(e for e in pending_events() if e.name == "stock:low-alert")
    assert alert.payload == {"stockType": "RICE", "currentQuantity": 90.0, "minLevel": 100.0, "severity": "medium"}


@pytest.mark.parametrize(
    ("current", "minimum", "expected"),
    [(0, 100, "critical"), (50, 100, "high"), (51, 100, "medium"), (100, 100, "medium"), (101, 100, None),
     (0, 0, None), (10, 0, None)],
)  # fmt: skip
def test_get_severity(current, minimum, expected):
    assert get_severity(current, minimum) == expected


def test_low_stock_summary_reads_like_the_rest_of_the_feed():
    from ricemill.inventory.low_stock import low_stock_summary

    bran = low_stock_summary("BRAN", Decimal("280.000"), Decimal("500.000"))
    assert bran == "Bran is low: 280 kg left, minimum 500 kg"
    assert low_stock_summary("RICE", Decimal("1250.5"), 2000) == "Rice is low: 1,250.5 kg left, minimum 2,000 kg"
