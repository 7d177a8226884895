from marshmallow import fields, validate

from ..common.export import format_field
from ..common.schemas import CamelSchema, PageQuerySchema, Text
from ..common.text import Str
from .models import NotificationType


class NotificationSchema(CamelSchema):
    """A notification as its recipient sees it: the socket payload plus read state."""

    id = fields.UUID(dump_only=True)
    type = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    message = fields.String(dump_only=True)
    data = fields.Dict(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    read_at = fields.DateTime(dump_only=True, allow_none=True)
    read = fields.Boolean(dump_only=True)


class NotificationListQuerySchema(PageQuerySchema):
    format = format_field()
    unread = fields.Boolean()


class NotificationPageMetaSchema(CamelSchema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    unread_count = fields.Integer()


class ReadAllResultSchema(CamelSchema):
    marked = fields.Integer(dump_only=True)
    unread_count = fields.Integer(dump_only=True)


class BroadcastSchema(CamelSchema):
    """SUPER_ADMIN broadcast: to one mill's users, or to everyone when `millId` is absent."""

    type = Str(required=True, validate=validate.OneOf([t.value for t in NotificationType]))
    title = Text(120, required=True)
    message = Text(500, required=True, multiline=True)
    mill_id = fields.UUID(allow_none=True)
