"""The purchase events: their payload contracts and the one place that publishes them (docs/realtime.md)."""

from marshmallow import fields

from ..common.schemas import schema_instance
from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish_document_event
from .models import PaddyPurchase
from .schemas import PurchaseSchema

_PURCHASE = "the purchase, as GET .../paddy-purchases/{id} returns it"


@server_event(E["PURCHASE_CREATED"])
class PurchaseCreatedPayload(MillEventPayload):
    purchase = document_field(_PURCHASE)
    createdBy = actor_field()  # noqa: N815


@server_event(E["PURCHASE_UPDATED"])
class PurchaseUpdatedPayload(MillEventPayload):
    purchase = document_field(_PURCHASE)
    updatedBy = actor_field("the user who changed it (a payment against it too)")  # noqa: N815


@server_event(E["PURCHASE_DELETED"])
class PurchaseDeletedPayload(MillEventPayload):
    purchaseId = fields.String(required=True)  # noqa: N815
    deletedBy = actor_field()  # noqa: N815


def purchase_dict(purchase: PaddyPurchase) -> dict:
    """The REST representation, also the event payload's `purchase`."""
    return schema_instance(PurchaseSchema).dump(purchase)


def _publish(name: str, purchase: PaddyPurchase, key: str, value, by: str, actor, summary: str) -> None:
    publish_document_event(
        name,
        purchase.mill_id,
        key,
        value,
        by=by,
        actor=actor,
        summary=summary,
        entity_type="purchase",
        entity_id=purchase.id,
    )


def publish_purchase_created(purchase: PaddyPurchase, actor, summary: str) -> None:
    _publish(E["PURCHASE_CREATED"], purchase, "purchase", purchase_dict(purchase), "createdBy", actor, summary)


def publish_purchase_updated(purchase: PaddyPurchase, actor, summary: str) -> None:
    _publish(E["PURCHASE_UPDATED"], purchase, "purchase", purchase_dict(purchase), "updatedBy", actor, summary)


def publish_purchase_deleted(purchase: PaddyPurchase, actor, summary: str) -> None:
    _publish(E["PURCHASE_DELETED"], purchase, "purchaseId", str(purchase.id), "deletedBy", actor, summary)
