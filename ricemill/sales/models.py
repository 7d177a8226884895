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

FY_START_SQL = "(EXTRACT(YEAR FROM sale_date)::integer - CASE WHEN EXTRACT(MONTH FROM sale_date) < 4 THEN 1 ELSE 0 END)"


def fy_start_of(day: date) -> int:
    return day.year - (1 if day.month < 4 else 0)


def invoice_number(fy_start: int, invoice_no: int) -> str:
    """As printed: 2026-27/0001."""
    return f"{fy_start}-{(fy_start + 1) % 100:02d}/{invoice_no:04d}"


class Sale(UUIDPrimaryKey, MillScoped, CreatedBy, Timestamps, db.Model):
    __tablename__ = "sales"
    __table_args__ = (
        # Invoice numbers restart every financial year (April-March).
        sa.UniqueConstraint("mill_id", "fy_start", "invoice_no"),
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
        sa.CheckConstraint("cgst_amount + sgst_amount + igst_amount = tax_amount", name="gst_split_is_the_tax"),
    )

    invoice_no: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    # The financial year of the sale date, by its first year (2026 for April 2026 - March 2027).
    fy_start: Mapped[int] = mapped_column(sa.Integer, sa.Computed(FY_START_SQL, persisted=True))
    party_id: Mapped[uuid.UUID | None] = mapped_column(
        sa.Uuid, sa.ForeignKey("parties.id", ondelete="RESTRICT"), index=True
    )
    buyer_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    buyer_phone: Mapped[str | None] = mapped_column(sa.String(20))
    stock_type: Mapped[StockType] = mapped_column(enum_column(StockType, "sale_stock_type"), nullable=False)
    quantity_kg: Mapped[Decimal] = mapped_column(WEIGHT, nullable=False)
    bags: Mapped[int | None] = mapped_column(sa.Integer)
    rate_per_quintal: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    # amount = taxable value + tax: what the buyer owes (payments and ledgers use it).
    amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False)
    tax_rate_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), nullable=False, default=0, server_default="0")
    taxable_value: Mapped[Decimal | None] = mapped_column(MONEY)
    tax_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    # The GST split as invoiced, fixed when the sale is made (migration 0008): a later change of the
    # party's state or GSTIN never changes a printed invoice. CGST + SGST when the mill's and the
    # buyer's states match (or the buyer's is unknown), IGST otherwise; the unused ones are 0.
    buyer_state: Mapped[str | None] = mapped_column(sa.String(60))
    buyer_gstin: Mapped[str | None] = mapped_column(sa.String(15))
    cgst_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    sgst_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    igst_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    sale_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    vehicle_number: Mapped[str | None] = mapped_column(sa.String(20))
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, nullable=False, default=0, server_default="0")
    payment_status: Mapped[PaymentStatus] = mapped_column(
        enum_column(PaymentStatus, "sale_payment_status"), nullable=False, default=PaymentStatus.PENDING
    )

    @property
    def invoice_number(self) -> str:
        return invoice_number(fy_start_of(self.sale_date), self.invoice_no)


def _invoice_number_sql():
    """`invoice_number` in SQL, for exports: 2026-27/0001 (a number past 9999 in full, as Python's :04d)."""
    no = Sale.invoice_no
    padded = sa.case((no < 10000, sa.func.lpad(sa.cast(no, sa.Text), 4, "0")), else_=sa.cast(no, sa.Text))
    next_year = sa.func.lpad(sa.cast((Sale.fy_start + 1) % 100, sa.Text), 2, "0")
    return sa.func.concat(sa.cast(Sale.fy_start, sa.Text), "-", next_year, "/", padded)


# Properties of the model as SQL, so its list exports from plain columns (common/export.py).
Sale.EXPORT_EXPRESSIONS = {"invoice_number": _invoice_number_sql()}
