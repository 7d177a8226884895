"""The dashboard object and the activity feed, computed in SQL.

`get_dashboard` runs one statement whatever the size of the mill: the mill's time zone and its
date today (in SQL, from the mill's settings, so that nothing is loaded first), the 30-day series,
the stocks and the last activity entries as JSON arrays, the rest as scalar subqueries. Every part
is served by an index (0001 and 0003: partial indexes over unpaid documents,
covering indexes for the series, completed batches by time, summary-bearing events). Python only
shapes the one row that comes back; it never loops over documents. Round trips, not SQL, were the
cost on a loaded machine (bench/RESULTS.md), hence one statement rather than one per card.
"""

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from ..common.constants import DEFAULT_TIMEZONE
from ..common.errors import NotFound
from ..extensions import db
from ..inventory.low_stock import get_severity
from ..inventory.types import StockType
from ..realtime.outbox.models import MillEvent

SERIES_DAYS = 30
RECENT_ACTIVITY = 10
ACTIVITY_DEFAULT_LIMIT = 50
ACTIVITY_MAX_LIMIT = 200

_STOCK_ORDER = {stock_type.value: i for i, stock_type in enumerate(StockType)}

# The literals in the WHERE clauses match the partial indexes' predicates word for word.
_DASHBOARD_SQL = sa.text(
    """
    WITH m AS (
        SELECT tz, (CAST(:now AS timestamptz) AT TIME ZONE tz)::date AS today
        FROM (SELECT coalesce(settings->>'timezone', :default_tz) AS tz FROM mills WHERE id = :mill_id) AS mill
    ),
    days AS (
        SELECT d::date AS day FROM m, generate_series(m.today - :back, m.today, interval '1 day') AS d
    ),
    p AS (
        SELECT purchase_date AS day, count(*) AS n, sum(net_weight_kg) AS kg, sum(amount) AS amount
        FROM paddy_purchases
        WHERE mill_id = :mill_id AND purchase_date BETWEEN (SELECT today - :back FROM m) AND (SELECT today FROM m)
        GROUP BY purchase_date
    ),
    s AS (
        SELECT sale_date AS day, count(*) AS n, sum(quantity_kg) AS kg, sum(amount) AS amount
        FROM sales
        WHERE mill_id = :mill_id AND sale_date BETWEEN (SELECT today - :back FROM m) AND (SELECT today FROM m)
        GROUP BY sale_date
    ),
    done AS (
        SELECT count(*) AS n, coalesce(sum(paddy_input_kg), 0) AS input_kg, coalesce(sum(rice_kg), 0) AS rice_kg
        FROM milling_batches
        WHERE mill_id = :mill_id AND status = 'COMPLETED'
          AND completed_at >= (SELECT today::timestamp AT TIME ZONE tz FROM m)
          AND completed_at < (SELECT (today + 1)::timestamp AT TIME ZONE tz FROM m)
    ),
    marked AS (
        SELECT count(*) FILTER (WHERE status IN ('PRESENT', 'HALF_DAY')) AS present,
               count(*) FILTER (WHERE status = 'HALF_DAY') AS half_day
        FROM attendance
        WHERE mill_id = :mill_id AND attendance_date = (SELECT today FROM m)
    )
    SELECT
        m.tz AS timezone, m.today,
        (SELECT json_agg(json_build_array(days.day, coalesce(p.n, 0), coalesce(p.kg, 0), coalesce(p.amount, 0),
                                          coalesce(s.n, 0), coalesce(s.kg, 0), coalesce(s.amount, 0))
                         ORDER BY days.day)
         FROM days LEFT JOIN p ON p.day = days.day LEFT JOIN s ON s.day = days.day) AS series,
        (SELECT json_agg(json_build_array(stock_type, quantity, min_stock_level))
         FROM stocks WHERE mill_id = :mill_id) AS stocks,
        (SELECT coalesce(sum(amount - paid_amount), 0)
         FROM sales WHERE mill_id = :mill_id AND payment_status <> 'PAID') AS receivables,
        (SELECT coalesce(sum(amount - paid_amount), 0)
         FROM paddy_purchases WHERE mill_id = :mill_id AND payment_status <> 'PAID') AS payables,
        (SELECT count(*)
         FROM milling_batches WHERE mill_id = :mill_id AND status = 'IN_PROGRESS') AS in_progress,
        done.n AS completed_today, done.input_kg, done.rice_kg,
        (SELECT count(*) FROM staff
         WHERE mill_id = :mill_id AND joined_on <= (SELECT today FROM m)
           AND (left_on IS NULL OR left_on >= (SELECT today FROM m))) AS staff_active,
        marked.present AS staff_present, marked.half_day AS staff_half_day,
        (SELECT json_agg(json_build_array(e.seq, e.mill_id, e.name, e.summary, e.actor_id, e.actor_name,
                                          e.entity_type, e.entity_id, e.created_at) ORDER BY e.seq DESC)
         FROM (SELECT seq, mill_id, name, summary, actor_id, actor_name, entity_type, entity_id, created_at
               FROM mill_events WHERE mill_id = :mill_id AND summary IS NOT NULL
               ORDER BY seq DESC LIMIT :recent) AS e) AS activity
    FROM m, done, marked
    """
)


def _num(value, places: str = "0.001") -> float:
    """An exact decimal (or a JSON number, read back through its text) as a JSON number."""
    return float(Decimal(str(value or 0)).quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _money(value) -> float:
    return _num(value, "0.01")


def _stock_lines(stocks: list | None) -> list[dict]:
    out = []
    for stock_type, quantity, minimum in sorted(stocks or [], key=lambda s: _STOCK_ORDER[s[0]]):
        severity = get_severity(Decimal(str(quantity)), Decimal(str(minimum)))
        out.append(
            {
                "stockType": stock_type,
                "quantity": _num(quantity),
                "minStockLevel": _num(minimum),
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
    row = db.session.execute(
        _DASHBOARD_SQL,
        {
            "mill_id": mill_id,
            "now": now or datetime.now(UTC),
            "default_tz": DEFAULT_TIMEZONE,
            "back": SERIES_DAYS - 1,
            "recent": RECENT_ACTIVITY,
        },
    ).one_or_none()
    if row is None:
        raise NotFound("Mill not found")
    today = row.today
    # the newest entries, as `list_activity` gives them: [seq, mill id, name, summary, actor id,
    # actor name, entity type, entity id, created at]
    activity = [_entry(*item[:8], datetime.fromisoformat(item[8]).isoformat()) for item in row.activity or []]

    # series rows: [date, purchase count, purchased kg, purchase amount, sale count, sold kg, sale amount]
    series = row.series
    last = series[-1]
    stock = _stock_lines(row.stocks)
    outturn = None
    if row.input_kg:
        outturn = _num(Decimal(row.rice_kg) * 100 / Decimal(row.input_kg), "0.01")
    return {
        "millId": str(mill_id),
        "date": today.isoformat(),
        "timezone": row.timezone,
        "generatedAt": datetime.now(ZoneInfo(row.timezone)).isoformat(),
        "today": {
            "purchases": {"count": last[1], "kg": _num(last[2]), "amount": _money(last[3])},
            "sales": {"count": last[4], "kg": _num(last[5]), "amount": _money(last[6])},
        },
        "stock": stock,
        "lowStockAlerts": sum(1 for s in stock if s["low"]),
        "milling": {
            "inProgress": row.in_progress,
            "completedToday": row.completed_today,
            "paddyInputKgToday": _num(row.input_kg),
            "riceKgToday": _num(row.rice_kg),
            "outturnPercentToday": outturn,
        },
        "finance": {"receivables": _money(row.receivables), "payables": _money(row.payables)},
        "staff": {"active": row.staff_active, "present": row.staff_present, "halfDay": row.staff_half_day},
        "recentActivity": activity,
        "series": [{"date": day[0], "purchasedKg": _num(day[2]), "soldKg": _num(day[5])} for day in series],
    }


def activity_entry(row: MillEvent) -> dict:
    """A stored event as an activity entry (the `activity:new` shape)."""
    return _entry(
        row.seq,
        row.mill_id,
        row.name,
        row.summary,
        row.actor_id,
        row.actor_name,
        row.entity_type,
        row.entity_id,
        row.created_at.isoformat(),
    )


def _entry(seq, mill_id, name, summary, actor_id, actor_name, entity_type, entity_id, at: str) -> dict:
    return {
        "seq": seq,
        "millId": str(mill_id),
        "type": name,
        "summary": summary,
        "actor": {"id": str(actor_id), "name": actor_name} if actor_id else None,
        "entity": {"type": entity_type, "id": entity_id} if entity_type else None,
        "at": at,
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
