"""Staff and attendance on the wire.

Attendance is marked in batches: `{date, entries: [{staffId, status}, ...]}` (1..500 entries, one per
staff member). One page shows the day's roster as a grid and saves it in one request; marking a
single person is a batch of one. `GET /attendance?date=` answers the same shape, with every staff
member employed that day and their status or null.
"""

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.dates import past_date, sane_date
from ..common.export import format_field
from ..common.schemas import CamelSchema, Money, PageQuerySchema, Text
from .models import AttendanceStatus, StaffStatus

MAX_ATTENDANCE_ENTRIES = 500


class StaffSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    mill_id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    designation = fields.String(dump_only=True, allow_none=True)
    daily_wage = Money(dump_only=True)
    joined_on = fields.Date(dump_only=True)
    left_on = fields.Date(dump_only=True, allow_none=True)
    status = fields.Enum(StaffStatus, by_value=True, dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class StaffCreateSchema(CamelSchema):
    """`joinedOn` defaults to today in the mill's time zone. `leftOn` is set by the leave route."""

    name = Text(120, required=True)
    phone = Text(20, allow_none=True)
    designation = Text(60, allow_none=True)
    daily_wage = Money(required=True, maximum=1_000_000)
    joined_on = fields.Date(validate=past_date)


class StaffUpdateSchema(CamelSchema):
    name = Text(120, required=False)
    phone = Text(20, allow_none=True)
    designation = Text(60, allow_none=True)
    daily_wage = Money(maximum=1_000_000)
    joined_on = fields.Date(validate=past_date)

    @validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ValidationError("Nothing to update.")
        if "name" in data and not (data["name"] or "").strip():
            raise ValidationError("Must not be blank.", "name")


class StaffLeaveSchema(CamelSchema):
    """`leftOn` (the last working day) defaults to today in the mill's time zone."""

    left_on = fields.Date(validate=past_date)


class StaffListQuerySchema(PageQuerySchema):
    format = format_field()
    status = fields.Enum(StaffStatus, by_value=True)
    designation = Text(60)


class AttendanceSchema(CamelSchema):
    """One marked day of one staff member (the `attendance` of `attendance:marked`)."""

    id = fields.UUID(dump_only=True)
    staff_id = fields.UUID(dump_only=True)
    staff_name = fields.String(dump_only=True)
    date = fields.Date(dump_only=True, attribute="attendance_date")
    status = fields.Enum(AttendanceStatus, by_value=True, dump_only=True)
    marked_by_id = fields.UUID(dump_only=True, allow_none=True)
    marked_at = fields.DateTime(dump_only=True)


class AttendanceEntrySchema(CamelSchema):
    staff_id = fields.UUID(required=True)
    status = fields.Enum(AttendanceStatus, by_value=True, required=True)


class AttendanceMarkSchema(CamelSchema):
    date = fields.Date(required=True, validate=sane_date)
    entries = fields.List(
        fields.Nested(AttendanceEntrySchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_ATTENDANCE_ENTRIES),
    )

    @validates_schema
    def _one_entry_per_staff(self, data, **kwargs):
        ids = [entry["staff_id"] for entry in data.get("entries") or []]
        if len(ids) != len(set(ids)):
            raise ValidationError("Each staff member may appear only once.", "entries")


class AttendanceQuerySchema(CamelSchema):
    """`date` defaults to today in the mill's time zone; `format` csv or xlsx exports the day's grid."""

    date = fields.Date()
    format = format_field()


class AttendanceRowSchema(CamelSchema):
    staff_id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    designation = fields.String(dump_only=True, allow_none=True)
    status = fields.String(dump_only=True, allow_none=True, metadata={"enum": AttendanceStatus.values()})
    marked_at = fields.DateTime(dump_only=True, allow_none=True)


class AttendanceDaySchema(CamelSchema):
    """Every staff member employed on `date` (joined on or before, not left before), by name."""

    date = fields.Date()
    entries = fields.List(fields.Nested(AttendanceRowSchema))
