"""The dashboard object and the activity feed, computed in SQL.

`get_dashboard` answers with a constant number of statements whatever the size of the mill (the
mill, the 30-day series, the stocks, one row of aggregates, the last activity entries), each backed
by an index (migrations 0001 and 0002_dashboard_indexes). Python only shapes the few rows that come
back; it never loops over documents.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..common.errors import NotFound
from ..extensions import db
from ..finance.types import PaymentStatus
from ..inventory.alerts import get_severity
from ..inventory.models import Stock
from ..inventory.types import StockType
from ..milling.models import BatchStatus, MillingBatch
from ..mills.models import Mill
from ..purchases.models import PaddyPurchase
from ..realtime.models import MillEvent
from ..sales.models import Sale
from ..staff.models import Attendance, AttendanceStatus, Staff

SERIES_DAYS = 30
RECENT_ACTIVITY = 10
ACTIVITY_DEFAULT_LIMIT = 50
ACTIVITY_MAX_LIMIT = 200

_STOCK_ORDER = {stock_type: i for i, stock_type in enumerate(StockType)}

# One row per day of the window, zeros included: the days come from generate_series, the
# documents are grouped per day by the (mill_id, date) indexes of purchases and sales.
_SERIES_SQL = sa.text(
    """
    WITH days AS (
        SELECT d::date AS day FROM generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') AS d
    ),
    p AS (
        SELECT purchase_date AS day, count(*) AS n, sum(net_weight_kg) AS kg, sum(amount) AS amount
        FROM paddy_purchases
        WHERE mill_id = :mill_id AND purchase_date BETWEEN :first AND :last
        GROUP BY purchase_date
    ),
    s AS (
        SELECT sale_date AS day, count(*) AS n, sum(quantity_kg) AS kg, sum(amount) AS amount
        FROM sales
        WHERE mill_id = :mill_id AND sale_date BETWEEN :first AND :last
        GROUP BY sale_date
    )
    SELECT days.day,
           coalesce(p.n, 0) AS purchase_count, coalesce(p.kg, 0) AS purchased_kg,
           coalesce(p.amount, 0) AS purchase_amount,
           coalesce(s.n, 0) AS sale_count, coalesce(s.kg, 0) AS sold_kg, coalesce(s.amount, 0) AS sale_amount
    FROM days LEFT JOIN p ON p.day = days.day LEFT JOIN s ON s.day = days.day
    ORDER BY days.day
    """
)


def _num(value, places: str = "0.001") -> float:
    """An exact decimal as a JSON number, rounded the trade's way."""
    return float(Decimal(value or 0).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _money(value) -> float:
    return _num(value, "0.01")


def mill_today(mill: Mill, now: datetime | None = None) -> date:
    """The date where the mill is (its `timezone` setting), not where the server is."""
    tz = ZoneInfo(mill.timezone)
    return (now or datetime.now(tz)).astimezone(tz).date()


def _scalar(stmt) -> sa.ScalarSelect:
    return stmt.scalar_subquery()


def _aggregates(*, mill_id, today: date, day_start: datetime, day_end: datetime):
    """One statement of scalar subqueries: money outstanding, milling, staff."""
    unpaid_sales = sa.select(sa.func.coalesce(sa.func.sum(Sale.amount - Sale.paid_amount), 0)).where(
        Sale.mill_id == mill_id, Sale.payment_status != PaymentStatus.PAID
    )
    unpaid_purchases = sa.select(
        sa.func.coalesce(sa.func.sum(PaddyPurchase.amount - PaddyPurchase.paid_amount), 0)
    ).where(PaddyPurchase.mill_id == mill_id, PaddyPurchase.payment_status != PaymentStatus.PAID)
    in_progress = sa.select(sa.func.count()).where(
        MillingBatch.mill_id == mill_id, MillingBatch.status == BatchStatus.IN_PROGRESS
    )
    completed_today = sa.and_(
        MillingBatch.mill_id == mill_id,
        MillingBatch.status == BatchStatus.COMPLETED,
        MillingBatch.completed_at >= day_start,
        MillingBatch.completed_at < day_end,
    )
    employed_today = sa.and_(
        Staff.mill_id == mill_id,
        Staff.joined_on <= today,
        sa.or_(Staff.left_on.is_(None), Staff.left_on >= today),
    )
    marked_today = sa.and_(Attendance.mill_id == mill_id, Attendance.attendance_date == today)
    return db.session.execute(
        sa.select(
            _scalar(unpaid_sales).label("receivables"),
            _scalar(unpaid_purchases).label("payables"),
            _scalar(in_progress).label("in_progress"),
            _scalar(sa.select(sa.func.count()).where(completed_today)).label("completed_today"),
            _scalar(sa.select(sa.func.sum(MillingBatch.paddy_input_kg)).where(completed_today)).label("input_kg"),
            _scalar(sa.select(sa.func.sum(MillingBatch.rice_kg)).where(completed_today)).label("rice_kg"),
            _scalar(sa.select(sa.func.count()).where(employed_today)).label("staff_active"),
            _scalar(
                sa.select(sa.func.count()).where(
                    marked_today, Attendance.status.in_([AttendanceStatus.PRESENT, AttendanceStatus.HALF_DAY])
                )
            ).label("staff_present"),
            _scalar(
                sa.select(sa.func.count()).where(marked_today, Attendance.status == AttendanceStatus.HALF_DAY)
            ).label("staff_half_day"),
        )
    ).one()


def _stock(mill_id) -> list[dict]:
    rows = db.session.execute(
        sa.select(Stock.stock_type, Stock.quantity, Stock.min_stock_level).where(Stock.mill_id == mill_id)
    ).all()
    out = []
    for row in sorted(rows, key=lambda r: _STOCK_ORDER[StockType(r.stock_type)]):
        severity = get_severity(row.quantity, row.min_stock_level)
        out.append(
            {
                "stockType": StockType(row.stock_type).value,
                "quantity": _num(row.quantity),
                "minStockLevel": _num(row.min_stock_level),
                "low": severity is not None,
                "severity": severity,
            }
        )
    return out


def get_dashboard(*, mill_id, now: datetime | None = None) -> dict:
    """The mill's dashboard as a JSON-ready camelCase dict (also sent as `dashboard:stats`).

    "Today" is the mill's date in its time zone (`now` is for tests). Staff present counts PRESENT
    and HALF_DAY (a half day is a day at work); `halfDay` says how many of them were half days.
    """
    mill = db.session.get(Mill, mill_id)
    if mill is None:
        raise NotFound("Mill not found")
    tz = ZoneInfo(mill.timezone)
    today = mill_today(mill, now)
    first = today - timedelta(days=SERIES_DAYS - 1)
    day_start = datetime.combine(today, time.min, tzinfo=tz)
    day_end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=tz)

    days = db.session.execute(_SERIES_SQL, {"mill_id": mill.id, "first": first, "last": today}).all()
    stock = _stock(mill.id)
    agg = _aggregates(mill_id=mill.id, today=today, day_start=day_start, day_end=day_end)
    activity = list_activity(mill_id=mill.id, limit=RECENT_ACTIVITY)

    last = days[-1]
    outturn = None
    if agg.input_kg:
        outturn = _num(Decimal(agg.rice_kg or 0) * 100 / Decimal(agg.input_kg), "0.01")
    return {
        "millId": str(mill.id),
        "date": today.isoformat(),
        "timezone": mill.timezone,
        "generatedAt": datetime.now(tz).isoformat(),
        "today": {
            "purchases": {
                "count": last.purchase_count,
                "kg": _num(last.purchased_kg),
                "amount": _money(last.purchase_amount),
            },
            "sales": {"count": last.sale_count, "kg": _num(last.sold_kg), "amount": _money(last.sale_amount)},
        },
        "stock": stock,
        "lowStockAlerts": sum(1 for s in stock if s["low"]),
        "milling": {
            "inProgress": agg.in_progress,
            "completedToday": agg.completed_today,
            "paddyInputKgToday": _num(agg.input_kg),
            "riceKgToday": _num(agg.rice_kg),
            "outturnPercentToday": outturn,
        },
        "finance": {"receivables": _money(agg.receivables), "payables": _money(agg.payables)},
        "staff": {"active": agg.staff_active, "present": agg.staff_present, "halfDay": agg.staff_half_day},
        "recentActivity": activity,
        "series": [
            {"date": row.day.isoformat(), "purchasedKg": _num(row.purchased_kg), "soldKg": _num(row.sold_kg)}
            for row in days
        ],
    }


def activity_entry(row: MillEvent) -> dict:
    """A stored event as an activity entry (the `activity:new` shape)."""
    return {
        "seq": row.seq,
        "millId": str(row.mill_id),
        "type": row.name,
        "summary": row.summary,
        "actor": {"id": str(row.actor_id), "name": row.actor_name} if row.actor_id else None,
        "entity": {"type": row.entity_type, "id": row.entity_id} if row.entity_type else None,
        "at": row.created_at.isoformat(),
    }


def list_activity(*, mill_id, after: int | None = None, limit: int = ACTIVITY_DEFAULT_LIMIT) -> list[dict]:
    """The mill's activity entries (events with a summary).

    With `after`: the entries with seq > after, oldest first (to catch up). Without: the newest
    `limit`, newest first.
    """
    limit = max(1, min(int(limit), ACTIVITY_MAX_LIMIT))
    stmt = sa.select(MillEvent).where(MillEvent.mill_id == mill_id, MillEvent.summary.is_not(None))
    if after is not None:
        stmt = stmt.where(MillEvent.seq > after).order_by(MillEvent.seq)
    else:
        stmt = stmt.order_by(MillEvent.seq.desc())
    return [activity_entry(row) for row in db.session.scalars(stmt.limit(limit))]
