"""Notifications of the current user, and the platform admin's broadcast (docs/domain.md)."""

from flask import g
from marshmallow import Schema, fields

from ..auth.access import authenticated, platform_access
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.errors import Invalid
from ..common.export import BATCH_ROWS, export, schema_columns
from ..extensions import db
from ..mills.models import Mill
from . import service
from .schemas import (
    BroadcastSchema,
    NotificationListQuerySchema,
    NotificationPageMetaSchema,
    NotificationSchema,
    ReadAllResultSchema,
)

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="Notifications and broadcasts")


class NotificationListEnvelopeSchema(Schema):
    """The list envelope with `meta.unreadCount` (the generic envelope's meta has no room for it)."""

    success = fields.Boolean()
    statusCode = fields.Integer()  # noqa: N815 - the wire name
    message = fields.String()
    data = fields.Nested(NotificationSchema, many=True)
    meta = fields.Nested(NotificationPageMetaSchema)


def _item(notification, read_at) -> dict:
    return {
        "id": notification.id,
        "type": notification.type,
        "title": notification.title,
        "message": notification.message,
        "data": notification.data or {},
        "created_at": notification.created_at,
        "read_at": read_at,
        "read": read_at is not None,
    }


@blp.route("/notifications", methods=["GET"])
@authenticated
@blp.arguments(NotificationListQuerySchema, location="query")
@blp.response(200, NotificationListEnvelopeSchema)
def list_notifications(query):
    """The current user's notifications, newest first; `unread=true` for the unread ones only.

    `?format=csv|xlsx`: every one of them (not one page); `data` as JSON text.
    """
    rows, meta = service.list_for_user(g.user.id, query=query)
    if meta is None:  # an export: `rows` is the filtered select, read as the answer streams
        dump = NotificationSchema().dump
        columns = schema_columns(NotificationSchema())

        def items():
            for notification, read_at in db.session.execute(rows.execution_options(yield_per=BATCH_ROWS)):
                yield dump(_item(notification, read_at))

        return export(query["format"], "notifications", columns, items())
    meta["unread_count"] = service.unread_count(g.user.id)
    return ok([_item(n, read_at) for n, read_at in rows], meta=meta)


@blp.route("/notifications/<uuid:notification_id>/read", methods=["POST"])
@authenticated
@blp.response(200, envelope(NotificationSchema))
def mark_read(notification_id):
    """Mark one of your notifications read (someone else's answers 404)."""
    notification, read_at = service.mark_read(user=g.user, notification_id=notification_id)
    return ok(_item(notification, read_at), "Notification marked as read")


@blp.route("/notifications/read-all", methods=["POST"])
@authenticated
@blp.response(200, envelope(ReadAllResultSchema))
def mark_all_read():
    marked = service.mark_all_read(user=g.user)
    return ok({"marked": marked, "unread_count": 0}, "All notifications marked as read")


@blp.route("/admin/broadcast", methods=["POST"])
@platform_access
@blp.arguments(BroadcastSchema)
@blp.response(201, envelope(NotificationSchema))
def admin_broadcast(data):
    """SUPER_ADMIN: a notification to every active user of one mill, or to every active user."""
    notification = {"type": data["type"], "title": data["title"], "message": data["message"], "data": {}}
    mill_id = data.get("mill_id")
    if mill_id is not None:
        if db.session.get(Mill, mill_id) is None:
            raise Invalid("Validation failed", errors=[{"field": "millId", "message": "No such mill."}])
        row = service.send_to_mill(mill_id, notification)
    else:
        row = service.broadcast(notification)
    return created(_item(row, None), "Notification sent")
