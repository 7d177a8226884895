"""Payments and receipts: what is paid against purchases and sales, and the receipts it issues.

Functions flush and never commit. A payment locks the purchase or sale it pays (so two payments
cannot both fit the same balance), and a RECEIVED payment takes the mill's next receipt number in
the same transaction, so a refused payment writes nothing and consumes no number.
"""

from decimal import ROUND_HALF_UP, Decimal

from ..common.errors import Conflict, Invalid
from ..common.listing import date_range, equal, search_filter_sort_paginate, substring
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..mills.models import next_sequence_value
from ..realtime.events import SERVER_EVENTS
from ..realtime.outbox import publish
from .models import Payment, Receipt
from .schemas import PaymentSchema, ReceiptSchema
from .types import PaymentDirection, PaymentMode, PaymentStatus

PAISE = Decimal("0.01")


def rupees(value) -> Decimal:
    return Decimal(value).quantize(PAISE, ROUND_HALF_UP)


def rupees_text(value) -> str:
    return f"₹{rupees(value):,.2f}"


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
            f"The new amount {amount} would be less than the {document.paid_amount} already {paid_word}",
            errors=[{"field": "amount", "message": f"Less than the amount already {paid_word}"}],
        )
    document.amount = amount
    document.payment_status = payment_status_for(amount=amount, paid=document.paid_amount)


def _pay_document(document, amount: Decimal) -> None:
    """Add `amount` to a locked purchase or sale; 409 when it is more than the balance."""
    balance = document.amount - document.paid_amount
    if amount > balance:
        raise Conflict(
            f"A payment of {rupees_text(amount)} is more than the balance of {rupees_text(balance)}",
            errors=[{"field": "amount", "message": f"At most {balance}"}],
        )
    document.paid_amount = document.paid_amount + amount
    document.payment_status = payment_status_for(amount=document.amount, paid=document.paid_amount)


def create_payment(*, mill, data: dict, actor) -> Payment:
    """Record a payment made or received, pay the linked purchase or sale, and, when RECEIVED,
    issue its receipt. A purchase is paid by a MADE payment, a sale by a RECEIVED one, never both."""
    # Imported here: the purchase and sale services import this module for the money helpers.
    from ..purchases.models import PaddyPurchase
    from ..purchases.service import publish_purchase_updated
    from ..sales.models import Sale
    from ..sales.service import publish_sale_updated

    direction = PaymentDirection(data["direction"])
    amount = rupees(data["amount"])
    # Checked again here (not only by the schema) so that every caller, the demo seed too, obeys it.
    if data.get("purchase_id") and (data.get("sale_id") or direction != PaymentDirection.MADE):
        raise Invalid(errors=[{"field": "purchaseId", "message": "Only a MADE payment, and not with a saleId."}])
    if data.get("sale_id") and direction != PaymentDirection.RECEIVED:
        raise Invalid(errors=[{"field": "saleId", "message": "Only a RECEIVED payment."}])
    party_name = (data.get("party_name") or "").strip()
    purchase = sale = None
    if data.get("purchase_id"):
        purchase = get_mill_document(PaddyPurchase, mill.id, data["purchase_id"], for_update=True, label="Purchase")
        party_name = party_name or purchase.farmer_name
        _pay_document(purchase, amount)
    elif data.get("sale_id"):
        sale = get_mill_document(Sale, mill.id, data["sale_id"], for_update=True, label="Sale")
        party_name = party_name or sale.buyer_name
        _pay_document(sale, amount)
    if not party_name:
        raise Invalid(errors=[{"field": "partyName", "message": "Required when no purchase or sale is linked."}])

    payment = Payment(
        mill_id=mill.id,
        created_by_id=actor.id,
        direction=direction,
        party_name=party_name,
        amount=amount,
        mode=PaymentMode(data["mode"]),
        reference=data.get("reference"),
        purchase_id=purchase.id if purchase else None,
        sale_id=sale.id if sale else None,
        payment_date=data.get("payment_date") or mill.today(),
        notes=data.get("notes"),
    )
    db.session.add(payment)
    db.session.flush()
    entity = {"type": "payment", "id": str(payment.id)}
    if direction == PaymentDirection.RECEIVED:
        publish(
            SERVER_EVENTS["PAYMENT_RECEIVED"],
            mill.id,
            {"payment": PaymentSchema().dump(payment), "receivedBy": actor.actor},
            actor=actor.actor,
            summary=f"{actor.name} received {rupees_text(amount)} from {party_name} ({payment.mode})",
            entity=entity,
        )
        _issue_receipt(payment, actor)
    else:
        publish(
            SERVER_EVENTS["PAYMENT_MADE"],
            mill.id,
            {"payment": PaymentSchema().dump(payment), "madeBy": actor.actor},
            actor=actor.actor,
            summary=f"{actor.name} paid {rupees_text(amount)} to {party_name} ({payment.mode})",
            entity=entity,
        )
    # The document's paid amount changed: live lists refresh from its updated event.
    if purchase is not None:
        db.session.flush()
        publish_purchase_updated(
            purchase,
            actor,
            f"Purchase from {purchase.farmer_name} is {purchase.payment_status}:"
            f" {rupees_text(purchase.paid_amount)} of {rupees_text(purchase.amount)} paid",
        )
    if sale is not None:
        db.session.flush()
        publish_sale_updated(
            sale,
            actor,
            f"Invoice {sale.invoice_no} to {sale.buyer_name} is {sale.payment_status}:"
            f" {rupees_text(sale.paid_amount)} of {rupees_text(sale.amount)} received",
        )
    return payment


def _issue_receipt(payment: Payment, actor) -> Receipt:
    receipt = Receipt(
        mill_id=payment.mill_id,
        created_by_id=actor.id,
        receipt_no=next_sequence_value(payment.mill_id, "receipt"),
        payment_id=payment.id,
        party_name=payment.party_name,
        amount=payment.amount,
        receipt_date=payment.payment_date,
    )
    db.session.add(receipt)
    db.session.flush()
    publish(
        SERVER_EVENTS["RECEIPT_CREATED"],
        payment.mill_id,
        {"receipt": ReceiptSchema().dump(receipt), "createdBy": actor.actor},
        actor=actor.actor,
        summary=(
            f"{actor.name} issued receipt {receipt.receipt_no} to {receipt.party_name}"
            f" for {rupees_text(receipt.amount)}"
        ),
        entity={"type": "receipt", "id": str(receipt.id)},
    )
    return receipt


def get_payment(*, mill_id, payment_id) -> Payment:
    return get_mill_document(Payment, mill_id, payment_id, label="Payment")


def get_receipt(*, mill_id, receipt_id) -> Receipt:
    return get_mill_document(Receipt, mill_id, receipt_id, label="Receipt")


# --- lists ---------------------------------------------------------------------------------------

_PAYMENT_FILTERS = {
    **date_range(Payment.payment_date),
    "direction": equal(Payment.direction),
    "mode": equal(Payment.mode),
    "purchase_id": equal(Payment.purchase_id),
    "sale_id": equal(Payment.sale_id),
}
_RECEIPT_FILTERS = {
    **date_range(Receipt.receipt_date),
    "party_name": substring(Receipt.party_name),
    "payment_id": equal(Receipt.payment_id),
}


def list_payments(*, mill_id, query: dict) -> tuple[list[Payment], dict]:
    """A page of the mill's payments, newest first."""
    return search_filter_sort_paginate(
        db.select(Payment).where(Payment.mill_id == mill_id),
        query,
        filters=_PAYMENT_FILTERS,
        sort=(Payment.payment_date.desc(), Payment.created_at.desc(), Payment.id.desc()),
    )


def list_receipts(*, mill_id, query: dict) -> tuple[list[Receipt], dict]:
    """A page of the mill's receipts, newest number first."""
    return search_filter_sort_paginate(
        db.select(Receipt).where(Receipt.mill_id == mill_id),
        query,
        filters=_RECEIPT_FILTERS,
        sort=(Receipt.receipt_no.desc(),),
    )
