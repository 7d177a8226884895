"""Every exportable list: the CSV and the XLSX hold every filtered row (not one page), equal to the JSON."""

import csv
import io
from datetime import datetime

import pytest

from ricemill.auth.roles import Role
from ricemill.common.export import BOM, schema_columns
from ricemill.extensions import db
from ricemill.finance import service as finance
from ricemill.finance.schemas import PaymentSchema, ReceiptSchema
from ricemill.inventory import service as inventory
from ricemill.inventory.schemas import InwardSchema, LedgerEntrySchema, OutwardSchema
from ricemill.inventory.stock import apply_movement
from ricemill.inventory.types import Direction
from ricemill.parties.schemas import PartySchema
from ricemill.purchases import service as purchases
from ricemill.purchases.schemas import PurchaseSchema
from ricemill.sales import service as sales
from ricemill.sales.schemas import SaleSchema
from ricemill.staff import service as staff
from ricemill.staff.schemas import StaffSchema
from tests.conftest import rolled_back, seeded_once
from tests.factories import auth_header, make_mill, make_user

LISTS = {
    "paddy-purchases": PurchaseSchema,
    "sales": SaleSchema,
    "payments": PaymentSchema,
    "receipts": ReceiptSchema,
    "parties": PartySchema,
    "inwards": InwardSchema,
    "outwards": OutwardSchema,
    "staff": StaffSchema,
}


def _seed_documents(mill, admin) -> None:
    """More than a page of each list, with a filter's worth of villages and names."""
    apply_movement(mill_id=mill.id, stock_type="RICE", change=100_000, reason="test stock")
    for n in range(25):  # more than one page of 20
        p = purchases.create_purchase(
            mill=mill, data={"farmer_name": f"Farmer ‘{n}’ ಕನ್ನಡ", "gross_weight_kg": 1000 + n, "moisture_percent": 18,
                             "rate_per_quintal": 2200.55, "village": "Kollur" if n % 2 else "Hosur"}, actor=admin,
        )  # fmt: skip
        s = sales.create_sale(
            mill=mill, data={"buyer_name": f"Buyer {n % 3}", "stock_type": "RICE", "quantity_kg": 10 + n,
                             "rate_per_quintal": 4000}, actor=admin,
        )  # fmt: skip
        finance.create_payment(mill=mill, data={"direction": "MADE", "amount": 100, "mode": "CASH",
                                                "purchase_id": p.id}, actor=admin)  # fmt: skip
        finance.create_payment(mill=mill, data={"direction": "RECEIVED", "amount": 10, "mode": "UPI",
                                                "sale_id": s.id}, actor=admin)  # fmt: skip
        if n < 3:
            for direction in (Direction.IN, Direction.OUT):
                inventory.create_goods_movement(
                    mill=mill, direction=direction,
                    data={"stock_type": "BRAN", "quantity_kg": 5 + n, "party_name": f"Trader {n}"}, actor=admin,
                )  # fmt: skip
            staff.create_staff(mill=mill, data={"name": f"Worker {n}", "daily_wage": 650}, actor=admin)


@pytest.fixture(scope="module")
def seeded(app):
    """The mill, its users and its documents made once for the module, in a transaction rolled back
    after it; each test runs in a savepoint of it (conftest's `_db_transaction` is overridden below)."""

    def seed():
        mill = make_mill("Export Mill")
        users = {role: make_user(role, mill) for role in Role}
        _seed_documents(mill, users[Role.MILL_ADMIN])
        db.session.commit()
        return mill, {role: auth_header(user) for role, user in users.items()}

    with seeded_once(app, seed) as (connection, (mill, headers)):
        yield connection, mill, headers


@pytest.fixture
def _db_transaction(seeded):
    with rolled_back(seeded[0].begin_nested(), seeded[0]):
        yield


@pytest.fixture
def mill(seeded):
    return db.session.merge(seeded[1], load=False)


@pytest.fixture
def headers(seeded):
    return seeded[2]


def all_json(client, url, headers):
    rows, page = [], 1
    while True:
        sep = "&" if "?" in url else "?"
        body = client.get(f"{url}{sep}page={page}&perPage=100", headers=headers).get_json()
        rows += body["data"]
        if len(rows) >= body["meta"]["total"]:
            return rows
        page += 1


def cell(value):
    """A JSON value as the CSV writes it (a person as their name)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return value["name"]
    return str(value)


def xlsx_cell(value):
    """A JSON value as read back from the XLSX: numbers as numbers, a date as a date (openpyxl
    reads an Excel date as midnight of that day), a person as their name."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, dict):
        return value["name"]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.parametrize(
    ("name", "query"),
    [(name, "") for name in LISTS] + [("paddy-purchases", "?village=kollur&farmerName=farmer")],
)
def test_list_exports_equal_the_json_rows(client, mill, headers, name, query):
    import openpyxl

    url = f"/api/v1/mills/{mill.id}/{name}{query}"
    json_rows = all_json(client, url, headers[Role.OPERATOR])
    assert len(json_rows) > (20 if name in ("paddy-purchases", "sales", "payments", "receipts") else 0) or query
    sep = "&" if "?" in url else "?"

    response = client.get(f"{url}{sep}format=csv", headers=headers[Role.OPERATOR])
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8")
    assert text.startswith(BOM)
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == len(json_rows)
    keys = [c.key for c in schema_columns(LISTS[name]())]
    assert sorted(keys) == sorted(json_rows[0])
    assert len(header) == len(keys) and all(h[:1].isupper() for h in header)
    for got, want in zip(rows, json_rows, strict=True):
        for value, key in zip(got, keys, strict=True):
            expected = want[key]
            if isinstance(expected, float):
                assert float(value) == expected, key
            else:
                assert value == cell(expected), key

    response = client.get(f"{url}{sep}format=xlsx", headers=headers[Role.OPERATOR])
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True).active
    header_x, *rows_x = list(sheet.iter_rows(values_only=True))
    assert list(header_x) == header and len(rows_x) == len(json_rows)
    for got, want in zip(rows_x, json_rows, strict=True):
        assert [xlsx_cell(v) for v in got] == [xlsx_cell(want[k]) for k in keys]


def test_unknown_format_is_422(client, mill, headers):
    response = client.get(f"/api/v1/mills/{mill.id}/sales?format=pdf", headers=headers[Role.OPERATOR])
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "format"


def test_stock_ledger_export_has_every_entry(client, mill, headers):
    url = f"/api/v1/mills/{mill.id}/stock/RICE"
    body = client.get(f"{url}?perPage=100", headers=headers[Role.OPERATOR]).get_json()
    entries = body["data"]["ledger"]
    assert body["meta"]["total"] == len(entries) > 20
    text = client.get(f"{url}?format=csv", headers=headers[Role.OPERATOR]).get_data().decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    keys = [c.key for c in schema_columns(LedgerEntrySchema())]
    assert len(header) == len(keys) and len(rows) == len(entries)
    for got, want in zip(rows, entries, strict=True):
        assert [float(v) if isinstance(want[k], float) else v for v, k in zip(got, keys, strict=True)] == [
            want[k] if isinstance(want[k], float) else cell(want[k]) for k in keys
        ]


def test_plain_lists_stream_columns_not_objects():
    """The purchase and sale lists are exported from their columns (no ORM object, no schema dump
    per row); a list with a computed field (the receipt's amount in words) keeps the schema's dump."""
    import sqlalchemy as sa

    from ricemill.common.export import _plain_columns
    from ricemill.finance.models import Payment
    from ricemill.purchases.models import PaddyPurchase
    from ricemill.sales.models import Sale

    assert len(_plain_columns(sa.select(PaddyPurchase), PurchaseSchema())) == len(PurchaseSchema().dump_fields)
    assert _plain_columns(sa.select(Sale), SaleSchema()) is not None  # invoiceNumber in SQL
    assert _plain_columns(sa.select(Payment), ReceiptSchema()) is None


def test_export_reads_the_cursor_in_batches_after_the_view(client, mill, headers, monkeypatch):
    """Fetched a few rows at a time, the cursor is read while the answer streams (after the view's
    transaction has ended): every row arrives, in the list's order."""
    from ricemill.common import export

    monkeypatch.setattr(export, "BATCH_ROWS", 4)
    url = f"/api/v1/mills/{mill.id}/paddy-purchases"
    json_rows = all_json(client, url, headers[Role.OPERATOR])
    for fmt in ("csv", "xlsx"):
        response = client.get(f"{url}?format={fmt}", headers=headers[Role.OPERATOR])
        assert response.status_code == 200
        if fmt == "csv":
            _header, *rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8")[1:])))
            assert [r[0] for r in rows] == [r["id"] for r in json_rows]
        else:
            import openpyxl

            sheet = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True).active
            rows = list(sheet.iter_rows(values_only=True))[1:]
            assert [r[0] for r in rows] == [r["id"] for r in json_rows]
            date_col = [c.key for c in schema_columns(PurchaseSchema())].index("purchaseDate")
            assert all(isinstance(r[date_col], datetime) for r in rows)  # a date in Excel, not text
