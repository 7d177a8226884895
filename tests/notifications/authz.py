"""The authorisation matrix's factory for <notification_id>: a notification of the mill's admin."""

from ricemill.notifications import service
from tests.authz_registry import register


def _notification(mill, admin):
    note = {"type": "info", "title": "Matrix", "message": "for the authorisation matrix", "data": {}}
    return service.send_to_user(admin.id, note).id


register("notification_id", _notification)
