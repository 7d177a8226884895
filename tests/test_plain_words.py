"""No message a person reads holds a raw enum code, an ISO date or a machine number (issue 11).

Drives the error paths of every domain over REST (and the writes that fill the activity feed and
the notifications), then scans every `message` people read: the envelope's, each field error's,
each feed summary, each notification's title and text. Machine fields (`code`s, field names,
numbers, `stockType`) are left alone: they are for programs, beside the words.
"""

import re
from datetime import date, timedelta

import pytest

from ricemill.auth.roles import Role
from ricemill.finance.types import PaymentDirection, PaymentMode, PaymentStatus
from ricemill.inventory.types import StockType
from ricemill.milling.models import BatchStatus
from ricemill.staff.models import AttendanceStatus, StaffStatus

_ENUMS = (StockType, PaymentDirection, PaymentMode, PaymentStatus, BatchStatus, AttendanceStatus, StaffStatus, Role)
# A code whose label is itself ("UPI") may appear; every other code must read as its label.
_CODES = sorted({m.value for e in _ENUMS for m in e if m.value != "UPI"}, key=len, reverse=True)
RAW = [
    ("enum code", re.compile(r"\b(?:" + "|".join(_CODES) + r")\b")),
    ("ISO date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("Western grouping", re.compile(r"\d{3},\d{3}")),
    ("ungrouped decimal", re.compile(r"(?<![\d,])\d{4,}\.\d")),
    ("trailing zero grams", re.compile(r"\d\.\d*000\b")),
]


def test_the_scanner_catches_what_the_issue_saw():
    seen = [
        "Not enough RICE in stock: 8191.311 kg available, 999999.000 kg needed",
        "A payment for a purchase is MADE to the farmer",
        "Must be between 2000-01-01 and 2026-11-30",
        "Payment received ₹120,600.00",
    ]
    assert all(_problems(text) for text in seen)
    assert _problems("Not enough Rice in stock: 8,191.3 kg available, 9,99,999 kg needed (UPI)") == []


def _problems(text: str) -> list[str]:
    return [f"{name} in {text!r}" for name, pattern in RAW if pattern.search(text)]


class Reader:
    """Every answer's readable messages, collected as the requests go."""

    def __init__(self, client, headers):
        self.client, self.headers, self.messages = client, headers, []

    def __call__(self, method: str, path: str, json=None, expect: int | None = None):
        response = getattr(self.client, method)(path, json=json, headers=self.headers)
        body = response.get_json()
        assert body is not None, (method, path, response.status_code)
        if expect is not None:
            assert response.status_code == expect, (method, path, body)
        self.messages.append((f"{method.upper()} {path} message", body.get("message") or ""))
        for error in body.get("errors") or []:
            self.messages.append((f"{method.upper()} {path} {error.get('field')}", error.get("message") or ""))
        return body


@pytest.fixture
def read(client, mill, headers):
    return Reader(client, headers[Role.MILL_ADMIN])


def test_no_message_people_read_holds_a_code_an_iso_date_or_a_machine_number(read, mill):
    base = f"/api/v1/mills/{mill.id}"
    today = date.today()
    future = (today + timedelta(days=5)).isoformat()
    purchase = {
        "farmerName": "Suresh", "grossWeightKg": 20450.5, "tareWeightKg": 450.5, "moisturePercent": 19,
        "ratePerQuintal": 2200, "purchaseDate": today.isoformat(),
    }  # fmt: skip

    # purchases: field rules, dates, enum filters, date ranges, the tare, a lot too small
    read("post", f"{base}/paddy-purchases", {**purchase, "moisturePercent": 55}, expect=422)
    read("post", f"{base}/paddy-purchases", {**purchase, "purchaseDate": "1999-12-31"}, expect=422)
    read("post", f"{base}/paddy-purchases", {**purchase, "grossWeightKg": 5_000_000}, expect=422)
    read("post", f"{base}/paddy-purchases", {**purchase, "tareWeightKg": 30000}, expect=422)
    read("post", f"{base}/paddy-purchases", {**purchase, "ratePerQuintal": 9_999_999}, expect=422)
    read("post", f"{base}/paddy-purchases", {**purchase, "bags": 10_000_000}, expect=422)
    read("get", f"{base}/paddy-purchases?paymentStatus=SOMETIMES", expect=422)
    read("get", f"{base}/paddy-purchases?dateFrom=2026-02-01&dateTo=2026-01-01", expect=422)
    bought = read("post", f"{base}/paddy-purchases", purchase, expect=201)["data"]

    # milling: more paddy than there is, outputs above the input, unusual outturn, twice, a bad status
    read("post", f"{base}/milling-batches", {"paddyInputKg": 999_999}, expect=409)
    batch = read("post", f"{base}/milling-batches", {"paddyInputKg": 15000, "variety": "Sona"}, expect=201)["data"]
    read("post", f"{base}/milling-batches/{batch['id']}/complete", {"outputs": {"RICE": 16000}}, expect=422)
    outputs = {"RICE": 8191.311, "BROKEN_RICE": 600, "BRAN": 900, "HUSK": 3000}
    read("post", f"{base}/milling-batches/{batch['id']}/complete", {"outputs": outputs}, expect=200)
    read("post", f"{base}/milling-batches/{batch['id']}/complete", {"outputs": outputs}, expect=409)
    read("get", f"{base}/milling-batches?status=RUNNING", expect=422)
    read("delete", f"{base}/paddy-purchases/{bought['id']}", expect=409)  # its paddy was milled

    # sales: an unknown stock type, more than in stock, a sale and its payments
    sale = {"buyerName": "Ravi Traders", "stockType": "RICE", "quantityKg": 3000, "ratePerQuintal": 4020}
    read("post", f"{base}/sales", {**sale, "stockType": "GOLD"}, expect=422)
    read("post", f"{base}/sales", {**sale, "quantityKg": 999_999}, expect=409)
    read("post", f"{base}/sales", {**sale, "saleDate": future}, expect=422)
    sold = read("post", f"{base}/sales", sale, expect=201)["data"]

    # payments: both documents, the wrong direction, more than the balance, an unknown mode
    pay = {"direction": "MADE", "amount": 1000, "mode": "CASH", "purchaseId": bought["id"]}
    read("post", f"{base}/payments", {**pay, "saleId": sold["id"]}, expect=422)
    read("post", f"{base}/payments", {**pay, "direction": "RECEIVED"}, expect=422)
    read("post", f"{base}/payments", {**pay, "purchaseId": None, "saleId": sold["id"]}, expect=422)
    read("post", f"{base}/payments", {**pay, "mode": "BITCOIN"}, expect=422)
    read("post", f"{base}/payments", {**pay, "direction": "SIDEWAYS"}, expect=422)
    read("post", f"{base}/payments", {**pay, "amount": 99_999_999}, expect=409)
    read("post", f"{base}/payments", {**pay, "mode": "BANK"}, expect=201)
    received = {"direction": "RECEIVED", "amount": 120600, "mode": "CHEQUE", "saleId": sold["id"]}
    read("post", f"{base}/payments", received, expect=201)
    read("patch", f"{base}/sales/{sold['id']}", {"quantityKg": 100}, expect=409)  # below what was received
    read("get", f"{base}/payments?mode=GOLD", expect=422)

    # stock: negative minimum, an adjustment below zero, an unknown type, an outward too big, a low stock
    read("patch", f"{base}/stock/BRAN", {"minStockLevel": -5}, expect=422)
    read("post", f"{base}/stock/adjustments", {"stockType": "HUSK", "change": -99999, "reason": "count"}, expect=409)
    read("post", f"{base}/stock/adjustments", {"stockType": "SAND", "change": 5, "reason": "count"}, expect=422)
    read("post", f"{base}/outwards", {"stockType": "BRAN", "quantityKg": 5000}, expect=409)
    read("post", f"{base}/inwards", {"stockType": "BROKEN_RICE", "quantityKg": 250.5, "partyName": "Raju"}, expect=201)
    read("post", f"{base}/outwards", {"stockType": "BRAN", "quantityKg": 350, "partyName": "Feeds Co"}, expect=201)
    read("post", f"{base}/stock/adjustments", {"stockType": "HUSK", "change": -12.5, "reason": "rain"}, expect=201)
    read("patch", f"{base}/stock/RICE", {"minStockLevel": 99_999}, expect=200)  # Rice becomes low

    # staff and attendance: the future, twice left, an unknown status, not on the staff that day
    read("post", f"{base}/staff", {"name": "Kumar", "dailyWage": 600, "joinedOn": future}, expect=422)
    read("post", f"{base}/staff", {"name": "Kumar", "dailyWage": 600, "joinedOn": "1900-01-01"}, expect=422)
    staff = read("post", f"{base}/staff", {"name": "Kumar", "dailyWage": 600, "joinedOn": "2025-01-10"}, expect=201)
    staff_id = staff["data"]["id"]
    entry = {"staffId": staff_id, "status": "PRESENT"}
    read("post", f"{base}/attendance", {"date": today.isoformat(), "entries": [{**entry, "status": "ASLEEP"}]}, 422)
    read("post", f"{base}/attendance", {"date": "2024-12-31", "entries": [entry]}, expect=409)
    read("post", f"{base}/attendance", {"date": today.isoformat(), "entries": [entry]}, expect=200)
    read("post", f"{base}/staff/{staff_id}/leave", {"leftOn": "2025-01-01"}, expect=422)
    read("post", f"{base}/staff/{staff_id}/leave", {}, expect=200)
    read("post", f"{base}/staff/{staff_id}/leave", {}, expect=409)
    read("get", f"{base}/staff?status=RETIRED", expect=422)

    # users of the mill: an unknown role
    user = {"email": "new.op@example.test", "name": "New Op", "role": "CAPTAIN", "password": "long-enough-1"}
    read("post", f"{base}/users", user, expect=422)

    # what the mill then reads: the feed, the dashboard's feed, the notifications
    feed = read("get", f"{base}/activity?limit=100", expect=200)["data"]
    dashboard = read("get", f"{base}/dashboard", expect=200)["data"]
    notes = read("get", "/api/v1/notifications?perPage=100", expect=200)["data"]
    summaries = [(f"feed {e['type']}", e["summary"]) for e in feed + dashboard["recentActivity"]]
    titles = [(f"notification {n['title']}", f"{n['title']}: {n['message']}") for n in notes]
    assert len(feed) >= 12 and {t for t, _ in titles} >= {
        "notification New purchase", "notification New sale", "notification Payment made",
        "notification Payment received", "notification Unusual outturn", "notification Low stock",
        "notification Staff left",
    }  # fmt: skip
    assert any("₹1,20,600.00" in text for _, text in titles)  # the amount, in Indian grouping

    problems = [f"{where}: {p}" for where, text in read.messages + summaries + titles for p in _problems(text)]
    assert problems == []
