"""Helpers shared by the inventory and milling tests."""

import sqlalchemy as sa

from ricemill.extensions import db
from ricemill.inventory.models import GoodsMovement, Stock, StockAdjustment, StockLedgerEntry
from ricemill.milling.models import MillingBatch
from ricemill.realtime.outbox.models import MillEvent


def mill_url(mill, path: str) -> str:
    return f"/api/v1/mills/{mill.id}{path}"


def set_stock(mill, stock_type: str, quantity, minimum=0) -> None:
    """Test setup only: put a stock at a known level (with a matching opening ledger row)."""
    db.session.execute(
        sa.update(Stock)
        .where(Stock.mill_id == mill.id, Stock.stock_type == stock_type)
        .values(quantity=quantity, min_stock_level=minimum)
    )
    if quantity:
        db.session.add(
            StockLedgerEntry(
                mill_id=mill.id, stock_type=stock_type, change=quantity, quantity_after=quantity, reason="opening"
            )
        )
    db.session.commit()


def quantity(mill, stock_type: str):
    return db.session.scalar(sa.select(Stock.quantity).where(Stock.mill_id == mill.id, Stock.stock_type == stock_type))


def events(mill) -> list[MillEvent]:
    return list(db.session.scalars(sa.select(MillEvent).where(MillEvent.mill_id == mill.id).order_by(MillEvent.seq)))


def counts() -> dict:
    """Row counts of the tables a write of this package can touch: proof that nothing was written."""
    tables = (GoodsMovement, StockAdjustment, MillingBatch, StockLedgerEntry, MillEvent)
    out = {t.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in tables}
    out["quantities"] = sorted(
        (str(m), str(t), q)
        for m, t, q in db.session.execute(sa.select(Stock.mill_id, Stock.stock_type, Stock.quantity))
    )
    out["minimums"] = sorted(
        (str(m), str(t), q)
        for m, t, q in db.session.execute(sa.select(Stock.mill_id, Stock.stock_type, Stock.min_stock_level))
    )
    return out
