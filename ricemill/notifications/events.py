"""The `notification` event: its payload contract (docs/realtime.md)."""

from marshmallow import fields, validate

from ..realtime.events import E, Payload, server_event
from .models import NotificationType


@server_event(E["NOTIFICATION"])
class NotificationPayload(Payload):
    """One stored notification, as GET /api/v1/notifications lists it (without `read`)."""

    id = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf([t.value for t in NotificationType]))
    title = fields.String(required=True)
    message = fields.String(required=True)
    data = fields.Dict(required=True, metadata={"description": "the rule's data, e.g. {purchaseId}"})
    createdAt = fields.String(required=True, allow_none=True)  # noqa: N815
