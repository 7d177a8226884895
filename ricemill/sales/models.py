import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import enum_column
from ..common.models import MONEY, WEIGHT, CreatedBy, MillScoped, Timestamps, UUIDPrimaryKey
from ..extensions import db
from ..finance.types import PaymentStatus
from ..inventory.types import StockType


class Sale(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    __tablename__ = "sales"
    __table_args__ = (
        sa.UniqueConstraint("mill_id", "invoice_no"),
        sa.Index("ix_sales_mill_date", "mill_id", "sale_date", "created_at"),
        # Dashboard: receivables read only unpaid sales; the 30-day series is index-only.
        sa.Index(
            "ix_sales_mill_unpaid",
            "mill_id",
            postgresql_include=["amount", "paid_amount"],
            postgresql_where=sa.text("payment_status <> 'PAID'"),
        ),
        sa.Index("ix_sales_mill_date_totals", "mill_id", "sale_date", postgresql_include=["quantity_kg", "amount"]),
        sa.CheckConstraint("quantity_kg > 0", name="quantity_positive"),
        sa.CheckConstraint("paid_amount <= amount", name="not_overpaid"),
    )

    invoice_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    party_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("parties.id", ondelete="RESTRICT"), index=True
    )
    buyer_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    buyer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    stock_type: Mapped[StockType] = mapped_column(enum_column(StockType, "sale_stock_type"), nullable=False)
    quantity_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    bags: Mapped[int | None] = mapped_column(sa.Integer)
    rate_per_quintal: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    sale_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    vehicle_number: Mapped[str | None] = mapped_column(sa.String(20))
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    payment_status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "sale_payment_status"), nullable=False, default=PaymentStatus.PENDING
    )
