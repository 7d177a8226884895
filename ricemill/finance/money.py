"""The amount rules of purchases, sales and payments: rupees to the paisa, rate per quintal, the
payment status. Purchases and sales import them from here (finance/service.py pays them)."""

from decimal import ROUND_HALF_UP, Decimal

from ..common import words
from ..common.errors import Conflict
from .types import PaymentStatus

PAISE = Decimal("0.01")


def rupees(value) -> Decimal:
    return Decimal(value).quantize(PAISE, ROUND_HALF_UP)


def rupees_text(value) -> str:
    """'₹1,20,600.00' (common/words.py: Indian grouping, as the pages show it)."""
    return words.money(value)


def payment_status_for(*, amount, paid) -> PaymentStatus:
    """PENDING until something is paid, PARTIAL until all of it is, then PAID."""
    if paid <= 0:
        return PaymentStatus.PENDING
    return PaymentStatus.PAID if paid >= amount else PaymentStatus.PARTIAL


def amount_for(quantity_kg, rate_per_quintal) -> Decimal:
    """Rupees for `quantity_kg` at a rate per quintal (100 kg), as the trade quotes it."""
    return rupees(Decimal(quantity_kg) / Decimal(100) * Decimal(rate_per_quintal))


def set_amount(document, amount: Decimal, *, paid_word: str) -> None:
    """A purchase's or sale's new amount: never below what was already paid (409); status follows."""
    if amount < document.paid_amount:
        raise Conflict(
            f"The new amount {words.money(amount)} would be less than the {words.money(document.paid_amount)}"
            f" already {paid_word}",
            errors=[
                {"field": "amount", "message": f"Less than the {words.money(document.paid_amount)} already {paid_word}"}
            ],
        )
    document.amount = amount
    document.payment_status = payment_status_for(amount=amount, paid=document.paid_amount)
