"""Staff (the mill's roster) and their daily attendance."""

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert

from ..common.errors import Conflict, Invalid, NotFound
from ..common.listing import equal, equal_any_case, search_filter_sort_paginate
from ..common.tenancy import get_mill_document
from ..common.words import day as date_text
from ..extensions import db
from .events import publish_attendance_marked, publish_staff_joined, publish_staff_left
from .models import Attendance, AttendanceStatus, Staff, StaffStatus
from .schemas import AttendanceSchema, StaffSchema

_STATUS_WORDS = {
    AttendanceStatus.PRESENT: "present",
    AttendanceStatus.ABSENT: "absent",
    AttendanceStatus.HALF_DAY: "half day",
    AttendanceStatus.LEAVE: "on leave",
}


def list_staff(*, mill_id, query: dict) -> tuple[list[Staff], dict]:
    """A page of the mill's staff by name; filters status and designation (any case)."""
    return search_filter_sort_paginate(
        sa.select(Staff).where(Staff.mill_id == mill_id),
        query,
        filters={"status": equal(Staff.status), "designation": equal_any_case(Staff.designation)},
        sort=(Staff.name, Staff.id),
    )


def get_staff(*, mill_id, staff_id, for_update: bool = False) -> Staff:
    return get_mill_document(Staff, mill_id, staff_id, for_update=for_update, label="Staff member")


def _joined_not_in_future(mill, joined_on: date | None) -> None:
    """The schema bounds dates by the latest today anywhere; this checks the mill's own today."""
    if joined_on is not None and joined_on > mill.today():
        raise Invalid(errors=[{"field": "joinedOn", "message": "Must not be in the future."}])


def create_staff(*, mill, data: dict, actor) -> Staff:
    """Add a staff member (ACTIVE) and record `staff:joined`."""
    _joined_not_in_future(mill, data.get("joined_on"))
    staff = Staff(
        mill_id=mill.id,
        name=data["name"].strip(),
        phone=data.get("phone"),
        designation=data.get("designation"),
        daily_wage=data["daily_wage"],
        joined_on=data.get("joined_on") or mill.today(),
        status=StaffStatus.ACTIVE,
        created_by_id=actor.id,
    )
    db.session.add(staff)
    db.session.flush()
    role = f" ({staff.designation})" if staff.designation else ""
    publish_staff_joined(
        mill.id,
        StaffSchema().dump(staff),
        actor,
        f"{actor.name} added {staff.name}{role} to the staff",
    )
    return staff


def update_staff(*, mill, staff_id, data: dict, actor) -> Staff:
    """Change name, phone, designation, daily wage or joining date (no event: the roster is unchanged)."""
    staff = get_staff(mill_id=mill.id, staff_id=staff_id, for_update=True)
    joined_on = data.get("joined_on", staff.joined_on)
    _joined_not_in_future(mill, data.get("joined_on"))
    if staff.left_on is not None and joined_on > staff.left_on:
        raise Invalid(errors=[{"field": "joinedOn", "message": "Must not be after the day the staff member left."}])
    for key in ("name", "phone", "designation", "daily_wage", "joined_on"):
        if key in data:
            setattr(staff, key, data[key].strip() if key == "name" else data[key])
    db.session.flush()
    return staff


def leave_staff(*, mill, staff_id, left_on: date | None, actor) -> Staff:
    """Mark a staff member as LEFT on `left_on` (their last day; default today) and record `staff:left`."""
    staff = get_staff(mill_id=mill.id, staff_id=staff_id, for_update=True)
    if staff.status == StaffStatus.LEFT:
        raise Conflict(f"{staff.name} already left on {date_text(staff.left_on)}")
    left_on = left_on or mill.today()
    if left_on > mill.today():
        raise Invalid(errors=[{"field": "leftOn", "message": "Must not be in the future."}])
    if left_on < staff.joined_on:
        raise Invalid(errors=[{"field": "leftOn", "message": "Must not be before the joining date."}])
    staff.left_on = left_on
    staff.status = StaffStatus.LEFT
    db.session.flush()
    publish_staff_left(
        mill.id,
        StaffSchema().dump(staff),
        actor,
        f"{actor.name} recorded that {staff.name} left on {date_text(left_on)}",
    )
    return staff


def _employed_on(day: date):
    return sa.and_(Staff.joined_on <= day, sa.or_(Staff.left_on.is_(None), Staff.left_on >= day))


def attendance_day(*, mill, day: date | None = None) -> dict:
    """Every staff member employed on `day` (default today) with that day's status or None, by name."""
    day = day or mill.today()
    rows = db.session.execute(
        sa.select(Staff.id, Staff.name, Staff.designation, Attendance.status, Attendance.marked_at)
        .outerjoin(Attendance, sa.and_(Attendance.staff_id == Staff.id, Attendance.attendance_date == day))
        .where(Staff.mill_id == mill.id, _employed_on(day))
        .order_by(Staff.name, Staff.id)
    ).all()
    return {
        "date": day,
        "entries": [
            {
                "staff_id": row.id,
                "name": row.name,
                "designation": row.designation,
                "status": row.status.value if row.status else None,
                "marked_at": row.marked_at,
            }
            for row in rows
        ],
    }


def mark_attendance(*, mill, day: date, entries: list[dict], actor) -> list[dict]:
    """Mark (or re-mark) the status of each listed staff member on `day`, all or nothing.

    One row per staff and day: marking again updates it (INSERT ... ON CONFLICT DO UPDATE in one
    statement). 422 for a future day, 404 for staff not of this mill, 409 for staff not employed
    that day. Records one `attendance:marked` per entry. Returns the rows (for AttendanceSchema).
    """
    if day > mill.today():
        raise Invalid(errors=[{"field": "date", "message": "Attendance cannot be marked for a future date."}])
    ids = [entry["staff_id"] for entry in entries]
    # FOR SHARE: a concurrent "leave" waits until this marking is committed (or vice versa).
    staff_by_id = {
        s.id: s
        for s in db.session.scalars(
            sa.select(Staff).where(Staff.mill_id == mill.id, Staff.id.in_(ids)).with_for_update(read=True)
        )
    }
    missing = [i for i, staff_id in enumerate(ids) if staff_id not in staff_by_id]
    if missing:
        raise NotFound(
            "Staff member not found",
            errors=[{"field": f"entries.{i}.staffId", "message": "No such staff member."} for i in missing],
        )
    not_employed = [
        (i, staff_by_id[staff_id])
        for i, staff_id in enumerate(ids)
        if staff_by_id[staff_id].joined_on > day
        or (staff_by_id[staff_id].left_on is not None and staff_by_id[staff_id].left_on < day)
    ]
    if not_employed:
        names = ", ".join(staff.name for _, staff in not_employed)
        raise Conflict(
            f"Not on the staff on {date_text(day)}: {names}",
            errors=[
                {"field": f"entries.{i}.staffId", "message": f"{staff.name} was not on the staff that day."}
                for i, staff in not_employed
            ],
        )

    insert = pg_insert(Attendance).values(
        [
            {
                "id": uuid.uuid4(),
                "mill_id": mill.id,
                "staff_id": entry["staff_id"],
                "attendance_date": day,
                "status": entry["status"],
                "marked_by_id": actor.id,
            }
            for entry in entries
        ]
    )
    upsert = insert.on_conflict_do_update(
        index_elements=[Attendance.staff_id, Attendance.attendance_date],
        set_={
            "status": insert.excluded.status,
            "marked_by_id": insert.excluded.marked_by_id,
            "marked_at": sa.func.now(),
        },
    ).returning(
        Attendance.id,
        Attendance.staff_id,
        Attendance.attendance_date,
        Attendance.status,
        Attendance.marked_by_id,
        Attendance.marked_at,
    )
    returned = {row.staff_id: row for row in db.session.execute(upsert)}
    schema = AttendanceSchema()
    marked = []
    for entry in entries:
        row = returned[entry["staff_id"]]
        staff = staff_by_id[row.staff_id]
        record = {**row._asdict(), "staff_name": staff.name}
        publish_attendance_marked(
            mill.id,
            schema.dump(record),
            actor,
            f"{actor.name} marked {staff.name} {_STATUS_WORDS[AttendanceStatus(row.status)]} on {date_text(day)}",
        )
        marked.append(record)
    return marked
