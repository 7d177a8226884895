"""The quick start's demo: a month for each demo mill, through the real services, and idempotent."""

import pytest
import sqlalchemy as sa

from ricemill.dashboard.service import get_dashboard
from ricemill.demo import DEMO_MILLS, seed_demo
from ricemill.extensions import db
from ricemill.inventory.models import Stock, StockLedgerEntry
from ricemill.mills.models import Mill
from ricemill.purchases.models import PaddyPurchase
from ricemill.staff.models import Attendance
from tests.conftest import rolled_back, seeded_once

# Seeding is most of these tests' time: the demo is seeded once for the module's tests that run on one
# worker, in a transaction rolled back after them; each test runs in a savepoint of it, so none sees
# another's writes, and each still seeds again, which must change nothing.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(app):
    with seeded_once(app, seed_demo) as (connection, _):
        yield connection


@pytest.fixture
def _db_transaction(demo):
    """Overrides conftest's: the test's writes are rolled back to the seeded demo."""
    with rolled_back(demo.begin_nested(), demo):
        yield


def _row_counts() -> dict:
    return {
        table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def test_seed_twice_changes_nothing_the_second_time(app):
    seed_demo()
    first = _row_counts()
    seed_demo()
    assert _row_counts() == first
    assert first["paddy_purchases"] >= 2 * 30 and first["sales"] > 0 and first["payments"] > 0
    assert first["milling_batches"] > 0 and first["receipts"] > 0 and first["attendance"] > 0


def test_a_demo_mill_looks_alive_and_agrees_with_its_ledger(app):
    seed_demo()
    codes = [spec["code"] for spec in DEMO_MILLS]
    for mill in db.session.scalars(sa.select(Mill).where(Mill.code.in_(codes))):
        data = get_dashboard(mill_id=mill.id)
        assert data["today"]["purchases"]["count"] > 0 and data["today"]["purchases"]["kg"] > 0
        assert sum(day["soldKg"] for day in data["series"]) > 0
        assert len(data["series"]) == 30
        assert sum(1 for day in data["series"] if day["purchasedKg"] > 0) == 30  # paddy bought every day
        assert any(s["quantity"] > 0 for s in data["stock"])
        assert data["lowStockAlerts"] == 1 and [s["stockType"] for s in data["stock"] if s["low"]] == ["BRAN"]
        assert data["milling"]["inProgress"] == 1
        assert 64 <= data["milling"]["outturnPercentToday"] <= 70
        assert data["finance"]["receivables"] > 0 and data["finance"]["payables"] > 0
        assert 0 < data["staff"]["present"] <= data["staff"]["active"] == 7  # one of the eight has left
        assert len(data["recentActivity"]) == 10
        # every stock equals its ledger
        ledger = dict(
            db.session.execute(
                sa.select(StockLedgerEntry.stock_type, sa.func.sum(StockLedgerEntry.change))
                .where(StockLedgerEntry.mill_id == mill.id)
                .group_by(StockLedgerEntry.stock_type)
            ).all()
        )
        for stock in db.session.scalars(sa.select(Stock).where(Stock.mill_id == mill.id)):
            assert stock.quantity == ledger.get(stock.stock_type, 0)
        dates = db.session.execute(
            sa.select(sa.func.min(PaddyPurchase.purchase_date), sa.func.max(PaddyPurchase.purchase_date)).where(
                PaddyPurchase.mill_id == mill.id
            )
        ).one()
        assert (dates[1] - dates[0]).days == 29
        assert (
            db.session.scalar(
                sa.select(sa.func.count(sa.distinct(Attendance.attendance_date))).where(Attendance.mill_id == mill.id)
            )
            == 30
        )


def test_the_manager_sees_the_last_days_notifications_unread_not_99_plus(app):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from ricemill.auth.models import User
    from ricemill.notifications.models import Notification
    from ricemill.notifications.service import unread_count

    seed_demo()
    manager = db.session.scalar(sa.select(User).where(User.email == "manager@lakshmi.local"))
    mill = db.session.get(Mill, manager.mill_id)
    today = datetime.now(ZoneInfo(mill.timezone)).date()
    rows = db.session.scalars(sa.select(Notification).where(Notification.mill_id == mill.id)).all()
    days = {row.created_at.astimezone(ZoneInfo(mill.timezone)).date() for row in rows}
    assert len(rows) > 99 and len(days) >= 28  # a month of them, each on its document's day
    todays = sum(1 for row in rows if row.created_at.astimezone(ZoneInfo(mill.timezone)).date() == today)
    assert 0 < unread_count(manager.id) == todays < 40
    seed_demo()  # again: nothing changes
    assert unread_count(manager.id) == todays
