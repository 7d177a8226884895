from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from tests.factories import auth_header, make_user
from tests.inventory.helpers import counts, events, mill_url, quantity, set_stock

# The hand-worked example: 1,000 kg of paddy gives 680 + 50 + 80 + 180 = 990 kg of products,
# so 10 kg is lost, and the outturn is 680 / 1,000 × 100 = 68.000 %.
OUTPUTS = {"RICE": 680, "BROKEN_RICE": 50, "BRAN": 80, "HUSK": 180}


def start(client, mill, headers, kg=1000, **extra):
    body = {"paddyInputKg": kg, "variety": "Sona Masuri", **extra}
    return client.post(mill_url(mill, "/milling-batches"), json=body, headers=headers)


def complete(client, mill, headers, batch_id, outputs=None, **extra):
    body = {"outputs": OUTPUTS if outputs is None else outputs, **extra}
    return client.post(mill_url(mill, f"/milling-batches/{batch_id}/complete"), json=body, headers=headers)


def test_start_takes_paddy_and_records_its_events(client, mill, operator, operator_headers):
    set_stock(mill, "PADDY", Decimal("1500"))
    response = start(client, mill, operator_headers, notes="first of the day")
    assert response.status_code == 201, response.get_json()
    batch = response.get_json()["data"]
    assert batch["status"] == "IN_PROGRESS" and batch["paddyInputKg"] == 1000.0
    assert batch["outputs"] is None and batch["outturnPercent"] is None and batch["lossKg"] is None
    assert batch["completedAt"] is None and batch["completedBy"] is None
    assert batch["startedBy"] == {"id": str(operator.id), "name": operator.name}
    assert batch["variety"] == "Sona Masuri" and batch["notes"] == "first of the day" and batch["startedAt"]
    assert quantity(mill, "PADDY") == Decimal("500.000")

    rows = events(mill)
    assert [(e.seq, e.name) for e in rows] == [(1, "milling:started"), (2, "stock:updated")]
    assert rows[0].payload == {"batch": batch, "startedBy": operator.actor, "millId": str(mill.id), "seq": 1}
    assert rows[0].summary == f"{operator.name} started milling 1,000 kg (10 q) of paddy of Sona Masuri"
    assert (rows[0].actor_id, rows[0].entity_type, rows[0].entity_id) == (operator.id, "milling", batch["id"])
    assert (rows[1].payload["stockType"], rows[1].payload["change"]) == ("PADDY", -1000.0)

    got = client.get(mill_url(mill, f"/milling-batches/{batch['id']}"), headers=operator_headers)
    assert got.status_code == 200 and got.get_json()["data"] == batch


def test_start_without_enough_paddy_is_409_and_writes_nothing(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("999.999"))
    before = counts()
    response = start(client, mill, operator_headers)
    assert response.status_code == 409
    assert "Not enough Paddy" in response.get_json()["message"]
    assert counts() == before


def test_complete_adds_outputs_and_computes_loss_and_outturn(client, mill, users, headers):
    set_stock(mill, "PADDY", Decimal("1000"))
    set_stock(mill, "RICE", Decimal("20"))
    batch_id = start(client, mill, headers[Role.OPERATOR]).get_json()["data"]["id"]
    manager = users[Role.MANAGER]
    response = complete(client, mill, headers[Role.MANAGER], batch_id, notes="good lot")
    assert response.status_code == 200, response.get_json()
    batch = response.get_json()["data"]
    assert batch["status"] == "COMPLETED"
    assert batch["outputs"] == {"RICE": 680.0, "BROKEN_RICE": 50.0, "BRAN": 80.0, "HUSK": 180.0}
    assert batch["lossKg"] == 10.0
    assert batch["outturnPercent"] == 68.0
    assert batch["notes"] == "good lot" and batch["completedAt"]
    assert batch["completedBy"] == {"id": str(manager.id), "name": manager.name}
    assert [quantity(mill, t) for t in ("PADDY", "RICE", "BROKEN_RICE", "BRAN", "HUSK")] == [0, 700, 50, 80, 180]

    rows = events(mill)[2:]  # after milling:started and its stock:updated
    assert [(e.seq, e.name) for e in rows] == [
        (3, "milling:completed"), (4, "stock:updated"), (5, "stock:updated"), (6, "stock:updated"),
        (7, "stock:updated"),
    ]  # fmt: skip
    assert rows[0].payload == {"batch": batch, "completedBy": manager.actor, "millId": str(mill.id), "seq": 3}
    assert rows[0].summary == (
        f"{manager.name} completed milling 1,000 kg (10 q) of paddy of Sona Masuri: 680 kg (6.8 q) of rice, outturn 68%"
    )
    assert [(e.payload["stockType"], e.payload["change"]) for e in rows[1:]] == [
        ("RICE", 680.0), ("BROKEN_RICE", 50.0), ("BRAN", 80.0), ("HUSK", 180.0),
    ]  # fmt: skip
    ledger = client.get(mill_url(mill, "/stock/RICE"), headers=headers[Role.OPERATOR]).get_json()["data"]["ledger"]
    assert (ledger[0]["refType"], ledger[0]["refId"], ledger[0]["quantityAfter"]) == ("milling_batch", batch_id, 700.0)


def test_outturn_rounds_to_three_places_and_zero_outputs_move_nothing(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("3"))
    batch_id = start(client, mill, operator_headers, kg=3).get_json()["data"]["id"]
    response = complete(client, mill, operator_headers, batch_id, outputs={"RICE": 2})
    batch = response.get_json()["data"]
    # 2 / 3 × 100 = 66.6666… → 66.667; BROKEN_RICE, BRAN, HUSK default to 0 and are not moved.
    assert (batch["outturnPercent"], batch["lossKg"]) == (66.667, 1.0)
    assert batch["outputs"] == {"RICE": 2.0, "BROKEN_RICE": 0.0, "BRAN": 0.0, "HUSK": 0.0}
    assert [e.name for e in events(mill)][-2:] == ["milling:completed", "stock:updated"]


def test_outputs_exactly_the_input_are_fine(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("100"))
    batch_id = start(client, mill, operator_headers, kg=100).get_json()["data"]["id"]
    outputs = {"RICE": 70, "BROKEN_RICE": 5, "BRAN": 5, "HUSK": 20}
    batch = complete(client, mill, operator_headers, batch_id, outputs=outputs).get_json()["data"]
    assert (batch["lossKg"], batch["outturnPercent"]) == (0.0, 70.0)


def test_outputs_over_the_input_are_422_and_write_nothing(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("1000"))
    batch_id = start(client, mill, operator_headers).get_json()["data"]["id"]
    before = counts()
    response = complete(client, mill, operator_headers, batch_id, outputs={**OUTPUTS, "HUSK": 190.001})
    assert response.status_code == 422
    body = response.get_json()
    assert body["success"] is False and [e["field"] for e in body["errors"]] == ["outputs"]
    assert counts() == before
    got = client.get(mill_url(mill, f"/milling-batches/{batch_id}"), headers=operator_headers).get_json()["data"]
    assert got["status"] == "IN_PROGRESS"


def test_completing_twice_is_409_and_adds_nothing_more(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("1000"))
    batch_id = start(client, mill, operator_headers).get_json()["data"]["id"]
    assert complete(client, mill, operator_headers, batch_id).status_code == 200
    before = counts()
    again = complete(client, mill, operator_headers, batch_id)
    assert again.status_code == 409
    assert again.get_json()["message"] == "This milling batch is already completed"
    assert counts() == before


def test_list_filters_by_status_and_date_newest_first(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("1000"))
    ids = [start(client, mill, operator_headers, kg=100).get_json()["data"]["id"] for _ in range(3)]
    complete(client, mill, operator_headers, ids[0], outputs={"RICE": 60})

    def listed(query=""):
        response = client.get(mill_url(mill, f"/milling-batches{query}"), headers=operator_headers)
        assert response.status_code == 200, response.get_json()
        return [b["id"] for b in response.get_json()["data"]], response.get_json()["meta"]["total"]

    # One test transaction: now() and so started_at are equal for all three, so compare as sets.
    assert sorted(listed()[0]) == sorted(ids)
    assert listed("?status=COMPLETED") == ([ids[0]], 1)
    assert sorted(listed("?status=IN_PROGRESS")[0]) == sorted(ids[1:])
    assert listed("?dateFrom=2001-01-01&dateTo=2001-12-31") == ([], 0)
    assert listed("?perPage=1")[1] == 3


@pytest.mark.parametrize("query", ["?status=DONE", "?dateFrom=x", "?perPage=0"])
def test_bad_list_query_is_422(client, mill, operator_headers, query):
    assert client.get(mill_url(mill, f"/milling-batches{query}"), headers=operator_headers).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"variety": "Sona"},
        {"paddyInputKg": 0},
        {"paddyInputKg": -10},
        {"paddyInputKg": "100"},
        {"paddyInputKg": None},
        {"paddyInputKg": 1e9},
        {"paddyInputKg": True},
        {"paddyInputKg": 100, "variety": "x" * 61},
        {"paddyInputKg": 100, "notes": "x" * 501},
        {"paddyInputKg": 100, "status": "COMPLETED"},
        {"paddyInputKg": 100, "outturnPercent": 70},
        {"paddyInputKg": 100, "millId": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_bad_start_bodies_are_422_and_write_nothing(client, mill, operator_headers, body):
    set_stock(mill, "PADDY", Decimal("1000"))
    before = counts()
    response = client.post(mill_url(mill, "/milling-batches"), json=body, headers=operator_headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]
    assert counts() == before


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"notes": "x"},
        {"outputs": {}},
        {"outputs": {"RICE": 0, "HUSK": 0}},
        {"outputs": {"RICE": -1, "HUSK": 100}},
        {"outputs": {"RICE": "600"}},
        {"outputs": {"RICE": None}},
        {"outputs": {"RICE": 1e9}},
        {"outputs": {"RICE": 600, "GOLD": 1}},
        {"outputs": {"rice": 600}},
        {"outputs": {"brokenRice": 50, "RICE": 600}},
        {"outputs": [600, 50, 80, 180]},
        {"outputs": OUTPUTS, "notes": "x" * 501},
        {"outputs": OUTPUTS, "lossKg": 0},
        {"outputs": OUTPUTS, "outturnPercent": 99},
        {"outputs": OUTPUTS, "millId": "00000000-0000-0000-0000-000000000000"},
    ],
)
def test_bad_complete_bodies_are_422_and_write_nothing(client, mill, operator_headers, body):
    set_stock(mill, "PADDY", Decimal("1000"))
    batch_id = start(client, mill, operator_headers).get_json()["data"]["id"]
    before = counts()
    response = client.post(mill_url(mill, f"/milling-batches/{batch_id}/complete"), json=body, headers=operator_headers)
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["errors"]
    assert counts() == before


def test_another_mills_batch_is_404_and_untouched(client, mill, other_mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("1000"))
    batch_id = start(client, mill, operator_headers).get_json()["data"]["id"]
    intruder = make_user(Role.MILL_ADMIN, other_mill)
    before = counts()
    for url_mill in (mill, other_mill):
        url = mill_url(url_mill, f"/milling-batches/{batch_id}")
        assert client.get(url, headers=auth_header(intruder)).status_code == 404
        assert (
            client.post(url + "/complete", json={"outputs": OUTPUTS}, headers=auth_header(intruder)).status_code == 404
        )
    assert counts() == before


def test_outturn_rounds_half_up(client, mill, operator_headers):
    set_stock(mill, "PADDY", Decimal("2000"))
    batch_id = start(client, mill, operator_headers, kg=2000).get_json()["data"]["id"]
    # 1.01 / 2,000 × 100 = 0.0505 exactly: half-up gives 0.051 (half-even would give 0.050).
    batch = complete(client, mill, operator_headers, batch_id, outputs={"RICE": 1.01}).get_json()["data"]
    assert batch["outturnPercent"] == 0.051


def test_batch_list_exports_one_row_per_batch_with_outputs_as_columns(client, mill, operator_headers):
    """CSV and XLSX hold every filtered batch (not one page) equal to the JSON, the outputs object
    spread into Rice/Broken rice/Bran/Husk (kg) columns, empty while a batch is in progress."""
    import csv
    import io

    import openpyxl

    from ricemill.common.export import BOM

    set_stock(mill, "PADDY", Decimal("5000"))
    ids = [start(client, mill, operator_headers, kg=100).get_json()["data"]["id"] for _ in range(3)]
    complete(client, mill, operator_headers, ids[0], outputs={"RICE": 60.5, "HUSK": 20})
    url = mill_url(mill, "/milling-batches")
    json_rows = {b["id"]: b for b in client.get(url, headers=operator_headers).get_json()["data"]}

    text = client.get(url + "?format=csv&perPage=1", headers=operator_headers).get_data(as_text=True)
    assert text.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == 3 and "Outputs" not in header
    outputs = [header.index(h) for h in ("Rice (kg)", "Broken rice (kg)", "Bran (kg)", "Husk (kg)")]
    by_id = {row[header.index("Id")]: row for row in rows}
    assert [by_id[ids[0]][i] for i in outputs] == ["60.5", "0.0", "0.0", "20.0"]
    assert [by_id[ids[1]][i] for i in outputs] == ["", "", "", ""]
    for batch_id, row in by_id.items():
        want = json_rows[batch_id]
        assert row[header.index("Paddy input (kg)")] == str(want["paddyInputKg"])
        assert row[header.index("Status")] == want["status"]
        outturn = row[header.index("Outturn percent")]
        assert (float(outturn) if outturn else None) == want["outturnPercent"]
    assert rows[0][header.index("Started by")] == json_rows[ids[0]]["startedBy"]["name"]

    body = client.get(url + "?format=xlsx&status=COMPLETED", headers=operator_headers).get_data()
    sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True).active
    header_x, *rows_x = list(sheet.iter_rows(values_only=True))
    assert list(header_x) == header and len(rows_x) == 1
    assert [rows_x[0][i] for i in outputs] == [60.5, 0, 0, 20]
