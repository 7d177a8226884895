import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import enum_column
from ..common.models import MONEY, WEIGHT, CreatedBy, MillScoped, Timestamps, UUIDPrimaryKey
from ..extensions import db
from .types import Direction, StockType


class Stock(UUIDPrimaryKey, MillScoped, db.Model):
    """One row per mill and stock type. `quantity` is only ever changed by `apply_movement`."""

    __tablename__ = "stocks"
    __table_args__ = (
        sa.UniqueConstraint("mill_id", "stock_type"),
        sa.CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        sa.CheckConstraint("min_stock_level >= 0", name="min_not_negative"),
        # Only the stocks that are low right now: the hourly scan's cost follows what is low.
        sa.Index(
            "ix_stocks_low",
            "mill_id",
            "stock_type",
            postgresql_where=sa.text("min_stock_level > 0 AND quantity <= min_stock_level"),
        ),
    )

    stock_type: Mapped[StockType] = mapped_column(enum_column(StockType, "stock_type"), nullable=False)
    quantity: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False, default=0, server_default="0")
    min_stock_level: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now(), onupdate=sa.func.now()
    )


class StockLedgerEntry(MillScoped, db.Model):
    """Append-only: the current quantity always equals the sum of `change` for the stock."""

    __tablename__ = "stock_ledger"
    __table_args__ = (sa.Index("ix_stock_ledger_mill_type_id", "mill_id", "stock_type", "id"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    stock_type: Mapped[StockType] = mapped_column(enum_column(StockType, "ledger_stock_type"), nullable=False)
    change: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    quantity_after: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    ref_type: Mapped[str | None] = mapped_column(sa.String(40))
    ref_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    user_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class GoodsMovement(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    """Inward (IN) and outward (OUT) goods: one table, one shape, two routes."""

    __tablename__ = "goods_movements"
    __table_args__ = (
        sa.Index("ix_goods_movements_mill_dir_date", "mill_id", "direction", "movement_date"),
        sa.CheckConstraint("quantity_kg > 0", name="quantity_positive"),
    )

    direction: Mapped[Direction] = mapped_column(enum_column(Direction, "movement_direction"), nullable=False)
    stock_type: Mapped[StockType] = mapped_column(enum_column(StockType, "movement_stock_type"), nullable=False)
    quantity_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    bags: Mapped[int | None] = mapped_column(sa.Integer)
    party_name: Mapped[str | None] = mapped_column(sa.String(120))
    vehicle_number: Mapped[str | None] = mapped_column(sa.String(20))
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    movement_date: Mapped[date] = mapped_column(sa.Date, nullable=False)


class StockAdjustment(UUIDPrimaryKey, MillScoped, CreatedBy, db.Model):
    """A manual correction (counted stock, spoilage); signed change with a reason."""

    __tablename__ = "stock_adjustments"

    stock_type: Mapped[StockType] = mapped_column(enum_column(StockType, "adjustment_stock_type"), nullable=False)
    change: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


__all__ = ["Stock", "StockLedgerEntry", "GoodsMovement", "StockAdjustment", "MONEY"]
