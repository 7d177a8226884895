from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from tests.factories import auth_header, make_user

from .helpers import counts, events, mill_url, quantity, set_stock


def test_stock_lists_every_type_with_minimum_low_flag_and_severity(client, mill, headers):
    set_stock(mill, "PADDY", Decimal("5000"), minimum=1000)
    set_stock(mill, "RICE", Decimal("400"), minimum=1000)  # 40% of the minimum: high
    set_stock(mill, "BRAN", Decimal("0"), minimum=10)  # empty: critical
    set_stock(mill, "HUSK", Decimal("900"), minimum=1000)  # 90%: medium
    response = client.get(mill_url(mill, "/stock"), headers=headers[Role.OPERATOR])
    assert response.status_code == 200
    data = {s["stockType"]: s for s in response.get_json()["data"]}
    assert list(data) == ["PADDY", "RICE", "BROKEN_RICE", "BRAN", "HUSK"]
    assert data["PADDY"] | {"updatedAt": None} == {
        "stockType": "PADDY", "quantity": 5000.0, "minStockLevel": 1000.0, "low": False, "severity": None,
        "updatedAt": None,
    }  # fmt: skip
    assert (data["RICE"]["low"], data["RICE"]["severity"]) == (True, "high")
    assert (data["BRAN"]["low"], data["BRAN"]["severity"]) == (True, "critical")
    assert (data["HUSK"]["low"], data["HUSK"]["severity"]) == (True, "medium")
    # A minimum of 0 means "no alert", even at 0 kg.
    assert (data["BROKEN_RICE"]["low"], data["BROKEN_RICE"]["severity"]) == (False, None)
    assert data["PADDY"]["updatedAt"]


def test_stock_detail_has_its_ledger_newest_first_and_paged(client, mill, headers, admin_headers):
    set_stock(mill, "RICE", Decimal("100"))
    for change in (10, -20, 30):
        body = {"stockType": "RICE", "change": change, "reason": f"count {change}"}
        assert client.post(mill_url(mill, "/stock/adjustments"), json=body, headers=admin_headers).status_code == 201
    response = client.get(mill_url(mill, "/stock/RICE?perPage=2"), headers=headers[Role.OPERATOR])
    assert response.status_code == 200
    body = response.get_json()
    assert body["meta"] == {"page": 1, "perPage": 2, "total": 4}
    assert body["data"]["quantity"] == 120.0
    ledger = body["data"]["ledger"]
    assert [(e["change"], e["quantityAfter"], e["reason"]) for e in ledger] == [
        (30.0, 120.0, "count 30"),
        (-20.0, 90.0, "count -20"),
    ]
    assert set(ledger[0]) == {"id", "change", "quantityAfter", "reason", "refType", "refId", "userId", "createdAt"}
    assert ledger[0]["refType"] == "adjustment" and ledger[0]["userId"]
    second = client.get(mill_url(mill, "/stock/RICE?perPage=2&page=2"), headers=headers[Role.OPERATOR]).get_json()
    assert [e["reason"] for e in second["data"]["ledger"]] == ["count 10", "opening"]


def test_ledger_date_filter(client, mill, headers):
    set_stock(mill, "RICE", Decimal("100"))
    url = mill_url(mill, "/stock/RICE?dateFrom=2001-01-01&dateTo=2001-01-31")
    assert client.get(url, headers=headers[Role.OPERATOR]).get_json()["data"]["ledger"] == []
    url = mill_url(mill, "/stock/RICE?dateFrom=2001-01-01")
    assert len(client.get(url, headers=headers[Role.OPERATOR]).get_json()["data"]["ledger"]) == 1


@pytest.mark.parametrize("query", ["?dateFrom=yesterday", "?perPage=1000", "?page=0"])
def test_bad_ledger_query_is_422(client, mill, headers, query):
    response = client.get(mill_url(mill, f"/stock/RICE{query}"), headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    assert response.get_json()["errors"]


@pytest.mark.parametrize("stock_type", ["GOLD", "paddy", "adjustments"])
def test_unknown_stock_type_is_404_envelope(client, mill, headers, stock_type):
    response = client.get(mill_url(mill, f"/stock/{stock_type}"), headers=headers[Role.OPERATOR])
    assert response.status_code == 404
    assert response.get_json()["success"] is False
    before = counts()
    patch = client.patch(
        mill_url(mill, f"/stock/{stock_type}"), json={"minStockLevel": 5}, headers=headers[Role.MANAGER]
    )
    assert patch.status_code == 404
    assert counts() == before


def test_minimum_change_publishes_stock_updated_and_a_low_alert_when_it_makes_the_stock_low(
    client, mill, users, headers
):
    set_stock(mill, "RICE", Decimal("400"))
    manager = users[Role.MANAGER]
    url = mill_url(mill, "/stock/RICE")
    response = client.patch(url, json={"minStockLevel": 1000}, headers=headers[Role.MANAGER])
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert (data["minStockLevel"], data["low"], data["severity"]) == (1000.0, True, "high")
    rows = events(mill)
    assert [(e.seq, e.name) for e in rows] == [(1, "stock:updated"), (2, "stock:low-alert")]
    assert rows[0].payload == {
        "stockType": "RICE", "quantity": 400.0, "minStockLevel": 1000.0, "change": 0.0,
        "reason": "minimum level changed", "millId": str(mill.id), "seq": 1,
    }  # fmt: skip
    assert rows[0].summary == f"{manager.name} set the Rice minimum to 1,000 kg"
    assert (rows[0].actor_id, rows[0].entity_type, rows[0].entity_id) == (manager.id, "stock", "RICE")
    assert rows[1].payload == {
        "stockType": "RICE", "currentQuantity": 400.0, "minLevel": 1000.0, "severity": "high",
        "millId": str(mill.id), "seq": 2,
    }  # fmt: skip
    # Already low: raising the minimum again only updates, it does not alert twice.
    assert client.patch(url, json={"minStockLevel": 2000}, headers=headers[Role.MANAGER]).status_code == 200
    # Back to 0 (no alert): one more stock:updated, nothing else.
    assert client.patch(url, json={"minStockLevel": 0}, headers=headers[Role.MANAGER]).status_code == 200
    assert [e.name for e in events(mill)][2:] == ["stock:updated", "stock:updated"]
    assert quantity(mill, "RICE") == Decimal("400.000")


def test_minimum_below_the_quantity_does_not_alert(client, mill, headers):
    set_stock(mill, "PADDY", Decimal("400"))
    assert (
        client.patch(
            mill_url(mill, "/stock/PADDY"), json={"minStockLevel": 399.999}, headers=headers[Role.MANAGER]
        ).status_code
        == 200
    )
    assert [e.name for e in events(mill)] == ["stock:updated"]


@pytest.mark.parametrize(
    "body",
    [{}, {"minStockLevel": -1}, {"minStockLevel": "100"}, {"minStockLevel": None}, {"minStockLevel": 1e12},
     {"minStockLevel": True}, {"minStockLevel": 10, "quantity": 5}, {"minStockLevel": 10, "millId": "x"}],
)  # fmt: skip
def test_bad_minimum_is_422_and_writes_nothing(client, mill, headers, body):
    before = counts()
    response = client.patch(mill_url(mill, "/stock/RICE"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert response.get_json()["success"] is False and response.get_json()["errors"]
    assert counts() == before


def test_operator_may_not_change_minimum_or_adjust(client, mill, headers):
    before = counts()
    assert (
        client.patch(
            mill_url(mill, "/stock/RICE"), json={"minStockLevel": 1}, headers=headers[Role.OPERATOR]
        ).status_code
        == 403
    )
    body = {"stockType": "RICE", "change": 5, "reason": "found"}
    assert (
        client.post(mill_url(mill, "/stock/adjustments"), json=body, headers=headers[Role.OPERATOR]).status_code == 403
    )
    assert counts() == before


def test_adjustment_writes_the_document_ledger_and_event(client, mill, users, headers):
    set_stock(mill, "BRAN", Decimal("50"), minimum=40)
    manager = users[Role.MANAGER]
    body = {"stockType": "BRAN", "change": -12.5, "reason": "spoiled in the rain"}
    response = client.post(mill_url(mill, "/stock/adjustments"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["stockType"] == "BRAN" and data["change"] == -12.5 and data["quantityAfter"] == 37.5
    assert data["reason"] == "spoiled in the rain"
    assert data["createdBy"] == {"id": str(manager.id), "name": manager.name}
    assert quantity(mill, "BRAN") == Decimal("37.500")
    rows = events(mill)
    assert [e.name for e in rows] == ["stock:updated", "stock:low-alert"]  # 50 -> 37.5 crosses the minimum 40
    assert rows[0].payload["change"] == -12.5 and rows[0].payload["reason"] == "spoiled in the rain"
    # A manual adjustment has no document event, so its stock event is the activity-feed entry.
    assert rows[0].summary == f"{manager.name} adjusted Bran by −12.5 kg: spoiled in the rain"
    assert (rows[0].actor_id, rows[0].entity_type, rows[0].entity_id) == (manager.id, "stock", "BRAN")
    feed = client.get(mill_url(mill, "/activity"), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert any(entry["seq"] == rows[0].seq and entry["type"] == "stock:updated" for entry in feed)
    ledger = client.get(mill_url(mill, "/stock/BRAN"), headers=headers[Role.OPERATOR]).get_json()["data"]["ledger"]
    assert (ledger[0]["refType"], ledger[0]["refId"], ledger[0]["userId"]) == (
        "adjustment",
        data["id"],
        str(manager.id),
    )


def test_adjustment_beyond_the_stock_is_409_and_writes_nothing(client, mill, headers):
    set_stock(mill, "HUSK", Decimal("10"))
    before = counts()
    body = {"stockType": "HUSK", "change": -10.001, "reason": "counted"}
    response = client.post(mill_url(mill, "/stock/adjustments"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 409
    assert "Not enough Husk" in response.get_json()["message"]
    assert counts() == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"change": 5, "reason": "x"},
        {"stockType": "RICE", "reason": "x"},
        {"stockType": "RICE", "change": 5},
        {"stockType": "RICE", "change": 0, "reason": "x"},
        {"stockType": "RICE", "change": 0.0001, "reason": "x"},
        {"stockType": "RICE", "change": "5", "reason": "x"},
        {"stockType": "RICE", "change": 1e9, "reason": "x"},
        {"stockType": "RICE", "change": -1e9, "reason": "x"},
        {"stockType": "GOLD", "change": 5, "reason": "x"},
        {"stockType": "RICE", "change": 5, "reason": ""},
        {"stockType": "RICE", "change": 5, "reason": "   "},
        {"stockType": "RICE", "change": 5, "reason": "x" * 201},
        {"stockType": "RICE", "change": 5, "reason": 7},
        {"stockType": "RICE", "change": 5, "reason": "x", "millId": "00000000-0000-0000-0000-000000000000"},
        {"stockType": "RICE", "change": 5, "reason": "x", "quantityAfter": 5},
    ],
)
def test_bad_adjustment_is_422_and_writes_nothing(client, mill, headers, body):
    before = counts()
    response = client.post(mill_url(mill, "/stock/adjustments"), json=body, headers=headers[Role.MANAGER])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]
    assert counts() == before


def test_another_mills_stock_is_404(client, mill, other_mill):
    intruder = make_user(Role.MILL_ADMIN, other_mill)
    before = counts()
    assert client.get(mill_url(mill, "/stock/RICE"), headers=auth_header(intruder)).status_code == 404
    body = {"stockType": "RICE", "change": 5, "reason": "x"}
    assert (
        client.post(mill_url(mill, "/stock/adjustments"), json=body, headers=auth_header(intruder)).status_code == 404
    )
    assert counts() == before
