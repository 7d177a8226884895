"""The sale events: their payload contracts and the one place that publishes them (docs/realtime.md)."""

from marshmallow import fields

from ..common.schemas import schema_instance
from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish_document_event
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
    return schema_instance(SaleSchema).dump(sale)


def _publish(name: str, sale: Sale, key: str, value, by: str, actor, summary: str) -> None:
    publish_document_event(
        name, sale.mill_id, key, value, by=by, actor=actor, summary=summary, entity_type="sale", entity_id=sale.id
    )


def publish_sale_created(sale: Sale, actor, summary: str) -> None:
    _publish(E["SALE_CREATED"], sale, "sale", sale_dict(sale), "createdBy", actor, summary)


def publish_sale_updated(sale: Sale, actor, summary: str) -> None:
    _publish(E["SALE_UPDATED"], sale, "sale", sale_dict(sale), "updatedBy", actor, summary)


def publish_sale_deleted(sale: Sale, actor, summary: str) -> None:
    _publish(E["SALE_DELETED"], sale, "saleId", str(sale.id), "deletedBy", actor, summary)
