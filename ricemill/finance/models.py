import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..common.enums import enum_column
from ..common.models import MONEY, CreatedBy, MillScoped, UUIDPrimaryKey
from ..extensions import db
from .types import PaymentDirection, PaymentMode


class Payment(UUIDPrimaryKey, MillScoped, CreatedBy, db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        sa.Index("ix_payments_mill_date", "mill_id", "payment_date", "created_at"),
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("purchase_id IS NULL OR sale_id IS NULL", name="one_document"),
    )

    direction: Mapped[PaymentDirection] = mapped_column(
        enum_column(PaymentDirection, "payment_direction"), nullable=False
    )
    party_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("parties.id", ondelete="RESTRICT"), index=True
    )
    party_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    mode: Mapped[PaymentMode] = mapped_column(enum_column(PaymentMode, "payment_mode"), nullable=False)
    reference: Mapped[str | None] = mapped_column(sa.String(80))
    purchase_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("paddy_purchases.id", ondelete="RESTRICT"), index=True
    )
    sale_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("sales.id", ondelete="RESTRICT"), index=True
    )
    payment_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )


class Receipt(UUIDPrimaryKey, MillScoped, CreatedBy, db.Model):
    __tablename__ = "receipts"
    __table_args__ = (sa.UniqueConstraint("mill_id", "receipt_no"),)

    receipt_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    payment_id: Mapped[uuid.UUID] = mapped_column(
        sa.Uuid, sa.ForeignKey("payments.id", ondelete="RESTRICT"), nullable=False, unique=True
    )
    party_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    receipt_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    )
