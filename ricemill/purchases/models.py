import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import enum_column
from ..common.models import MONEY, PERCENT, WEIGHT, CreatedBy, MillScoped, Timestamps, UUIDPrimaryKey
from ..extensions import db
from ..finance.types import PaymentStatus


class PaddyPurchase(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    __tablename__ = "paddy_purchases"
    __table_args__ = (
        sa.Index("ix_paddy_purchases_mill_date", "mill_id", "purchase_date", "created_at"),
        # Dashboard: payables read only unpaid purchases; the 30-day series is index-only.
        sa.Index(
            "ix_paddy_purchases_mill_unpaid",
            "mill_id",
            postgresql_include=["amount", "paid_amount"],
            postgresql_where=sa.text("payment_status <> 'PAID'"),
        ),
        sa.Index(
            "ix_paddy_purchases_mill_date_totals",
            "mill_id",
            "purchase_date",
            postgresql_include=["net_weight_kg", "amount"],
        ),
        sa.CheckConstraint("gross_weight_kg > tare_weight_kg", name="gross_above_tare"),
        sa.CheckConstraint("net_weight_kg > 0", name="net_positive"),
        sa.CheckConstraint("paid_amount <= amount", name="not_overpaid"),
    )

    party_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("parties.id", ondelete="RESTRICT"), index=True
    )
    farmer_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    farmer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    village: Mapped[str | None] = mapped_column(sa.String(120))
    variety: Mapped[str | None] = mapped_column(sa.String(60))
    bags: Mapped[int | None] = mapped_column(sa.Integer)
    gross_weight_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    tare_weight_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False, default=0)
    moisture_percent: Mapped[Decimal] = mapped_column(PERCENT, nullable=False)
    standard_moisture_percent: Mapped[Decimal] = mapped_column(PERCENT, nullable=False)
    moisture_deduction_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    net_weight_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    rate_per_quintal: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    vehicle_number: Mapped[str | None] = mapped_column(sa.String(20))
    weigh_slip_no: Mapped[str | None] = mapped_column(sa.String(40))
    purchase_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    payment_status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "purchase_payment_status"), nullable=False, default=PaymentStatus.PENDING
    )
