"""Stock movements: the only code that changes `stocks.quantity`.

Each movement is one statement in the caller's transaction: the conditional UPDATE (`quantity =
quantity + change WHERE quantity + change >= 0`) in a data-modifying CTE, and the ledger row
inserted from what it returned (no row when the UPDATE matched none). PostgreSQL's row lock serialises concurrent
movements on the same stock, so no update is lost and stock never goes negative; a refused movement
raises Conflict (409) and the request's rollback leaves nothing written.

A new document can carry its movement in its own INSERT (`moving_after`, through
`common.writes.insert_new(along=...)`): the same UPDATE and ledger row, made only when the document
was inserted, and `Movement.recorded` does what `apply_movement` does with the result.
"""

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import make_transient_to_detached

from ..common import words
from ..common.constants import KG
from ..common.errors import Conflict
from ..extensions import db
from .events import publish_stock_updated
from .low_stock import alert_if_crossed
from .models import Stock, StockLedgerEntry
from .types import StockType


def _kg(value) -> Decimal:
    return Decimal(value).quantize(KG, ROUND_HALF_UP)


def _movement_ctes(after=None):
    """The conditional UPDATE (`moved`) and the ledger row inserted from what it returned, with bound
    parameters (`ledger_<column>`); with `after` (a CTE), the UPDATE only when `after` has a row."""
    stocks, ledger = Stock.__table__, StockLedgerEntry.__table__
    columns = {key: sa.bindparam(f"ledger_{key}", type_=ledger.c[key].type) for key in _LEDGER_VALUES}
    change = columns["change"]
    conditions = [
        stocks.c.mill_id == columns["mill_id"],
        stocks.c.stock_type == columns["stock_type"],
        stocks.c.quantity + change >= 0,
    ]
    if after is not None:
        conditions.append(sa.exists(sa.select(sa.literal(1)).select_from(after)))
    moved = (
        sa.update(stocks)
        .where(*conditions)
        .values(quantity=stocks.c.quantity + change, updated_at=sa.func.now())
        .returning(stocks.c.quantity, stocks.c.min_stock_level)
        .cte("moved")
    )
    entry = (
        sa.insert(ledger)
        .from_select([*columns, "quantity_after"], sa.select(*columns.values(), moved.c.quantity))
        .returning(ledger.c.id, ledger.c.created_at, ledger.c.quantity_after)
    )
    return moved, entry


def _movement_statement():
    """The movement's one statement, built once with bound parameters (`ledger_<column>`): built per
    call, its cache key and coercions cost more than running it."""
    moved, entry = _movement_ctes()
    minimum = sa.select(moved.c.min_stock_level).scalar_subquery().label("min_stock_level")
    return entry.returning(minimum).add_cte(moved)


def moving_after(document):
    """For `common.writes.insert_new(along=...)`: the row of `document` (a new document's INSERT ...
    RETURNING, as a CTE) and beside it the stock movement made in the same statement, only when the
    document was inserted (binds: `Movement.params`). The movement's columns are None when it was
    refused; `recorded()` then raises as `apply_movement` does."""
    moved, entry = _movement_ctes(after=document)
    entry = entry.cte("entry")
    return sa.select(
        *document.c,
        entry.c.id.label("ledger_id"),
        entry.c.created_at.label("ledger_created_at"),
        entry.c.quantity_after.label("ledger_quantity_after"),
        moved.c.min_stock_level.label("ledger_min_stock_level"),
    ).select_from(document.outerjoin(moved, sa.true()).outerjoin(entry, sa.true()))


_LEDGER_VALUES = ("mill_id", "stock_type", "change", "reason", "ref_type", "ref_id", "user_id")
_MOVE = _movement_statement()


class Movement:
    """One movement's values (`params` binds the movement statements), recorded once it has run."""

    __slots__ = ("values", "actor", "summary")

    def __init__(self, *, mill_id, stock_type, change, reason, actor=None, ref_type=None, ref_id=None, summary=None):
        stock_type = StockType(stock_type)
        change = _kg(change)
        if change == 0:
            raise ValueError("a stock movement cannot be zero")
        self.values = {
            "mill_id": mill_id,
            "stock_type": stock_type,
            "change": change,
            "reason": reason,
            "ref_type": ref_type,
            "ref_id": ref_id,
            "user_id": getattr(actor, "id", None),
        }
        self.actor, self.summary = actor, summary

    @property
    def params(self) -> dict:
        return {f"ledger_{key}": value for key, value in self.values.items()}

    def recorded(self, ledger_id, created_at, after, minimum) -> StockLedgerEntry:
        """The movement that ran (its ledger row's id and time, the quantity after, the stock's
        minimum): the ledger entry joins the session, and its events are published. Without a ledger
        row the movement was refused: Conflict."""
        values, stock_type, change = self.values, self.values["stock_type"], self.values["change"]
        if ledger_id is None:
            _refuse(values["mill_id"], stock_type, change)
        entry = StockLedgerEntry(id=ledger_id, created_at=created_at, quantity_after=after, **values)
        make_transient_to_detached(entry)  # stored already: it joins the session without a flush
        db.session.add(entry)
        publish_stock_updated(
            values["mill_id"],
            stock_type.value,
            quantity=after,
            minimum=minimum,
            change=change,
            reason=values["reason"],
            actor=self.actor,
            summary=self.summary,
        )
        alert_if_crossed(values["mill_id"], stock_type.value, before=after - change, after=after, minimum=minimum)
        return entry


def _refuse(mill_id, stock_type: StockType, change) -> None:
    have = db.session.scalar(sa.select(Stock.quantity).where(Stock.mill_id == mill_id, Stock.stock_type == stock_type))
    if have is None:
        raise Conflict(f"The mill has no {words.label(stock_type)} stock")
    raise Conflict(
        words.not_enough_stock(stock_type, have, -change),
        # the machine fields beside the words: which stock, how much there is and was asked for
        errors=[
            {
                "field": "stock",
                "message": f"{words.kg(have)} of {words.label(stock_type)} available",
                "stockType": stock_type.value,
                "availableKg": float(have),
                "neededKg": float(-change),
            }
        ],
    )


def apply_movement(
    *,
    mill_id,
    stock_type: StockType | str,
    change,
    reason: str,
    actor=None,
    ref_type: str | None = None,
    ref_id=None,
    summary: str | None = None,
) -> StockLedgerEntry:
    """Add `change` kg (negative to take away) to the mill's stock of `stock_type`.

    Records the ledger entry and the `stock:updated` event, and `stock:low-alert` when the movement
    takes the stock from above its minimum to at or below it. Raises Conflict when the stock would
    go negative. A `summary` makes the `stock:updated` event an activity-feed entry of its own
    (a manual adjustment has no other event); movements made for a document leave it out, the
    document's event being the feed entry.
    """
    movement = Movement(
        mill_id=mill_id, stock_type=stock_type, change=change, reason=reason, actor=actor, ref_type=ref_type,
        ref_id=ref_id, summary=summary,
    )  # fmt: skip
    row = db.session.connection().execute(_MOVE, movement.params).one_or_none()  # Core: no ORM step
    if row is None:
        return movement.recorded(None, None, None, None)
    return movement.recorded(row.id, row.created_at, row.quantity_after, row.min_stock_level)


def get_stock(mill_id, stock_type: StockType | str) -> Stock:
    return db.session.execute(
        sa.select(Stock).where(Stock.mill_id == mill_id, Stock.stock_type == StockType(stock_type))
    ).scalar_one()
