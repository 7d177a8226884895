"""StockAlertService: the periodic low-stock check over every mill (REALTIME.md, seed section 6).

`check_low_stock()` finds every low stock of every active mill in ONE query: stocks with a minimum
(`min_stock_level > 0`, so a minimum of 0 never alerts) and `quantity <= min_stock_level`, joined
to active mills. The partial index `ix_stocks_low` (migration 0002) holds exactly
those rows, so the scan costs the number of low stocks, not the number of mills.

For each low stock it publishes `stock:low-alert {stockType, currentQuantity, minLevel, severity}`
through the outbox (recorded with the mill's seq, replayable, emitted after commit); the outbox's
notification rules then store one "Low stock" notification per affected mill listing its low
stocks. The caller commits (the scheduler's job, or `flask ricemill check-stock`).

The immediate alert, when a movement crosses below the minimum, is `apply_movement`'s
(ricemill/inventory/stock.py); this job repeats the alert for stocks that stay low.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..mills.models import Mill
from ..realtime.events import SERVER_EVENTS
from ..realtime.outbox import publish
from .alerts import get_severity, low_stock_summary
from .models import Stock


@dataclass(frozen=True)
class LowStock:
    mill_id: uuid.UUID
    mill_name: str
    stock_type: str
    quantity: Decimal
    min_level: Decimal
    severity: str

    def payload(self) -> dict:
        return {
            "stockType": self.stock_type,
            "currentQuantity": float(self.quantity),
            "minLevel": float(self.min_level),
            "severity": self.severity,
        }


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
        publish(
            SERVER_EVENTS["STOCK_LOW_ALERT"],
            item.mill_id,
            item.payload(),
            summary=low_stock_summary(item.stock_type, item.quantity, item.min_level),
            entity={"type": "stock", "id": item.stock_type},
        )
    return found
