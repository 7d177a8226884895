"""The payment and receipt events: their payload contracts and publish helpers (docs/realtime.md)."""

from ..common.schemas import schema_instance
from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish_document_event
from .models import Payment, Receipt
from .schemas import PaymentSchema, ReceiptSchema

_PAYMENT = "the payment, as GET .../payments/{id} returns it"


@server_event(E["PAYMENT_RECEIVED"])
class PaymentReceivedPayload(MillEventPayload):
    payment = document_field(_PAYMENT)
    receivedBy = actor_field()  # noqa: N815


@server_event(E["PAYMENT_MADE"])
class PaymentMadePayload(MillEventPayload):
    payment = document_field(_PAYMENT)
    madeBy = actor_field()  # noqa: N815


@server_event(E["RECEIPT_CREATED"])
class ReceiptCreatedPayload(MillEventPayload):
    receipt = document_field("the receipt, as GET .../receipts/{id} returns it")
    createdBy = actor_field()  # noqa: N815


def publish_payment_received(payment: Payment, actor, summary: str) -> None:
    _publish_payment(E["PAYMENT_RECEIVED"], payment, "receivedBy", actor, summary)


def publish_payment_made(payment: Payment, actor, summary: str) -> None:
    _publish_payment(E["PAYMENT_MADE"], payment, "madeBy", actor, summary)


def _publish_payment(name: str, payment: Payment, by: str, actor, summary: str) -> None:
    body = schema_instance(PaymentSchema).dump(payment)
    publish_document_event(
        name,
        payment.mill_id,
        "payment",
        body,
        by=by,
        actor=actor,
        summary=summary,
        entity_type="payment",
        entity_id=payment.id,
    )


def publish_receipt_created(receipt: Receipt, actor, summary: str) -> None:
    body = schema_instance(ReceiptSchema).dump(receipt)
    publish_document_event(
        E["RECEIPT_CREATED"],
        receipt.mill_id,
        "receipt",
        body,
        by="createdBy",
        actor=actor,
        summary=summary,
        entity_type="receipt",
        entity_id=receipt.id,
    )
