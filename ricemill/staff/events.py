"""The staff and attendance events: their payload contracts and publish helpers (docs/realtime.md)."""

from ..realtime.events import E, MillEventPayload, actor_field, document_field, server_event
from ..realtime.outbox import publish_document_event

_STAFF = "the staff member, as GET .../staff/{id} returns them"


@server_event(E["STAFF_JOINED"])
class StaffJoinedPayload(MillEventPayload):
    staff = document_field(_STAFF)
    addedBy = actor_field()  # noqa: N815


@server_event(E["STAFF_LEFT"])
class StaffLeftPayload(MillEventPayload):
    staff = document_field(_STAFF)
    removedBy = actor_field()  # noqa: N815


@server_event(E["ATTENDANCE_MARKED"])
class AttendanceMarkedPayload(MillEventPayload):
    attendance = document_field("the attendance record, as GET .../attendance lists it")
    markedBy = actor_field()  # noqa: N815


def _publish(name: str, key: str, actor_key: str, entity_type: str, mill_id, document: dict, actor, summary: str):
    publish_document_event(
        name,
        mill_id,
        key,
        document,
        by=actor_key,
        actor=actor,
        summary=summary,
        entity_type=entity_type,
        entity_id=document["id"],
    )


def publish_staff_joined(mill_id, staff: dict, actor, summary: str) -> None:
    _publish(E["STAFF_JOINED"], "staff", "addedBy", "staff", mill_id, staff, actor, summary)


def publish_staff_left(mill_id, staff: dict, actor, summary: str) -> None:
    _publish(E["STAFF_LEFT"], "staff", "removedBy", "staff", mill_id, staff, actor, summary)


def publish_attendance_marked(mill_id, attendance: dict, actor, summary: str) -> None:
    _publish(E["ATTENDANCE_MARKED"], "attendance", "markedBy", "attendance", mill_id, attendance, actor, summary)
