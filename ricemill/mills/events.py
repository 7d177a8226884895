"""The platform's mill event: its payload contract (docs/realtime.md)."""

from marshmallow import fields

from ..realtime.events import E, Payload, server_event


class CreatedMill(Payload):
    id = fields.String(required=True)
    name = fields.String(required=True)
    code = fields.String(required=True)


@server_event(E["MILL_CREATED"])
class MillCreatedPayload(Payload):
    """To the SUPER_ADMINs once the mill exists (a platform event: no millId, no seq)."""

    mill = fields.Nested(CreatedMill, required=True)
