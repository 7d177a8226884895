"""Low stock, in one place: the severity rule, the `stock:low-alert` payload and its publish, the
immediate alert when a movement crosses below a minimum, and the periodic check over every mill
(docs/realtime.md). A minimum of 0 means "no alert".

`check_low_stock()` finds every low stock of every active mill in ONE query: stocks with a minimum
(`min_stock_level > 0`, so a minimum of 0 never alerts) and `quantity <= min_stock_level`, joined
to active mills. The partial index `ix_stocks_low` (migration 0002) holds exactly
those rows, so the scan costs the number of low stocks, not the number of mills.

For each low stock it publishes `stock:low-alert {stockType, currentQuantity, minLevel, severity}`
through the outbox (recorded with the mill's seq, replayable, emitted after commit); the outbox's
notification rules then store one "Low stock" notification per affected mill listing its low
stocks. The caller commits (the scheduler's job, or `flask ricemill check-stock`).

The immediate alert, when a movement crosses below the minimum, is `alert_if_crossed`, called by
`apply_movement` (ricemill/inventory/stock.py); the periodic job repeats the alert for stocks that
stay low.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..common import words
from ..extensions import db
from ..mills.models import Mill
from .events import publish_low_stock_alert
from .models import Stock


def get_severity(current, minimum) -> str | None:
    """'critical' at 0, 'high' at or under half the minimum, else 'medium'; None when not low.

    The seed divided by the minimum and so broke on a minimum of 0: here 0 never alerts.
    """
    current, minimum = Decimal(current), Decimal(minimum)
    if minimum <= 0 or current > minimum:
        return None
    if current <= 0:
        return "critical"
    if current * 2 <= minimum:
        return "high"
    return "medium"


def crossed_below_minimum(before, after, minimum) -> bool:
    """True when a movement takes a stock from above its minimum to at or below it."""
    before, after, minimum = Decimal(before), Decimal(after), Decimal(minimum)
    return minimum > 0 and before > minimum >= after


def low_stock_summary(stock_type, quantity, minimum) -> str:
    """'Bran is low: 280 kg left, minimum 500 kg': the activity entry and notification text."""
    return words.low_stock(stock_type, quantity, minimum)


def low_stock_payload(stock_type: str, quantity, minimum) -> dict:
    """The `stock:low-alert` payload (schema: inventory/events.py `StockLowAlertPayload`)."""
    return {
        "stockType": stock_type,
        "currentQuantity": float(quantity),
        "minLevel": float(minimum),
        "severity": get_severity(quantity, minimum),
    }


def publish_low_stock(mill_id, stock_type: str, quantity, minimum) -> None:
    """Publish `stock:low-alert` for one stock (an activity entry; notifications follow from it)."""
    publish_low_stock_alert(
        mill_id,
        low_stock_payload(stock_type, quantity, minimum),
        summary=low_stock_summary(stock_type, quantity, minimum),
    )


def alert_if_crossed(mill_id, stock_type: str, *, before, after, minimum) -> bool:
    """The immediate alert of a movement that took the stock from above its minimum to at or below it."""
    if not crossed_below_minimum(before, after, minimum):
        return False
    publish_low_stock(mill_id, stock_type, after, minimum)
    return True


@dataclass(frozen=True)
class LowStock:
    mill_id: uuid.UUID
    mill_name: str
    stock_type: str
    quantity: Decimal
    min_level: Decimal
    severity: str

    def payload(self) -> dict:
        return low_stock_payload(self.stock_type, self.quantity, self.min_level)


def low_stock_query(mill_id=None):
    """Every low stock of every active mill (or of one mill), as one statement."""
    stmt = (
        sa.select(Stock.mill_id, Mill.name, Stock.stock_type, Stock.quantity, Stock.min_stock_level)
        .join(Mill, Mill.id == Stock.mill_id)
        # The same predicate as the partial index, so that the planner can use it; the IS TRUE form
        # makes it read the statistics of migration 0004 and expect a handful of rows, not a third.
        .where(
            Stock.min_stock_level > 0,
            Stock.quantity <= Stock.min_stock_level,
            (Stock.quantity <= Stock.min_stock_level).is_(True),
            Mill.is_active.is_(True),
        )
        .order_by(Stock.mill_id, Stock.stock_type)
    )
    if mill_id is not None:
        stmt = stmt.where(Stock.mill_id == mill_id)
    return stmt


def find_low_stocks(mill_id=None) -> list[LowStock]:
    found = []
    for row in db.session.execute(low_stock_query(mill_id)):
        severity = get_severity(row.quantity, row.min_stock_level)
        if severity is None:  # cannot happen with the query's predicate; get_severity has the last word
            continue
        stock_type = row.stock_type.value if hasattr(row.stock_type, "value") else str(row.stock_type)
        found.append(LowStock(row.mill_id, row.name, stock_type, row.quantity, row.min_stock_level, severity))
    return found


def check_low_stock(mill_id=None) -> list[LowStock]:
    """Publish `stock:low-alert` for every low stock (all mills, or one); returns what it found.

    Flushes nothing and never commits: the events are stored, and the notifications made, when
    the caller commits.
    """
    found = find_low_stocks(mill_id)
    for item in found:
        publish_low_stock(item.mill_id, item.stock_type, item.quantity, item.min_level)
    return found
