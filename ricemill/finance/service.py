"""Payments and receipts: what is paid against purchases and sales, and the receipts it issues.

Functions flush and never commit. A payment locks the purchase or sale it pays (so two payments
cannot both fit the same balance), and a RECEIVED payment takes the mill's next receipt number in
the same transaction, so a refused payment writes nothing and consumes no number.
"""

from decimal import Decimal

from ..common import words
from ..common.errors import Conflict, Invalid
from ..common.listing import date_range, equal, search_filter_sort_paginate, substring
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..mills.models import next_sequence_value
from ..parties import service as parties
from ..purchases.events import publish_purchase_updated
from ..purchases.models import PaddyPurchase
from ..sales.events import publish_sale_updated
from ..sales.models import Sale
from .events import publish_payment_made, publish_payment_received, publish_receipt_created
from .models import Payment, Receipt
from .money import payment_status_for, rupees, rupees_text
from .types import PaymentDirection, PaymentMode

# The schema says the same (finance/schemas.py): one wording, whoever checks first.
PURCHASE_PAID_BY_MADE = "A purchase is paid with a payment made to the farmer, for that purchase alone."
SALE_PAID_BY_RECEIVED = "A sale is paid with a payment received from the buyer."


def _pay_document(document, amount: Decimal) -> None:
    """Add `amount` to a locked purchase or sale; 409 when it is more than the balance."""
    balance = document.amount - document.paid_amount
    if amount > balance:
        raise Conflict(
            f"A payment of {rupees_text(amount)} is more than the balance of {rupees_text(balance)}",
            errors=[{"field": "amount", "message": words.at_most_money(balance), "maximum": float(balance)}],
        )
    document.paid_amount = document.paid_amount + amount
    document.payment_status = payment_status_for(amount=document.amount, paid=document.paid_amount)


def create_payment(*, mill, data: dict, actor) -> Payment:
    """Record a payment made or received, pay the linked purchase or sale, and, when RECEIVED,
    issue its receipt. A purchase is paid by a MADE payment, a sale by a RECEIVED one, never both."""
    direction = PaymentDirection(data["direction"])
    amount = rupees(data["amount"])
    # Checked again here (not only by the schema) so that every caller, the demo seed too, obeys it.
    if data.get("purchase_id") and (data.get("sale_id") or direction != PaymentDirection.MADE):
        raise Invalid(errors=[{"field": "purchaseId", "message": PURCHASE_PAID_BY_MADE}])
    if data.get("sale_id") and direction != PaymentDirection.RECEIVED:
        raise Invalid(errors=[{"field": "saleId", "message": SALE_PAID_BY_RECEIVED}])
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
    party = _payment_party(mill, data, purchase or sale, party_name, direction, actor)
    party_name = party_name or party.name
    if not party_name:
        raise Invalid(errors=[{"field": "partyName", "message": "Required when no purchase or sale is linked."}])

    payment = Payment(
        mill_id=mill.id,
        created_by_id=actor.id,
        direction=direction,
        party_name=party_name,
        party_id=party.id,
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
    if direction == PaymentDirection.RECEIVED:
        publish_payment_received(
            payment,
            actor,
            f"{actor.name} received {rupees_text(amount)} from {party_name} ({words.label(payment.mode)})",
        )
        _issue_receipt(payment, actor)
    else:
        publish_payment_made(
            payment, actor, f"{actor.name} paid {rupees_text(amount)} to {party_name} ({words.label(payment.mode)})"
        )
    # The document's paid amount changed: live lists refresh from its updated event.
    if purchase is not None:
        db.session.flush()
        publish_purchase_updated(
            purchase,
            actor,
            f"Purchase from {purchase.farmer_name} is {words.lower_label(purchase.payment_status)}:"
            f" {rupees_text(purchase.paid_amount)} of {rupees_text(purchase.amount)} paid",
        )
    if sale is not None:
        db.session.flush()
        publish_sale_updated(
            sale,
            actor,
            f"Invoice {sale.invoice_no} to {sale.buyer_name} is {words.lower_label(sale.payment_status)}:"
            f" {rupees_text(sale.paid_amount)} of {rupees_text(sale.amount)} received",
        )
    return payment


def _payment_party(mill, data: dict, document, party_name: str, direction, actor):
    """The payment's party: `partyId` (404 when not the mill's; 422 when the linked document is
    another party's), else the linked purchase's or sale's party, else found by name or created."""
    if data.get("party_id"):
        party = parties.get_party(mill_id=mill.id, party_id=data["party_id"])
        if document is not None and document.party_id is not None and document.party_id != party.id:
            raise Invalid(errors=[{"field": "partyId", "message": "The linked document is another party's."}])
        return party
    if document is not None and document.party_id is not None:
        return parties.get_party(mill_id=mill.id, party_id=document.party_id)
    if not party_name:
        raise Invalid(errors=[{"field": "partyName", "message": "Required when no purchase or sale is linked."}])
    return parties.resolve_payee(
        mill=mill, name=party_name, received=direction == PaymentDirection.RECEIVED, actor=actor
    )


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
    publish_receipt_created(
        receipt,
        actor,
        f"{actor.name} issued receipt {receipt.receipt_no} to {receipt.party_name} for {rupees_text(receipt.amount)}",
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
        sums={
            "received": lambda c: db.case((c.direction == PaymentDirection.RECEIVED, c.amount), else_=0),
            "made": lambda c: db.case((c.direction == PaymentDirection.MADE, c.amount), else_=0),
        },
    )


def list_receipts(*, mill_id, query: dict) -> tuple[list[Receipt], dict]:
    """A page of the mill's receipts, newest number first."""
    return search_filter_sort_paginate(
        db.select(Receipt).where(Receipt.mill_id == mill_id),
        query,
        filters=_RECEIPT_FILTERS,
        sort=(Receipt.receipt_no.desc(),),
    )
