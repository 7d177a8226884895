"""What the database holds after a request: events, row counts, the stock ledger (shared by the
purchase, sale and finance tests)."""

from decimal import Decimal

import sqlalchemy as sa

from ricemill.extensions import db
from ricemill.inventory.models import Stock, StockLedgerEntry
from ricemill.realtime.outbox.models import MillEvent


def events(mill_id, after: int = 0) -> list[MillEvent]:
    return db.session.scalars(
        sa.select(MillEvent).where(MillEvent.mill_id == mill_id, MillEvent.seq > after).order_by(MillEvent.seq)
    ).all()


def last_seq(mill_id) -> int:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.max(MillEvent.seq), 0)).where(MillEvent.mill_id == mill_id)
    )


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def counts(*models, mills) -> dict:
    """Rows of each model plus the ledger and the event record of `mills`: proof that a refused write
    wrote nothing. Scoped to the test's mills so that other tests' background work cannot disturb it."""
    ids = [m.id for m in mills]
    return {
        m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m).where(m.mill_id.in_(ids)))
        for m in (*models, StockLedgerEntry, MillEvent)
    }


def stock(mill_id, stock_type: str) -> Decimal:
    return db.session.scalar(sa.select(Stock.quantity).where(Stock.mill_id == mill_id, Stock.stock_type == stock_type))


def ledger_sum(mill_id, stock_type: str) -> Decimal:
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(StockLedgerEntry.change), 0)).where(
            StockLedgerEntry.mill_id == mill_id, StockLedgerEntry.stock_type == stock_type
        )
    )


def ledger(mill_id, stock_type: str) -> list[StockLedgerEntry]:
    return db.session.scalars(
        sa.select(StockLedgerEntry)
        .where(StockLedgerEntry.mill_id == mill_id, StockLedgerEntry.stock_type == stock_type)
        .order_by(StockLedgerEntry.id)
    ).all()
