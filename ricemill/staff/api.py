from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.export import export, export_list, schema_columns
from . import service
from .schemas import (
    AttendanceDaySchema,
    AttendanceMarkSchema,
    AttendanceQuerySchema,
    AttendanceRowSchema,
    AttendanceSchema,
    StaffCreateSchema,
    StaffLeaveSchema,
    StaffListQuerySchema,
    StaffSchema,
    StaffUpdateSchema,
)

blp = Blueprint("staff", __name__, url_prefix="/api/v1/mills", description="Staff and attendance")


@blp.route("/<uuid:mill_id>/staff", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(StaffListQuerySchema, location="query")
@blp.response(200, envelope(StaffSchema, many=True))
def list_staff(query, mill_id):
    """The mill's staff by name; filter by `status` (ACTIVE, LEFT) and `designation`."""
    items, meta = service.list_staff(mill_id=mill_id, query=query)
    if meta is None:  # ?format=csv|xlsx: every filtered row, not one page
        return export_list(query["format"], "staff", items, StaffSchema())
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/staff", methods=["POST"])
@mill_access(Permission.UPDATE)
@blp.arguments(StaffCreateSchema)
@blp.response(201, envelope(StaffSchema))
def create_staff(data, mill_id):
    """Add a staff member (MANAGER and above). Records `staff:joined`."""
    staff = service.create_staff(mill=g.mill, data=data, actor=g.user)
    return created(staff, "Staff member added")


@blp.route("/<uuid:mill_id>/staff/<uuid:staff_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(StaffSchema))
def get_staff(mill_id, staff_id):
    return ok(service.get_staff(mill_id=mill_id, staff_id=staff_id))


@blp.route("/<uuid:mill_id>/staff/<uuid:staff_id>", methods=["PATCH"])
@mill_access(Permission.UPDATE)
@blp.arguments(StaffUpdateSchema)
@blp.response(200, envelope(StaffSchema))
def update_staff(data, mill_id, staff_id):
    staff = service.update_staff(mill=g.mill, staff_id=staff_id, data=data, actor=g.user)
    return ok(staff, "Staff member updated")


@blp.route("/<uuid:mill_id>/staff/<uuid:staff_id>/leave", methods=["POST"])
@mill_access(Permission.UPDATE)
@blp.arguments(StaffLeaveSchema)
@blp.response(200, envelope(StaffSchema))
def leave_staff(data, mill_id, staff_id):
    """Record that a staff member left (status LEFT); 409 if they already had. Records `staff:left`."""
    staff = service.leave_staff(mill=g.mill, staff_id=staff_id, left_on=data.get("left_on"), actor=g.user)
    return ok(staff, "Staff member left")


@blp.route("/<uuid:mill_id>/attendance", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(AttendanceQuerySchema, location="query")
@blp.response(200, envelope(AttendanceDaySchema))
def attendance_day(query, mill_id):
    """The day's grid: every staff member employed on `date` (default: today where the mill is) with
    their status, or null when not marked yet. `?format=csv|xlsx`: the day's rows (one per staff member)."""
    day = service.attendance_day(mill=g.mill, day=query.get("date"))
    if query["format"] != "json":
        schema = AttendanceRowSchema()
        rows = (schema.dump(entry) for entry in day["entries"])
        return export(query["format"], f"attendance-{day['date'].isoformat()}", schema_columns(schema), rows)
    return ok(day)


@blp.route("/<uuid:mill_id>/attendance", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(AttendanceMarkSchema)
@blp.response(200, envelope(AttendanceSchema, many=True))
def mark_attendance(data, mill_id):
    """Mark a day for up to 500 staff: `{date, entries: [{staffId, status}]}`. Marking again updates
    the day's row. All or nothing: 422 for a future date, 404 for staff of another mill, 409 for staff
    not on the roster that day. Records one `attendance:marked` per entry."""
    marked = service.mark_attendance(mill=g.mill, day=data["date"], entries=data["entries"], actor=g.user)
    return ok(marked, f"Attendance marked for {len(marked)} staff")
