"""Stock levels, minimums and adjustments; inward and outward goods.

Quantities change only through `apply_movement` (one conditional UPDATE plus a ledger row); this
module adds the documents around it and their events. Functions flush, the request commits.
"""

from decimal import Decimal

import sqlalchemy as sa

from ..common import words
from ..common.errors import NotFound
from ..common.listing import date_range, search_filter_sort_paginate, substring
from ..extensions import db
from .events import publish_goods_created, publish_stock_updated
from .low_stock import get_severity, publish_low_stock
from .models import GoodsMovement, Stock, StockAdjustment, StockLedgerEntry
from .schemas import InwardSchema, OutwardSchema
from .stock import apply_movement
from .types import Direction, StockType


def _summary(text: str) -> str:
    return text[:300]  # mill_events.summary is 300 characters


# --- stock -------------------------------------------------------------------------------------


def parse_stock_type(value: str) -> StockType:
    """A stock type from a URL segment; 404 for anything else."""
    try:
        return StockType(value)
    except ValueError:
        raise NotFound("Stock type not found") from None


def list_stock(*, mill) -> list[Stock]:
    order = sa.case({t.value: i for i, t in enumerate(StockType)}, value=Stock.stock_type)
    return list(db.session.scalars(sa.select(Stock).where(Stock.mill_id == mill.id).order_by(order)))


def get_stock(*, mill, stock_type: StockType, for_update: bool = False) -> Stock:
    stmt = sa.select(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == stock_type)
    if for_update:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    stock = db.session.scalar(stmt)
    if stock is None:
        raise NotFound("Stock type not found")
    return stock


def list_ledger(*, mill, stock_type: StockType, query: dict) -> tuple[list[StockLedgerEntry], dict]:
    """A page of one stock's ledger, newest first; dateFrom/dateTo are the mill's days."""
    return search_filter_sort_paginate(
        sa.select(StockLedgerEntry).where(
            StockLedgerEntry.mill_id == mill.id, StockLedgerEntry.stock_type == stock_type
        ),
        query,
        filters=date_range(StockLedgerEntry.created_at, timezone=mill.timezone),
        sort=(StockLedgerEntry.id.desc(),),
    )


def set_minimum_level(*, mill, stock_type: StockType, minimum: Decimal, actor) -> Stock:
    """Set the minimum; `stock:updated` (change 0) and, if the stock becomes low by it, a low alert.

    The row is locked so that the "was it low before?" answer cannot race a movement.
    """
    stock = get_stock(mill=mill, stock_type=stock_type, for_update=True)
    was_low = get_severity(stock.quantity, stock.min_stock_level) is not None
    stock.min_stock_level = minimum
    db.session.flush()
    db.session.refresh(stock)  # updated_at comes from the database
    name = stock_type.value
    publish_stock_updated(
        mill.id,
        name,
        quantity=stock.quantity,
        minimum=stock.min_stock_level,
        change=0,
        reason="minimum level changed",
        actor=actor,
        summary=f"{actor.name} set the {words.label(name)} minimum to {words.kg(minimum)}",
    )
    if get_severity(stock.quantity, stock.min_stock_level) is not None and not was_low:
        publish_low_stock(mill.id, name, stock.quantity, stock.min_stock_level)
    return stock


def create_adjustment(*, mill, data: dict, actor) -> StockAdjustment:
    """A signed manual correction with its reason; 409 (nothing written) if it would go negative."""
    adjustment = StockAdjustment(
        mill_id=mill.id,
        stock_type=StockType(data["stock_type"]),
        change=data["change"],
        reason=data["reason"].strip(),
        created_by_id=actor.id,
    )
    db.session.add(adjustment)
    db.session.flush()
    entry = apply_movement(
        mill_id=mill.id,
        stock_type=adjustment.stock_type,
        change=adjustment.change,
        reason=adjustment.reason,
        actor=actor,
        ref_type="adjustment",
        ref_id=adjustment.id,
        summary=_summary(
            f"{actor.name} adjusted {words.label(adjustment.stock_type)} by "
            f"{'+' if adjustment.change > 0 else '−'}{words.kg(abs(adjustment.change))}: {adjustment.reason}"
        ),
    )
    adjustment.quantity_after = entry.quantity_after  # for the response only (not a column)
    return adjustment


# --- inward / outward goods --------------------------------------------------------------------

_KIND = {
    Direction.IN: {"label": "inward", "schema": InwardSchema, "sign": 1},
    Direction.OUT: {"label": "outward", "schema": OutwardSchema, "sign": -1},
}


_GOODS_FILTERS = {
    **date_range(GoodsMovement.movement_date),
    "stock_type": lambda value: GoodsMovement.stock_type == StockType(value),
    "party_name": substring(GoodsMovement.party_name),
}


def list_goods(*, mill, direction: Direction, query: dict) -> tuple[list[GoodsMovement], dict]:
    """A page of the mill's inwards or outwards, newest first."""
    return search_filter_sort_paginate(
        sa.select(GoodsMovement).where(GoodsMovement.mill_id == mill.id, GoodsMovement.direction == direction),
        query,
        filters=_GOODS_FILTERS,
        sort=(GoodsMovement.movement_date.desc(), GoodsMovement.created_at.desc(), GoodsMovement.id),
        sums={"quantityKg": lambda c: c.quantity_kg},
    )


def goods_dict(movement: GoodsMovement) -> dict:
    return _KIND[movement.direction]["schema"]().dump(movement)


def create_goods_movement(*, mill, direction: Direction, data: dict, actor) -> GoodsMovement:
    """An inward (+quantity) or outward (−quantity, 409 when not enough) with its events."""
    kind = _KIND[direction]
    movement = GoodsMovement(
        mill_id=mill.id,
        direction=direction,
        stock_type=StockType(data["stock_type"]),
        quantity_kg=data["quantity_kg"],
        bags=data.get("bags"),
        party_name=data.get("party_name"),
        vehicle_number=data.get("vehicle_number"),
        notes=data.get("notes"),
        movement_date=data.get("date") or mill.today(),
        created_by_id=actor.id,
    )
    db.session.add(movement)
    db.session.flush()
    label = kind["label"]
    party = f" {'from' if direction == Direction.IN else 'to'} {movement.party_name}" if movement.party_name else ""
    publish_goods_created(
        label,
        mill.id,
        goods_dict(movement),
        actor,
        _summary(
            f"{actor.name} recorded an {label} of {words.kg_q(movement.quantity_kg)}"
            f" of {words.label(movement.stock_type)}{party}"
        ),
    )
    apply_movement(
        mill_id=mill.id,
        stock_type=movement.stock_type,
        change=kind["sign"] * movement.quantity_kg,
        reason=label,
        actor=actor,
        ref_type=label,
        ref_id=movement.id,
    )
    return movement
