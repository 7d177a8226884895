from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from tests.factories import auth_header, make_user

from .helpers import counts, events, mill_url, quantity, set_stock

INWARD = {
    "stockType": "RICE",
    "quantityKg": 1250.5,
    "bags": 50,
    "partyName": "Suresh Traders",
    "vehicleNumber": "AP09 AB 1234",
    "notes": "returned lot",
    "date": "2026-11-20",
}


def test_inward_adds_to_stock_and_records_its_events(client, mill, users, headers):
    operator = users[Role.OPERATOR]
    response = client.post(mill_url(mill, "/inwards"), json=INWARD, headers=headers[Role.OPERATOR])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert {k: data[k] for k in INWARD} == INWARD
    assert data["createdBy"] == {"id": str(operator.id), "name": operator.name}
    assert set(data) == set(INWARD) | {"id", "createdBy", "createdAt", "updatedAt"}
    assert quantity(mill, "RICE") == Decimal("1250.500")

    rows = events(mill)
    assert [(e.seq, e.name) for e in rows] == [(1, "inward:created"), (2, "stock:updated")]
    assert rows[0].payload == {
        "inward": data, "createdBy": {"id": str(operator.id), "name": operator.name},
        "millId": str(mill.id), "seq": 1,
    }  # fmt: skip
    assert rows[0].summary == f"{operator.name} recorded an inward of 1,250.5 kg (12.5 q) of Rice from Suresh Traders"
    assert (rows[0].actor_id, rows[0].entity_type, rows[0].entity_id) == (operator.id, "inward", data["id"])
    assert rows[1].payload | {"millId": None, "seq": None} == {
        "stockType": "RICE", "quantity": 1250.5, "minStockLevel": 0.0, "change": 1250.5, "reason": "inward",
        "millId": None, "seq": None,
    }  # fmt: skip

    got = client.get(mill_url(mill, f"/inwards/{data['id']}"), headers=headers[Role.OPERATOR])
    assert got.status_code == 200 and got.get_json()["data"] == data
    # The ledger row points at the document.
    ledger = client.get(mill_url(mill, "/stock/RICE"), headers=headers[Role.OPERATOR]).get_json()["data"]["ledger"]
    assert (ledger[0]["refType"], ledger[0]["refId"], ledger[0]["change"]) == ("inward", data["id"], 1250.5)


def test_inward_date_defaults_to_the_mills_today(client, mill, headers):
    body = {"stockType": "HUSK", "quantityKg": 10}
    before = mill.today().isoformat()
    data = client.post(mill_url(mill, "/inwards"), json=body, headers=headers[Role.OPERATOR]).get_json()["data"]
    assert data["date"] in {before, mill.today().isoformat()}  # the same day unless midnight came between
    assert data["bags"] is None and data["partyName"] is None


def test_outward_takes_from_stock_and_alerts_when_it_crosses_the_minimum(client, mill, users, headers):
    set_stock(mill, "BRAN", Decimal("500"), minimum=200)
    operator = users[Role.OPERATOR]
    body = {"stockType": "BRAN", "quantityKg": 350, "partyName": "Cattle Feeds Co"}
    response = client.post(mill_url(mill, "/outwards"), json=body, headers=headers[Role.OPERATOR])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert quantity(mill, "BRAN") == Decimal("150.000")
    rows = events(mill)
    assert [e.name for e in rows] == ["outward:created", "stock:updated", "stock:low-alert"]
    assert rows[0].payload["outward"] == data and rows[0].payload["createdBy"]["id"] == str(operator.id)
    assert rows[0].summary == f"{operator.name} recorded an outward of 350 kg (3.5 q) of Bran to Cattle Feeds Co"
    assert rows[0].entity_type == "outward"
    assert rows[1].payload["change"] == -350.0
    assert rows[2].payload["severity"] == "medium"
    assert client.get(mill_url(mill, f"/outwards/{data['id']}"), headers=headers[Role.OPERATOR]).status_code == 200
    # An outward is not an inward.
    assert client.get(mill_url(mill, f"/inwards/{data['id']}"), headers=headers[Role.OPERATOR]).status_code == 404


def test_outward_beyond_the_stock_is_409_and_writes_nothing(client, mill, headers):
    set_stock(mill, "RICE", Decimal("100"))
    before = counts()
    body = {"stockType": "RICE", "quantityKg": 100.001}
    response = client.post(mill_url(mill, "/outwards"), json=body, headers=headers[Role.OPERATOR])
    assert response.status_code == 409
    body = response.get_json()
    assert body["success"] is False and "Not enough Rice" in body["message"]
    assert counts() == before
    # All of it is fine.
    ok = client.post(
        mill_url(mill, "/outwards"), json={"stockType": "RICE", "quantityKg": 100}, headers=headers[Role.OPERATOR]
    )
    assert ok.status_code == 201
    assert quantity(mill, "RICE") == 0


def test_lists_filter_and_page_newest_first(client, mill, headers):
    h = headers[Role.OPERATOR]
    lots = [
        ("2026-11-01", "RICE", "Suresh"),
        ("2026-11-05", "PADDY", "Ramesh"),
        ("2026-11-03", "RICE", "suresh & sons"),
        ("2026-11-07", "BRAN", "100%_pure"),
    ]
    for day, stock_type, party in lots:
        body = {"stockType": stock_type, "quantityKg": 10, "partyName": party, "date": day}
        assert client.post(mill_url(mill, "/inwards"), json=body, headers=h).status_code == 201
    client.post(mill_url(mill, "/outwards"), json={"stockType": "RICE", "quantityKg": 1}, headers=h)

    def dates(query):
        response = client.get(mill_url(mill, f"/inwards{query}"), headers=h)
        assert response.status_code == 200, response.get_json()
        return [i["date"] for i in response.get_json()["data"]], response.get_json()["meta"]

    assert dates("")[0] == ["2026-11-07", "2026-11-05", "2026-11-03", "2026-11-01"]
    assert dates("?perPage=2&page=2") == (
        ["2026-11-03", "2026-11-01"],
        {"page": 2, "perPage": 2, "total": 4, "totals": {"quantityKg": 40.0}},
    )
    assert dates("?stockType=RICE")[0] == ["2026-11-03", "2026-11-01"]
    assert dates("?partyName=SURESH")[0] == ["2026-11-03", "2026-11-01"]
    assert dates("?partyName=%25_")[0] == ["2026-11-07"]  # % and _ are literal, not wildcards
    assert dates("?dateFrom=2026-11-03&dateTo=2026-11-05")[0] == ["2026-11-05", "2026-11-03"]
    outwards = client.get(mill_url(mill, "/outwards"), headers=h).get_json()
    assert outwards["meta"]["total"] == 1 and outwards["data"][0]["quantityKg"] == 1.0


@pytest.mark.parametrize("query", ["?stockType=GOLD", "?dateTo=31-12-2026", "?perPage=101", "?partyName="])
def test_bad_list_query_is_422(client, mill, headers, query):
    response = client.get(mill_url(mill, f"/inwards{query}"), headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    assert response.get_json()["errors"]


BAD_BODIES = [
    {},
    {"quantityKg": 10},
    {"stockType": "RICE"},
    {"stockType": "GOLD", "quantityKg": 10},
    {"stockType": "RICE", "quantityKg": 0},
    {"stockType": "RICE", "quantityKg": -5},
    {"stockType": "RICE", "quantityKg": "10"},
    {"stockType": "RICE", "quantityKg": None},
    {"stockType": "RICE", "quantityKg": 1e9},
    {"stockType": "RICE", "quantityKg": 10, "bags": -1},
    {"stockType": "RICE", "quantityKg": 10, "bags": 2.5},
    {"stockType": "RICE", "quantityKg": 10, "bags": 10**9},
    {"stockType": "RICE", "quantityKg": 10, "partyName": "x" * 121},
    {"stockType": "RICE", "quantityKg": 10, "vehicleNumber": "x" * 21},
    {"stockType": "RICE", "quantityKg": 10, "notes": "x" * 501},
    {"stockType": "RICE", "quantityKg": 10, "date": "yesterday"},
    {"stockType": "RICE", "quantityKg": 10, "date": "9999-12-31"},
    {"stockType": "RICE", "quantityKg": 10, "date": "1900-01-01"},
    {"stockType": "RICE", "quantityKg": 10, "direction": "OUT"},
    {"stockType": "RICE", "quantityKg": 10, "millId": "00000000-0000-0000-0000-000000000000"},
    {"stockType": "RICE", "quantityKg": 10, "createdBy": {"id": "x"}},
    ["RICE", 10],
]


@pytest.mark.parametrize("path", ["/inwards", "/outwards"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_goods_bodies_are_422_and_write_nothing(client, mill, headers, path, body):
    set_stock(mill, "RICE", Decimal("1000"))
    before = counts()
    response = client.post(mill_url(mill, path), json=body, headers=headers[Role.OPERATOR])
    assert response.status_code == 422, (body, response.get_json())
    assert response.get_json()["success"] is False and response.get_json()["errors"]
    assert counts() == before


def test_another_mills_documents_are_404(client, mill, other_mill, headers):
    inward = client.post(mill_url(mill, "/inwards"), json=INWARD, headers=headers[Role.OPERATOR]).get_json()["data"]
    intruder = make_user(Role.MILL_ADMIN, other_mill)
    # Their own mill's URL with our document's id: not found either.
    assert (
        client.get(mill_url(other_mill, f"/inwards/{inward['id']}"), headers=auth_header(intruder)).status_code == 404
    )
    assert client.get(mill_url(mill, f"/inwards/{inward['id']}"), headers=auth_header(intruder)).status_code == 404
    listed = client.get(mill_url(other_mill, "/inwards"), headers=auth_header(intruder)).get_json()
    assert listed["data"] == [] and listed["meta"]["total"] == 0
