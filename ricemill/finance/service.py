"""Payments and receipts: what is paid against purchases and sales, and the receipts it issues."""

from decimal import ROUND_HALF_UP, Decimal

from .types import PaymentStatus

PAISE = Decimal("0.01")


def rupees(value) -> Decimal:
    return Decimal(value).quantize(PAISE, ROUND_HALF_UP)


def payment_status_for(*, amount, paid) -> PaymentStatus:
    """PENDING until something is paid, PARTIAL until all of it is, then PAID."""
    if paid <= 0:
        return PaymentStatus.PENDING
    return PaymentStatus.PAID if paid >= amount else PaymentStatus.PARTIAL
