"""The dashboard object against hand-computed numbers, on the real database."""

import json
import threading
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.common.constants import DEFAULT_TIMEZONE
from ricemill.common.errors import NotFound
from ricemill.dashboard.service import get_dashboard, list_activity
from ricemill.extensions import db
from ricemill.inventory.models import Stock
from ricemill.inventory.stock import apply_movement
from ricemill.realtime.outbox import publish
from tests.factories import make_mill
from tests.payloads import payload

from . import documents as d

# 00:30 on 11 March in Asia/Kolkata, still 10 March in UTC: "today" must be the mill's 11 March.
NOW = datetime(2026, 3, 10, 19, 0, tzinfo=UTC)
T = date(2026, 3, 11)


def _day(offset: int) -> date:
    return T + timedelta(days=offset)


def _set_minimum(mill, stock_type, minimum):
    db.session.execute(
        sa.update(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == stock_type).values(min_stock_level=minimum)
    )


def _fill(mill, *, events=True):
    """The known month of a mill (see the expected values in the test)."""
    for offset, kg, amount, paid in [
        (0, 1000, 22000, 0),
        (0, "500.5", 11011, 5000),
        (-1, 2000, 44000, 44000),
        (-29, 300, 6600, 0),
        (-30, 700, 15400, 400),  # outside the series, still owed
    ]:
        d.purchase(mill, _day(offset), kg, amount, paid)
    for offset, kg, amount, paid, stock_type in [
        (0, 800, 32000, 10000, "RICE"),
        (-1, 1000, 1500, 1500, "BRAN"),
        (-5, "250.25", 10010, 0, "RICE"),
    ]:
        d.sale(mill, _day(offset), kg, amount, paid, stock_type)
    d.batch(mill, 800)
    d.batch(mill, 900)
    d.batch(mill, 1000, 670, datetime(2026, 3, 10, 18, 40, tzinfo=UTC))  # 00:10 IST today
    d.batch(mill, 500, 330, datetime(2026, 3, 11, 5, 0, tzinfo=UTC))
    d.batch(mill, 2000, 1000, datetime(2026, 3, 10, 18, 20, tzinfo=UTC))  # 23:50 IST yesterday
    a = d.staff(mill, "Anil", date(2025, 1, 1))
    b = d.staff(mill, "Bhaskar", date(2025, 1, 1))
    c = d.staff(mill, "Chandra", date(2025, 1, 1))
    d.staff(mill, "Dinesh", date(2025, 1, 1))
    gone = d.staff(mill, "Eshwar", date(2025, 1, 1), left_on=_day(-3))
    d.staff(mill, "Farooq", _day(1))  # joins tomorrow
    d.attendance(a, T, "PRESENT")
    d.attendance(b, T, "HALF_DAY")
    d.attendance(c, T, "ABSENT")
    d.attendance(a, _day(-1), "PRESENT")
    d.attendance(gone, _day(-4), "PRESENT")
    for stock_type, quantity in (("PADDY", 5000), ("RICE", 100), ("BROKEN_RICE", 300)):
        apply_movement(mill_id=mill.id, stock_type=stock_type, change=quantity, reason="opening")
    _set_minimum(mill, "RICE", 500)  # 100 <= 250: high
    _set_minimum(mill, "BRAN", 200)  # 0: critical
    _set_minimum(mill, "BROKEN_RICE", 350)  # medium
    if events:
        for n in range(1, 13):
            publish(
                "purchase:created",
                mill.id,
                payload("purchase:created"),
                summary=f"entry {n}",
                entity={"type": "purchase", "id": n},
            )
            publish("stock:updated", mill.id, payload("stock:updated"))  # no summary: not an activity entry
    db.session.commit()


def _expected_series(values: dict[int, tuple[float, float]]):
    return [
        {
            "date": _day(o).isoformat(),
            "purchasedKg": values.get(o, (0.0, 0.0))[0],
            "soldKg": values.get(o, (0.0, 0.0))[1],
        }
        for o in range(-29, 1)
    ]


def test_every_number_of_the_dashboard(app):
    mill, other = make_mill(), make_mill()
    _fill(mill)
    _fill(other)  # the same month again in another mill: must change nothing below

    data = get_dashboard(mill_id=mill.id, now=NOW)

    assert json.loads(json.dumps(data)) == data  # JSON-ready as it is: the socket sends this very dict
    assert data.pop("generatedAt")
    activity = data.pop("recentActivity")
    assert data == {
        "millId": str(mill.id),
        "date": "2026-03-11",
        "timezone": "Asia/Kolkata",
        "today": {
            "purchases": {"count": 2, "kg": 1500.5, "amount": 33011.0},
            "sales": {"count": 1, "kg": 800.0, "amount": 32000.0},
        },
        "stock": [
            {"stockType": "PADDY", "quantity": 5000.0, "minStockLevel": 0.0, "low": False, "severity": None},
            {"stockType": "RICE", "quantity": 100.0, "minStockLevel": 500.0, "low": True, "severity": "high"},
            {"stockType": "BROKEN_RICE", "quantity": 300.0, "minStockLevel": 350.0, "low": True, "severity": "medium"},
            {"stockType": "BRAN", "quantity": 0.0, "minStockLevel": 200.0, "low": True, "severity": "critical"},
            {"stockType": "HUSK", "quantity": 0.0, "minStockLevel": 0.0, "low": False, "severity": None},
        ],
        "lowStockAlerts": 3,
        "milling": {
            "inProgress": 2,
            "completedToday": 2,
            "paddyInputKgToday": 1500.0,
            "riceKgToday": 1000.0,
            "outturnPercentToday": 66.67,  # 1000 / 1500 x 100
        },
        # receivables: (32000 - 10000) + (10010 - 0); payables: 22000 + (11011 - 5000) + 6600 + (15400 - 400)
        "finance": {"receivables": 32010.0, "payables": 49611.0},
        # Anil PRESENT and Bhaskar HALF_DAY are present; Eshwar has left, Farooq joins tomorrow
        "staff": {"active": 4, "present": 2, "halfDay": 1},
        "series": _expected_series({-29: (300.0, 0.0), -5: (0.0, 250.25), -1: (2000.0, 1000.0), 0: (1500.5, 800.0)}),
    }
    assert len(data["series"]) == 30
    assert [a["summary"] for a in activity] == [f"entry {n}" for n in range(12, 2, -1)]
    assert all(a["millId"] == str(mill.id) and a["type"] == "purchase:created" for a in activity)
    assert activity[0]["entity"] == {"type": "purchase", "id": "12"}
    # read in the dashboard's statement, the entries are exactly what the activity feed gives
    assert activity == list_activity(mill_id=mill.id, limit=10)


def test_today_follows_the_mills_timezone(app):
    """At 19:00 UTC it is already tomorrow in Kolkata and still today in New York."""
    kolkata, new_york = make_mill(), make_mill(timezone="America/New_York")
    for mill in (kolkata, new_york):
        d.purchase(mill, date(2026, 3, 10), 100, 2200)
        d.purchase(mill, date(2026, 3, 11), 40, 880)
    db.session.commit()
    ist = get_dashboard(mill_id=kolkata.id, now=NOW)
    nyc = get_dashboard(mill_id=new_york.id, now=NOW)
    assert (ist["date"], ist["today"]["purchases"]["kg"]) == ("2026-03-11", 40.0)
    assert (nyc["date"], nyc["today"]["purchases"]["kg"]) == ("2026-03-10", 100.0)
    assert ist["series"][-1] == {"date": "2026-03-11", "purchasedKg": 40.0, "soldKg": 0.0}
    assert ist["series"][-2] == {"date": "2026-03-10", "purchasedKg": 100.0, "soldKg": 0.0}
    assert nyc["series"][-1] == {"date": "2026-03-10", "purchasedKg": 100.0, "soldKg": 0.0}
    assert nyc["series"][0]["date"] == "2026-02-09"


def test_a_mill_without_a_timezone_setting_uses_the_default_and_an_unknown_mill_is_not_found(app):
    """The time zone is read in the dashboard's statement: the settings' default applies there too."""
    mill = make_mill()
    mill.settings = {k: v for k, v in (mill.settings or {}).items() if k != "timezone"}
    db.session.commit()
    data = get_dashboard(mill_id=mill.id, now=NOW)
    assert (data["timezone"], data["date"]) == (DEFAULT_TIMEZONE, mill.today(NOW).isoformat())
    with pytest.raises(NotFound):
        get_dashboard(mill_id=uuid.uuid4(), now=NOW)


def test_an_empty_mill_has_zeros_everywhere_and_thirty_days(app):
    mill = make_mill()
    data = get_dashboard(mill_id=mill.id, now=NOW)
    assert data["today"] == {
        "purchases": {"count": 0, "kg": 0.0, "amount": 0.0},
        "sales": {"count": 0, "kg": 0.0, "amount": 0.0},
    }
    assert data["milling"]["outturnPercentToday"] is None
    assert data["finance"] == {"receivables": 0.0, "payables": 0.0}
    assert data["staff"] == {"active": 0, "present": 0, "halfDay": 0}
    assert data["recentActivity"] == [] and data["lowStockAlerts"] == 0
    assert [s["date"] for s in data["series"]] == [_day(o).isoformat() for o in range(-29, 1)]
    assert all(s["purchasedKg"] == 0 and s["soldKg"] == 0 for s in data["series"])


def test_rest_answers_the_same_object(client, mill, headers):
    d.purchase(mill, mill.today(), 10, 220)
    db.session.commit()
    response = client.get(f"/api/v1/mills/{mill.id}/dashboard", headers=headers[Role.OPERATOR])
    assert response.status_code == 200
    body = response.get_json()
    assert body["success"] is True
    data = body["data"]
    expected = get_dashboard(mill_id=mill.id)
    data.pop("generatedAt"), expected.pop("generatedAt")
    assert data == expected
    assert len(data["series"]) == 30


@contextmanager
def _statements():
    """The statements this thread runs (background work, such as marking events dispatched, uses
    the same engine from another thread, late when the machine is busy)."""
    seen = []
    me = threading.get_ident()

    def count(conn, cursor, statement, parameters, context, executemany):
        if threading.get_ident() != me:
            return
        if not statement.startswith("SAVEPOINT"):  # the test harness's nested transaction
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)


def test_the_dashboard_runs_a_small_constant_number_of_statements(app):
    mill = make_mill()
    mill_id = mill.id  # read here: reading it from the expired mill would be a statement of the test's own
    counts = []
    for n in (1, 50):
        for i in range(n):
            d.purchase(mill, _day(-(i % 30)), 100, 2200)
            d.sale(mill, _day(-(i % 30)), 10, 400)
            d.batch(mill, 100, 66, NOW)
        d.attendance(d.staff(mill, f"S{n}", date(2025, 1, 1)), T, "PRESENT")
        publish("sale:created", mill.id, payload("sale:created"), summary="x", entity={"type": "sale", "id": "1"})
        db.session.commit()
        db.session.expire_all()  # the same work on each run: nothing answered from memory
        with _statements() as seen:
            data = get_dashboard(mill_id=mill_id, now=NOW)
        counts.append(len(seen))
    assert data["today"]["purchases"]["count"] == 1 + 2  # i = 0 and 30 of the 51 land on today
    # the mill's time zone and date, every number and the activity entries: one statement (the mill is
    # expired here, as in a fresh session, and not loaded)
    assert counts[0] == counts[1] == 1, counts


@pytest.mark.parametrize("role", [Role.MILL_ADMIN, Role.MANAGER, Role.OPERATOR])
def test_every_mill_role_reads_the_dashboard(client, mill, headers, role):
    assert client.get(f"/api/v1/mills/{mill.id}/dashboard", headers=headers[role]).status_code == 200
