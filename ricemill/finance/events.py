"""The payment and receipt events: their payload contracts and publish helpers (docs/realtime.md)."""

from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish
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


def _payment_entity(payment: Payment) -> dict:
    return {"type": "payment", "id": str(payment.id)}


def publish_payment_received(payment: Payment, actor, summary: str) -> None:
    publish(
        E["PAYMENT_RECEIVED"],
        payment.mill_id,
        {"payment": PaymentSchema().dump(payment), "receivedBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity=_payment_entity(payment),
    )


def publish_payment_made(payment: Payment, actor, summary: str) -> None:
    publish(
        E["PAYMENT_MADE"],
        payment.mill_id,
        {"payment": PaymentSchema().dump(payment), "madeBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity=_payment_entity(payment),
    )


def publish_receipt_created(receipt: Receipt, actor, summary: str) -> None:
    publish(
        E["RECEIPT_CREATED"],
        receipt.mill_id,
        {"receipt": ReceiptSchema().dump(receipt), "createdBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity={"type": "receipt", "id": str(receipt.id)},
    )
