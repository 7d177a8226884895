"""Staff roster and attendance over the API, on the real database."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.common.formatting import date_text
from ricemill.extensions import db
from ricemill.realtime.outbox.models import MillEvent
from ricemill.staff.models import Attendance, Staff
from tests.factories import auth_header, make_user


def _today():
    return datetime.now(ZoneInfo("Asia/Kolkata")).date()


def _url(mill, tail=""):
    return f"/api/v1/mills/{mill.id}{tail}"


def _events(mill, name=None):
    stmt = sa.select(MillEvent).where(MillEvent.mill_id == mill.id).order_by(MillEvent.seq)
    if name:
        stmt = stmt.where(MillEvent.name == name)
    return db.session.scalars(stmt).all()


def _count(model, **where):
    stmt = sa.select(sa.func.count()).select_from(model)
    for key, value in where.items():
        stmt = stmt.where(getattr(model, key) == value)
    return db.session.scalar(stmt)


def _add_staff(client, mill, headers, **overrides):
    body = {"name": "Suresh", "designation": "Operator", "dailyWage": 650, "joinedOn": "2025-01-10", **overrides}
    response = client.post(_url(mill, "/staff"), json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def test_create_staff_records_staff_joined(client, mill, users, headers):
    data = _add_staff(client, mill, headers[Role.MANAGER], phone="9876543210")
    assert data["name"] == "Suresh"
    assert data["dailyWage"] == 650.0
    assert data["joinedOn"] == "2025-01-10"
    assert data["leftOn"] is None
    assert data["status"] == "ACTIVE"
    assert data["millId"] == str(mill.id)
    [event] = _events(mill, "staff:joined")
    manager = users[Role.MANAGER]
    assert event.payload["staff"] == data
    assert event.payload["addedBy"] == {"id": str(manager.id), "name": manager.name}
    assert event.summary == f"{manager.name} added Suresh (Operator) to the staff"
    assert (event.entity_type, event.entity_id) == ("staff", data["id"])
    assert event.actor_id == manager.id


def test_joined_on_defaults_to_today_in_the_mills_timezone(client, mill, headers):
    response = client.post(_url(mill, "/staff"), json={"name": "Ravi", "dailyWage": 500}, headers=headers[Role.MANAGER])
    assert response.status_code == 201
    assert response.get_json()["data"]["joinedOn"] == _today().isoformat()


def test_operator_cannot_add_staff(client, mill, headers):
    response = client.post(_url(mill, "/staff"), json={"name": "X", "dailyWage": 1}, headers=headers[Role.OPERATOR])
    assert response.status_code == 403
    assert _count(Staff) == 0


def test_update_staff(client, mill, headers):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    response = client.patch(
        _url(mill, f"/staff/{staff['id']}"),
        json={"dailyWage": 700.5, "designation": "Supervisor", "phone": None},
        headers=headers[Role.MANAGER],
    )
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["dailyWage"] == 700.5 and data["designation"] == "Supervisor" and data["phone"] is None
    assert client.get(_url(mill, f"/staff/{staff['id']}"), headers=headers[Role.OPERATOR]).get_json()["data"] == data


def test_leave_sets_left_and_twice_is_409(client, mill, users, headers):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    left_on = (_today() - timedelta(days=2)).isoformat()
    url = _url(mill, f"/staff/{staff['id']}/leave")
    response = client.post(url, json={"leftOn": left_on}, headers=headers[Role.MILL_ADMIN])
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["status"] == "LEFT" and data["leftOn"] == left_on
    [event] = _events(mill, "staff:left")
    admin = users[Role.MILL_ADMIN]
    assert event.payload["staff"] == data
    assert event.payload["removedBy"] == {"id": str(admin.id), "name": admin.name}
    assert event.summary == f"{admin.name} recorded that Suresh left on {date_text(date.fromisoformat(left_on))}"
    assert (event.entity_type, event.entity_id) == ("staff", staff["id"])

    again = client.post(url, json={}, headers=headers[Role.MILL_ADMIN])
    assert again.status_code == 409
    assert again.get_json()["success"] is False
    assert len(_events(mill, "staff:left")) == 1
    assert db.session.get(Staff, staff["id"]).left_on.isoformat() == left_on


@pytest.mark.parametrize(
    "body, field",
    [
        ({"leftOn": "2025-01-01"}, "leftOn"),  # before joining
        ({"leftOn": "2999-01-01"}, "leftOn"),  # future
        ({"leftOn": "yesterday"}, "leftOn"),
        ({"status": "LEFT"}, "status"),
    ],
)
def test_bad_leave_is_422_and_changes_nothing(client, mill, headers, body, field):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    response = client.post(_url(mill, f"/staff/{staff['id']}/leave"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert db.session.get(Staff, staff["id"]).status == "ACTIVE"
    assert _events(mill, "staff:left") == []


def test_list_filters_and_orders_by_name(client, mill, headers):
    h = headers[Role.MANAGER]
    _add_staff(client, mill, h, name="Venkat", designation="Driver")
    _add_staff(client, mill, h, name="Anil", designation="Operator")
    gone = _add_staff(client, mill, h, name="Bhaskar", designation="operator")
    client.post(_url(mill, f"/staff/{gone['id']}/leave"), json={}, headers=h)
    names = lambda q: [s["name"] for s in client.get(_url(mill, "/staff" + q), headers=h).get_json()["data"]]  # noqa: E731
    assert names("") == ["Anil", "Bhaskar", "Venkat"]
    assert names("?status=ACTIVE") == ["Anil", "Venkat"]
    assert names("?status=LEFT") == ["Bhaskar"]
    assert names("?designation=OPERATOR") == ["Anil", "Bhaskar"]
    assert client.get(_url(mill, "/staff?status=GONE"), headers=h).status_code == 422


def test_another_mills_staff_is_404(client, mill, other_mill, headers):
    theirs = _add_staff(client, other_mill, auth_header(make_user(Role.MANAGER, other_mill)))
    h = headers[Role.MILL_ADMIN]
    assert client.get(_url(mill, f"/staff/{theirs['id']}"), headers=h).status_code == 404
    assert client.patch(_url(mill, f"/staff/{theirs['id']}"), json={"name": "X"}, headers=h).status_code == 404
    assert client.post(_url(mill, f"/staff/{theirs['id']}/leave"), json={}, headers=h).status_code == 404
    assert db.session.get(Staff, theirs["id"]).name == "Suresh"


# Attendance


def _mark(client, mill, headers, day, *entries):
    body = {"date": day.isoformat(), "entries": [{"staffId": s, "status": st} for s, st in entries]}
    return client.post(_url(mill, "/attendance"), json=body, headers=headers)


def test_mark_and_remark_keeps_one_row_updated(client, mill, users, headers):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    day = _today()
    op = headers[Role.OPERATOR]
    first = _mark(client, mill, op, day, (staff["id"], "PRESENT"))
    assert first.status_code == 200, first.get_json()
    [row] = first.get_json()["data"]
    assert row["staffId"] == staff["id"] and row["status"] == "PRESENT" and row["date"] == day.isoformat()
    assert row["staffName"] == "Suresh"
    assert row["markedById"] == str(users[Role.OPERATOR].id)

    second = _mark(client, mill, headers[Role.MANAGER], day, (staff["id"], "HALF_DAY"))
    [again] = second.get_json()["data"]
    assert again["id"] == row["id"] and again["status"] == "HALF_DAY"
    assert again["markedById"] == str(users[Role.MANAGER].id)
    assert _count(Attendance, staff_id=staff["id"]) == 1
    assert db.session.scalar(sa.select(Attendance.status).where(Attendance.staff_id == staff["id"])) == "HALF_DAY"

    events = _events(mill, "attendance:marked")
    assert [e.payload["attendance"] for e in events] == [row, again]
    operator, manager = users[Role.OPERATOR], users[Role.MANAGER]
    assert events[0].payload["markedBy"] == {"id": str(operator.id), "name": operator.name}
    assert events[1].summary == f"{manager.name} marked Suresh half day on {date_text(day)}"
    assert (events[1].entity_type, events[1].entity_id) == ("attendance", row["id"])


def test_batch_marking_and_the_days_grid(client, mill, headers):
    h = headers[Role.MANAGER]
    a = _add_staff(client, mill, h, name="Anil")
    b = _add_staff(client, mill, h, name="Bhaskar")
    c = _add_staff(client, mill, h, name="Chandra")
    later = _add_staff(client, mill, h, name="Dinesh", joinedOn=_today().isoformat())
    day = _today() - timedelta(days=1)
    response = _mark(client, mill, h, day, (a["id"], "PRESENT"), (b["id"], "LEAVE"))
    assert response.status_code == 200, response.get_json()
    assert [r["status"] for r in response.get_json()["data"]] == ["PRESENT", "LEAVE"]
    assert len(_events(mill, "attendance:marked")) == 2

    grid = client.get(_url(mill, f"/attendance?date={day.isoformat()}"), headers=headers[Role.OPERATOR])
    assert grid.status_code == 200
    data = grid.get_json()["data"]
    assert data["date"] == day.isoformat()
    assert [(e["name"], e["status"]) for e in data["entries"]] == [
        ("Anil", "PRESENT"),
        ("Bhaskar", "LEAVE"),
        ("Chandra", None),
    ]  # Dinesh joined today: not on yesterday's roster
    assert data["entries"][0]["staffId"] == a["id"] and data["entries"][2]["markedAt"] is None

    today = client.get(_url(mill, "/attendance"), headers=h).get_json()["data"]
    assert today["date"] == _today().isoformat()
    assert [e["name"] for e in today["entries"]] == ["Anil", "Bhaskar", "Chandra", "Dinesh"]
    assert all(e["status"] is None for e in today["entries"])
    assert c and later


def test_the_days_grid_exports_as_csv_and_xlsx(client, mill, headers):
    import csv
    import io

    import openpyxl

    h = headers[Role.MANAGER]
    a = _add_staff(client, mill, h, name="Anil")
    _add_staff(client, mill, h, name="Bhaskar")
    day = _today() - timedelta(days=1)
    _mark(client, mill, h, day, (a["id"], "HALF_DAY"))
    url = _url(mill, f"/attendance?date={day.isoformat()}")
    entries = client.get(url, headers=headers[Role.OPERATOR]).get_json()["data"]["entries"]
    response = client.get(url + "&format=csv", headers=headers[Role.OPERATOR])
    assert response.status_code == 200
    assert f"attendance-{day.isoformat()}.csv" in response.headers["Content-Disposition"]
    header, *rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:])))
    assert header == ["Staff id", "Name", "Designation", "Status", "Marked at"]
    assert rows == [[e["staffId"], e["name"], e["designation"] or "", e["status"] or "", e["markedAt"] or ""]
                    for e in entries]  # fmt: skip
    body = client.get(url + "&format=xlsx", headers=headers[Role.OPERATOR]).get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    assert [(r[1], r[3]) for r in list(sheet.iter_rows(values_only=True))[1:]] == [
        ("Anil", "HALF_DAY"),
        ("Bhaskar", None),
    ]
    assert client.get(url + "&format=pdf", headers=h).status_code == 422


def test_staff_of_another_mill_is_404_and_nothing_is_written(client, mill, other_mill, headers):
    mine = _add_staff(client, mill, headers[Role.MANAGER])
    theirs = _add_staff(client, other_mill, auth_header(make_user(Role.MANAGER, other_mill)))
    response = _mark(client, mill, headers[Role.OPERATOR], _today(), (mine["id"], "PRESENT"), (theirs["id"], "ABSENT"))
    assert response.status_code == 404
    assert response.get_json()["errors"] == [{"field": "entries.1.staffId", "message": "No such staff member."}]
    assert _count(Attendance) == 0
    assert _events(mill, "attendance:marked") == []


def test_staff_who_left_before_the_date_is_409(client, mill, headers):
    h = headers[Role.MANAGER]
    staff = _add_staff(client, mill, h)
    left_on = _today() - timedelta(days=3)
    client.post(_url(mill, f"/staff/{staff['id']}/leave"), json={"leftOn": left_on.isoformat()}, headers=h)
    # their last day is still theirs
    assert _mark(client, mill, h, left_on, (staff["id"], "PRESENT")).status_code == 200
    response = _mark(client, mill, h, left_on + timedelta(days=1), (staff["id"], "PRESENT"))
    assert response.status_code == 409
    assert _count(Attendance) == 1
    before_joining = _mark(client, mill, h, date(2025, 1, 9), (staff["id"], "PRESENT"))
    assert before_joining.status_code == 409


def test_future_date_is_422(client, mill, headers):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    response = _mark(client, mill, headers[Role.OPERATOR], _today() + timedelta(days=1), (staff["id"], "PRESENT"))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "date"
    assert _count(Attendance) == 0
    assert _events(mill, "attendance:marked") == []


def _fill(value, staff_id):
    """`body` with the placeholder "STAFF" replaced by a real staff id."""
    if isinstance(value, dict):
        return {k: _fill(v, staff_id) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, staff_id) for v in value]
    return staff_id if value == "STAFF" else value


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"date": "2025-02-01"},
        {"date": "2025-02-01", "entries": []},
        {"date": "not a date", "entries": [{"staffId": "STAFF", "status": "PRESENT"}]},
        {"date": "2025-02-01", "entries": [{"staffId": "STAFF", "status": "SLEEPING"}]},
        {"date": "2025-02-01", "entries": [{"staffId": "nope", "status": "PRESENT"}]},
        {"date": "2025-02-01", "entries": [{"staffId": "STAFF"}]},
        {"date": "2025-02-01", "entries": [{"staffId": "STAFF", "status": "PRESENT", "millId": "x"}]},
        {"date": "2025-02-01", "entries": [{"staffId": "STAFF", "status": "PRESENT"}] * 2},
        {"date": "2025-02-01", "entries": [{"staffId": "STAFF", "status": "PRESENT"}] * 501},
        {"date": "2025-02-01", "entries": {"staffId": "STAFF", "status": "PRESENT"}},
        {"date": "2025-02-01", "entries": [{"staffId": "STAFF", "status": "PRESENT"}], "extra": 1},
    ],
)
def test_bad_attendance_bodies_are_422_and_write_nothing(client, mill, headers, body):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    response = client.post(_url(mill, "/attendance"), json=_fill(body, staff["id"]), headers=headers[Role.OPERATOR])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]
    assert _count(Attendance) == 0
    assert _events(mill, "attendance:marked") == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": "Ravi"},
        {"name": "", "dailyWage": 100},
        {"name": "Ravi", "dailyWage": -1},
        {"name": "Ravi", "dailyWage": "500"},
        {"name": "Ravi", "dailyWage": 1e12},
        {"name": "R" * 121, "dailyWage": 100},
        {"name": "Ravi", "dailyWage": 100, "status": "LEFT"},
        {"name": "Ravi", "dailyWage": 100, "leftOn": "2025-01-01"},
        {"name": "Ravi", "dailyWage": 100, "millId": "00000000-0000-0000-0000-000000000000"},
        {"name": "Ravi", "dailyWage": 100, "joinedOn": "10/01/2025"},
    ],
)
def test_bad_staff_bodies_are_422_and_write_nothing(client, mill, headers, body):
    response = client.post(_url(mill, "/staff"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]
    assert _count(Staff) == 0
    assert _events(mill) == []


@pytest.mark.parametrize(
    "body",
    [{}, {"name": ""}, {"name": "   "}, {"dailyWage": -5}, {"status": "LEFT"}, {"joinedOn": "2999-99-01"}, {"x": 1}],
)
def test_bad_staff_updates_are_422_and_change_nothing(client, mill, headers, body):
    staff = _add_staff(client, mill, headers[Role.MANAGER])
    response = client.patch(_url(mill, f"/staff/{staff['id']}"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]
    db.session.expire_all()
    assert client.get(_url(mill, f"/staff/{staff['id']}"), headers=headers[Role.MANAGER]).get_json()["data"] == staff


def test_joined_on_after_leaving_is_422(client, mill, headers):
    h = headers[Role.MANAGER]
    staff = _add_staff(client, mill, h)
    client.post(_url(mill, f"/staff/{staff['id']}/leave"), json={"leftOn": "2025-03-01"}, headers=h)
    response = client.patch(_url(mill, f"/staff/{staff['id']}"), json={"joinedOn": "2025-03-02"}, headers=h)
    assert response.status_code == 422
    assert db.session.get(Staff, staff["id"]).joined_on == date(2025, 1, 10)
