"""The stock and goods events: their payload contracts and publish helpers (docs/realtime.md).

The `stock:low-alert` payload itself is built in inventory/low_stock.py (`low_stock_payload`).
"""

from marshmallow import fields, validate

from ..realtime.events import E, MillEventPayload, Number, actor_field, document_field, server_event
from ..realtime.outbox import publish
from .types import StockType

SEVERITIES = ("critical", "high", "medium")


def _stock_type():
    return fields.String(required=True, validate=validate.OneOf(StockType.values()))


@server_event(E["STOCK_UPDATED"])
class StockUpdatedPayload(MillEventPayload):
    stockType = _stock_type()  # noqa: N815
    quantity = Number(required=True, metadata={"description": "kg in stock after the movement"})
    minStockLevel = Number(required=True)  # noqa: N815
    change = Number(required=True, metadata={"description": "kg added (negative: taken); 0 for a new minimum"})
    reason = fields.String(required=True)


@server_event(E["STOCK_LOW_ALERT"])
class StockLowAlertPayload(MillEventPayload):
    stockType = _stock_type()  # noqa: N815
    currentQuantity = Number(required=True)  # noqa: N815
    minLevel = Number(required=True)  # noqa: N815
    severity = fields.String(required=True, validate=validate.OneOf(SEVERITIES))


@server_event(E["INWARD_CREATED"])
class InwardCreatedPayload(MillEventPayload):
    inward = document_field("the inward, as GET .../inwards/{id} returns it")
    createdBy = actor_field()  # noqa: N815


@server_event(E["OUTWARD_CREATED"])
class OutwardCreatedPayload(MillEventPayload):
    outward = document_field("the outward, as GET .../outwards/{id} returns it")
    createdBy = actor_field()  # noqa: N815


def _stock_entity(stock_type: str) -> dict:
    return {"type": "stock", "id": stock_type}


def publish_stock_updated(
    mill_id, stock_type: str, *, quantity, minimum, change, reason: str, actor=None, summary: str | None = None
) -> None:
    """`stock:updated`; with a `summary` (and its actor) it is an activity entry of its own."""
    publish(
        E["STOCK_UPDATED"],
        mill_id,
        {
            "stockType": stock_type,
            "quantity": float(quantity),
            "minStockLevel": float(minimum),
            "change": float(change),
            "reason": reason,
        },
        actor=actor.actor if actor is not None and summary else None,
        summary=summary,
        entity=_stock_entity(stock_type) if summary else None,
    )


def publish_low_stock_alert(mill_id, payload: dict, *, summary: str) -> None:
    publish(E["STOCK_LOW_ALERT"], mill_id, payload, summary=summary, entity=_stock_entity(payload["stockType"]))


def publish_goods_created(label: str, mill_id, document: dict, actor, summary: str) -> None:
    """`inward:created` or `outward:created` (label "inward" / "outward")."""
    publish(
        E[f"{label.upper()}_CREATED"],
        mill_id,
        {label: document, "createdBy": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity={"type": label, "id": document["id"]},
    )
