import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.common.export import BOM
from ricemill.extensions import db
from ricemill.finance import service as finance
from ricemill.inventory.models import Stock, StockLedgerEntry
from ricemill.inventory.stock import apply_movement
from ricemill.milling import service as milling
from ricemill.purchases import service as purchases
from ricemill.sales import service as sales

REPORTS = ["day-book", "stock-statement", "purchases", "sales", "milling"]


def report(client, mill, headers, name, query=""):
    response = client.get(f"/api/v1/mills/{mill.id}/reports/{name}{query}", headers=headers[Role.OPERATOR])
    assert response.status_code == 200, response.get_json()
    return response


@pytest.fixture
def month(mill, users):
    """Two farmers, one buyer, a batch milled: what a small mill does in a few days."""
    admin = users[Role.MILL_ADMIN]
    today = mill.today()
    p1 = purchases.create_purchase(
        mill=mill, data={"farmer_name": "Ramesh", "gross_weight_kg": 1000, "moisture_percent": 17,
                         "rate_per_quintal": 2200, "variety": "Sona", "purchase_date": today}, actor=admin,
    )  # fmt: skip
    purchases.create_purchase(
        mill=mill, data={"farmer_name": "Suresh", "gross_weight_kg": 2000, "moisture_percent": 17,
                         "rate_per_quintal": 2100, "variety": "IR64", "purchase_date": today}, actor=admin,
    )  # fmt: skip
    batch = milling.start_batch(mill=mill, data={"paddy_input_kg": 1000, "variety": "Sona"}, actor=admin)
    milling.complete_batch(
        mill=mill, batch_id=batch.id,
        data={"outputs": {"RICE": 650, "BROKEN_RICE": 50, "BRAN": 80, "HUSK": 200}}, actor=admin,
    )  # fmt: skip
    sale = sales.create_sale(
        mill=mill, data={"buyer_name": "Venkat Traders", "stock_type": "RICE", "quantity_kg": 400,
                         "rate_per_quintal": 4000, "sale_date": today}, actor=admin,
    )  # fmt: skip
    finance.create_payment(mill=mill, data={"direction": "MADE", "amount": 5000, "mode": "CASH",
                                            "purchase_id": p1.id}, actor=admin)  # fmt: skip
    finance.create_payment(mill=mill, data={"direction": "RECEIVED", "amount": 1000, "mode": "UPI",
                                            "sale_id": sale.id}, actor=admin)  # fmt: skip
    db.session.commit()
    return today


def test_day_book_lists_every_document_with_totals(client, mill, headers, month):
    data = report(client, mill, headers, "day-book").get_json()["data"]
    assert data["date"] == month.isoformat()
    assert sorted(r["type"] for r in data["rows"]) == [
        "PAYMENT_MADE", "PAYMENT_RECEIVED", "PURCHASE", "PURCHASE", "SALE",
    ]  # fmt: skip
    totals = data["totals"]
    assert totals["PURCHASE"] == {"count": 2, "quantityKg": 3000.0, "amount": 22000.0 + 42000.0}
    assert totals["SALE"]["amount"] == 16000.0
    assert totals["PAYMENT_MADE"]["amount"] == 5000.0 and totals["PAYMENT_RECEIVED"]["amount"] == 1000.0
    other_day = report(client, mill, headers, "day-book", "?date=2026-01-01").get_json()["data"]
    assert other_day["rows"] == []


def test_stock_statement_equals_the_stock_ledger(client, mill, headers, month):
    data = report(client, mill, headers, "stock-statement").get_json()["data"]
    rows = {r["stockType"]: r for r in data["rows"]}
    for stock in db.session.scalars(sa.select(Stock).where(Stock.mill_id == mill.id)):
        changes = db.session.scalars(
            sa.select(StockLedgerEntry.change).where(
                StockLedgerEntry.mill_id == mill.id, StockLedgerEntry.stock_type == stock.stock_type
            )
        ).all()
        row = rows[stock.stock_type.value]
        assert row["openingKg"] == 0
        assert row["inKg"] == float(sum(c for c in changes if c > 0))
        assert row["outKg"] == float(-sum(c for c in changes if c < 0))
        assert row["closingKg"] == float(stock.quantity)
    assert rows["PADDY"]["closingKg"] == 2000.0 and rows["RICE"]["closingKg"] == 250.0
    # after today: everything is in the opening, nothing moves
    later = report(client, mill, headers, "stock-statement", "?dateFrom=2099-01-01").get_json()["data"]
    assert {r["stockType"]: (r["openingKg"], r["inKg"], r["outKg"]) for r in later["rows"]}["RICE"] == (250.0, 0, 0)


def test_registers_by_day_party_and_variety(client, mill, headers, month):
    by_party = report(client, mill, headers, "purchases", "?groupBy=party").get_json()["data"]
    assert [(r["party"], r["amount"], r["paidAmount"], r["balance"]) for r in by_party["rows"]] == [
        ("Ramesh", 22000.0, 5000.0, 17000.0), ("Suresh", 42000.0, 0.0, 42000.0),
    ]  # fmt: skip
    assert by_party["totals"]["amount"] == 64000.0
    by_variety = report(client, mill, headers, "purchases", "?groupBy=variety").get_json()["data"]
    assert [r["variety"] for r in by_variety["rows"]] == ["IR64", "Sona"]
    by_day = report(client, mill, headers, "sales").get_json()["data"]
    assert by_day["rows"] == [
        {"day": month.isoformat(), "count": 1, "quantityKg": 400.0, "amount": 16000.0, "paidAmount": 1000.0,
         "balance": 15000.0}
    ]  # fmt: skip
    assert report(client, mill, headers, "sales", "?groupBy=variety").get_json()["data"]["rows"][0]["variety"] == "RICE"


def test_milling_outturn_and_loss(client, mill, headers, month):
    data = report(client, mill, headers, "milling").get_json()["data"]
    (row,) = data["rows"]
    assert (row["outturnPercent"], row["lossKg"], row["lossPercent"]) == (65.0, 20.0, 2.0)
    assert data["totals"]["outturnPercent"] == 65.0 and data["totals"]["averageLossKg"] == 20.0


@pytest.mark.parametrize("name", ["stock-statement", "purchases", "sales", "milling"])
def test_date_from_after_date_to_is_422(client, mill, headers, name):
    response = client.get(
        f"/api/v1/mills/{mill.id}/reports/{name}?dateFrom=2026-05-02&dateTo=2026-05-01", headers=headers[Role.OPERATOR]
    )
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "dateFrom"


def test_unknown_format_or_grouping_is_422(client, mill, headers):
    for query in ("?format=pdf", "?groupBy=weather"):
        response = client.get(f"/api/v1/mills/{mill.id}/reports/purchases{query}", headers=headers[Role.OPERATOR])
        assert response.status_code == 422


def _json_cells(rows, keys):
    return [[row[k] for k in keys] for row in rows]


@pytest.mark.parametrize("name", REPORTS)
def test_csv_and_xlsx_read_back_equal_the_json_rows(client, mill, headers, month, name):
    import openpyxl

    from ricemill.reports import api

    json_rows = report(client, mill, headers, name).get_json()["data"]["rows"]
    group = "day" if name in ("purchases", "sales") else None
    columns = {
        "day-book": api.DAY_BOOK,
        "stock-statement": api.STOCK,
        "milling": api.MILLING,
        "purchases": api.register_columns("day", "netWeightKg", "Net weight (kg)"),
        "sales": api.register_columns("day", "quantityKg", "Quantity (kg)"),
    }[name]
    keys = [c.key for c in columns]
    assert group is None or keys[0] == group

    response = report(client, mill, headers, name, "?format=csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    table = list(csv.reader(io.StringIO(text[1:])))
    assert table[0] == [c.header for c in columns]

    def as_json(value, column):
        if value in ("", None):
            return None
        if column.kind in ("money", "kg", "number"):
            return float(value)
        if column.kind == "int":
            return int(value)
        return value

    read_back = [[as_json(v, c) for v, c in zip(row, columns, strict=True)] for row in table[1:]]
    assert read_back == _json_cells(json_rows, keys)

    response = report(client, mill, headers, name, "?format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    cells = list(sheet.iter_rows(values_only=True))
    assert list(cells[0]) == [c.header for c in columns]

    def from_xlsx(value, column):
        if value is None:
            return None
        if column.kind == "date":
            return value.date().isoformat()
        if column.kind == "datetime":
            return value
        return value

    expected = _json_cells(json_rows, keys)
    for got, want in zip(cells[1:], expected, strict=True):
        for value, column, json_value in zip(got, columns, want, strict=True):
            if column.kind == "datetime":
                assert value is not None and json_value.startswith(value.isoformat()[:19].split("T")[0])
            else:
                assert from_xlsx(value, column) == json_value, column.key
    assert len(cells) - 1 == len(json_rows)


def test_reports_of_another_mill_are_404(client, mill, other_mill, headers, month):
    from tests.factories import auth_header, make_user

    intruder = auth_header(make_user(Role.MILL_ADMIN, other_mill))
    for name in REPORTS:
        assert client.get(f"/api/v1/mills/{mill.id}/reports/{name}", headers=intruder).status_code == 404


def test_big_decimal_amounts_survive_csv_exactly(client, mill, users, headers):
    apply_movement(mill_id=mill.id, stock_type="RICE", change=1_000_000, reason="test stock")
    sales.create_sale(
        mill=mill, data={"buyer_name": "Big Buyer", "stock_type": "RICE", "quantity_kg": Decimal("999999.999"),
                         "rate_per_quintal": Decimal("99999.99"), "sale_date": date(2026, 4, 1)},
        actor=users[Role.MILL_ADMIN],
    )  # fmt: skip
    db.session.commit()
    text = report(client, mill, headers, "sales", "?format=csv").get_data().decode("utf-8")
    row = list(csv.reader(io.StringIO(text[1:])))[1]
    assert row[2:4] == ["999999.999", "999999899.00"]
