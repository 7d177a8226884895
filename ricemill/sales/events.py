"""The sale events: their payload contracts and the one place that publishes them (docs/realtime.md)."""

from marshmallow import fields

from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish
from .models import Sale
from .schemas import SaleSchema

_SALE = "the sale, as GET .../sales/{id} returns it"


@server_event(E["SALE_CREATED"])
class SaleCreatedPayload(MillEventPayload):
    sale = document_field(_SALE)
    createdBy = actor_field()  # noqa: N815


@server_event(E["SALE_UPDATED"])
class SaleUpdatedPayload(MillEventPayload):
    sale = document_field(_SALE)
    updatedBy = actor_field("the user who changed it (a payment against it too)")  # noqa: N815


@server_event(E["SALE_DELETED"])
class SaleDeletedPayload(MillEventPayload):
    saleId = fields.String(required=True)  # noqa: N815
    deletedBy = actor_field()  # noqa: N815


def sale_dict(sale: Sale) -> dict:
    """The REST representation, also the event payload's `sale`."""
    return SaleSchema().dump(sale)


def _entity(sale: Sale) -> dict:
    return {"type": "sale", "id": str(sale.id)}


def publish_sale_created(sale: Sale, actor, summary: str) -> None:
    publish(
        E["SALE_CREATED"],
        sale.mill_id,
        {"sale": sale_dict(sale), "createdBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity=_entity(sale),
    )


def publish_sale_updated(sale: Sale, actor, summary: str) -> None:
    publish(
        E["SALE_UPDATED"],
        sale.mill_id,
        {"sale": sale_dict(sale), "updatedBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity=_entity(sale),
    )


def publish_sale_deleted(sale: Sale, actor, summary: str) -> None:
    publish(
        E["SALE_DELETED"],
        sale.mill_id,
        {"saleId": str(sale.id), "deletedBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity=_entity(sale),
    )
