from datetime import date
from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.finance.money import amount_for as sale_amount
from ricemill.inventory.stock import apply_movement
from ricemill.sales.models import Sale
from tests.factories import make_mill, make_user
from tests.purchases import records
from tests.sales.authz import make_sale


def url(mill, sale_id=None):
    base = f"/api/v1/mills/{mill.id}/sales"
    return f"{base}/{sale_id}" if sale_id else base


def body(**overrides):
    data = {
        "buyerName": "Venkat Traders",
        "buyerPhone": "9848022338",
        "stockType": "RICE",
        "quantityKg": 2500,
        "bags": 50,
        "ratePerQuintal": 3850,
        "saleDate": "2026-11-20",
        "vehicleNumber": "AP09 X 4321",
    }
    data.update(overrides)
    return data


def add_stock(mill, stock_type="RICE", kg=5000):
    apply_movement(mill_id=mill.id, stock_type=stock_type, change=kg, reason="test stock")
    db.session.commit()


@pytest.mark.parametrize(
    ("kg", "rate", "expected"),
    [
        (2500, 3850, "96250.00"),  # 25 quintals × 3850
        (Decimal("123.456"), Decimal("4321.5"), "5335.15"),  # 1.23456 × 4321.5 = 5335.15104
        (Decimal("0.5"), 1, "0.01"),  # 0.005 rounds half up
    ],
)
def test_sale_amount_hand_worked(kg, rate, expected):
    assert sale_amount(kg, rate) == Decimal(expected)


def test_create_takes_stock_and_numbers_the_invoice(client, mill, users, headers):
    add_stock(mill)
    response = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["amount"] == 96250
    assert data["invoiceNo"] == 1
    assert data["paidAmount"] == 0 and data["paymentStatus"] == "PENDING"
    assert records.stock(mill.id, "RICE") == Decimal("2500.000")
    assert records.ledger_sum(mill.id, "RICE") == records.stock(mill.id, "RICE")
    entry = records.ledger(mill.id, "RICE")[-1]
    assert (entry.change, entry.ref_type, str(entry.ref_id)) == (Decimal("-2500.000"), "sale", data["id"])

    second = client.post(url(mill), json=body(quantityKg=100), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert second["invoiceNo"] == 2


def test_invoice_numbers_are_per_mill(client, mill, headers):
    other = make_mill()
    add_stock(mill)
    add_stock(other)
    make_sale(other, make_user(Role.MILL_ADMIN, other), stock=False)
    make_sale(other, make_user(Role.MILL_ADMIN, other), stock=False)
    db.session.commit()
    response = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR])
    assert response.get_json()["data"]["invoiceNo"] == 1


def test_sale_beyond_stock_is_409_writes_nothing_and_consumes_no_invoice_number(client, mill, headers):
    add_stock(mill, kg=1000)
    client.post(url(mill), json=body(quantityKg=400), headers=headers[Role.OPERATOR])
    before = records.counts(Sale, mills=[mill])
    seq = records.last_seq(mill.id)

    response = client.post(url(mill), json=body(quantityKg=600.001), headers=headers[Role.OPERATOR])
    assert response.status_code == 409
    envelope = response.get_json()
    assert envelope["success"] is False and envelope["message"].startswith("Not enough Rice in stock")
    assert records.counts(Sale, mills=[mill]) == before  # no sale, no ledger row, no event
    assert records.last_seq(mill.id) == seq
    assert records.stock(mill.id, "RICE") == Decimal("600.000")

    again = client.post(url(mill), json=body(quantityKg=600), headers=headers[Role.OPERATOR])
    assert again.status_code == 201
    assert again.get_json()["data"]["invoiceNo"] == 2
    assert records.stock(mill.id, "RICE") == 0


def test_selling_a_stock_type_the_mill_has_none_of_is_409(client, mill, headers):
    response = client.post(url(mill), json=body(stockType="BRAN", quantityKg=1), headers=headers[Role.OPERATOR])
    assert response.status_code == 409
    assert "Not enough Bran in stock" in response.get_json()["message"]


def test_update_quantity_moves_the_difference(client, mill, users, headers):
    add_stock(mill, kg=1000)
    sale = make_sale(mill, users[Role.MILL_ADMIN], stock=False)  # 100 kg
    db.session.commit()
    response = client.patch(url(mill, sale.id), json={"quantityKg": 250}, headers=headers[Role.MANAGER])
    assert response.status_code == 200, response.get_json()
    data = response.get_json()["data"]
    assert data["amount"] == 10000 and data["invoiceNo"] == 1
    assert records.stock(mill.id, "RICE") == Decimal("750.000")
    client.patch(url(mill, sale.id), json={"quantityKg": 50}, headers=headers[Role.MANAGER])
    assert records.stock(mill.id, "RICE") == Decimal("950.000")
    changes = [e.change for e in records.ledger(mill.id, "RICE")]
    assert changes == [Decimal("1000.000"), Decimal("-100.000"), Decimal("-150.000"), Decimal("200.000")]
    assert records.ledger_sum(mill.id, "RICE") == records.stock(mill.id, "RICE")


def test_update_stock_type_returns_the_old_goods_and_takes_the_new(client, mill, users, headers):
    add_stock(mill, "RICE", 1000)
    add_stock(mill, "BROKEN_RICE", 300)
    sale = make_sale(mill, users[Role.MILL_ADMIN], stock=False)
    db.session.commit()
    response = client.patch(
        url(mill, sale.id), json={"stockType": "BROKEN_RICE", "quantityKg": 200}, headers=headers[Role.MANAGER]
    )
    assert response.status_code == 200, response.get_json()
    assert records.stock(mill.id, "RICE") == Decimal("1000.000")
    assert records.stock(mill.id, "BROKEN_RICE") == Decimal("100.000")
    for stock_type in ("RICE", "BROKEN_RICE"):
        assert records.ledger_sum(mill.id, stock_type) == records.stock(mill.id, stock_type)
    moved = [(e.stock_type, e.change, e.reason) for e in records.ledger(mill.id, "RICE")[-1:]]
    moved += [(e.stock_type, e.change, e.reason) for e in records.ledger(mill.id, "BROKEN_RICE")[-1:]]
    assert moved == [("RICE", Decimal("100.000"), "sale updated"), ("BROKEN_RICE", Decimal("-200.000"), "sale updated")]

    # to a stock type there is not enough of: 409, and the sale and both stocks stay as they were
    before = records.counts(Sale, mills=[mill])
    response = client.patch(url(mill, sale.id), json={"stockType": "BRAN"}, headers=headers[Role.MANAGER])
    assert response.status_code == 409
    assert "Not enough Bran" in response.get_json()["message"]
    assert records.counts(Sale, mills=[mill]) == before
    assert records.stock(mill.id, "BROKEN_RICE") == Decimal("100.000")


def test_update_beyond_stock_is_409_and_changes_nothing(client, mill, users, headers):
    add_stock(mill, kg=150)
    sale = make_sale(mill, users[Role.MILL_ADMIN], stock=False)
    db.session.commit()
    before = records.counts(Sale, mills=[mill])
    response = client.patch(url(mill, sale.id), json={"quantityKg": 151}, headers=headers[Role.MANAGER])
    assert response.status_code == 409
    assert records.counts(Sale, mills=[mill]) == before
    db.session.expire_all()
    assert db.session.get(Sale, sale.id).quantity_kg == Decimal("100.000")
    assert records.stock(mill.id, "RICE") == Decimal("50.000")


def test_delete_puts_the_goods_back(client, mill, users, headers):
    sale = make_sale(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    seq = records.last_seq(mill.id)
    response = client.delete(url(mill, sale.id), headers=headers[Role.MILL_ADMIN])
    assert response.status_code == 200
    assert records.stock(mill.id, "RICE") == Decimal("100.000") == records.ledger_sum(mill.id, "RICE")
    assert db.session.get(Sale, sale.id) is None
    rows = records.events(mill.id, seq)
    admin = users[Role.MILL_ADMIN]
    assert [r.name for r in rows] == ["stock:updated", "sale:deleted"]
    assert rows[1].payload == {
        "saleId": str(sale.id),
        "deletedBy": admin.actor,
        "millId": str(mill.id),
        "seq": rows[1].seq,
    }
    assert rows[1].summary == f"{admin.name} deleted invoice 1 to Venkat Traders"


def test_create_and_update_record_their_events(client, mill, users, headers):
    add_stock(mill)
    seq = records.last_seq(mill.id)
    data = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR]).get_json()["data"]
    rows = records.events(mill.id, seq)
    operator = users[Role.OPERATOR]
    assert [r.name for r in rows] == ["stock:updated", "sale:created"]
    assert rows[1].payload == {"sale": data, "createdBy": operator.actor, "millId": str(mill.id), "seq": rows[1].seq}
    sold = "sold 2,500 kg (25 q) of Rice to Venkat Traders for ₹96,250.00 (invoice 1)"
    assert rows[1].summary == f"{operator.name} {sold}"
    assert (rows[1].entity_type, rows[1].entity_id) == ("sale", data["id"])

    seq = rows[-1].seq
    updated = client.patch(url(mill, data["id"]), json={"ratePerQuintal": 4000}, headers=headers[Role.MANAGER])
    rows = records.events(mill.id, seq)
    manager = users[Role.MANAGER]
    assert [r.name for r in rows] == ["sale:updated"]
    assert rows[0].payload == {
        "sale": updated.get_json()["data"],
        "updatedBy": manager.actor,
        "millId": str(mill.id),
        "seq": rows[0].seq,
    }
    assert rows[0].summary


BAD_CREATE_BODIES = [
    ({"buyerName": ""}, "buyerName"),
    ({"buyerName": "   "}, "buyerName"),
    ({"buyerName": "b" * 121}, "buyerName"),
    ({"stockType": "GOLD"}, "stockType"),
    ({"stockType": None}, "stockType"),
    ({"quantityKg": 0}, "quantityKg"),
    ({"quantityKg": -10}, "quantityKg"),
    ({"quantityKg": "10"}, "quantityKg"),
    ({"quantityKg": 1e15}, "quantityKg"),
    ({"ratePerQuintal": -1}, "ratePerQuintal"),
    ({"ratePerQuintal": 1e9}, "ratePerQuintal"),
    ({"bags": -3}, "bags"),
    ({"buyerPhone": "12"}, "buyerPhone"),
    ({"saleDate": "1999-12-31"}, "saleDate"),
    ({"saleDate": "3000-01-01"}, "saleDate"),
    ({"invoiceNo": 7}, "invoiceNo"),
    ({"amount": 1}, "amount"),
    ({"millId": "00000000-0000-0000-0000-000000000000"}, "millId"),
    ({"paidAmount": 1}, "paidAmount"),
    ({"discount": 5}, "discount"),
]


@pytest.mark.parametrize(("change", "field"), BAD_CREATE_BODIES)
def test_bad_create_bodies_are_422_and_write_nothing(client, mill, headers, change, field):
    add_stock(mill)
    before = records.counts(Sale, mills=[mill])
    response = client.post(url(mill), json=body(**change), headers=headers[Role.OPERATOR])
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(Sale, mills=[mill]) == before


@pytest.mark.parametrize("missing", ["buyerName", "stockType", "quantityKg", "ratePerQuintal"])
def test_missing_required_fields_are_422(client, mill, headers, missing):
    add_stock(mill)
    data = body()
    del data[missing]
    before = records.counts(Sale, mills=[mill])
    response = client.post(url(mill), json=data, headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    assert missing in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(Sale, mills=[mill]) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({}, "_schema"),
        ({"quantityKg": 0}, "quantityKg"),
        ({"stockType": "SAND"}, "stockType"),
        ({"invoiceNo": 99}, "invoiceNo"),
        ({"amount": 1}, "amount"),
        ({"buyerName": None}, "buyerName"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_update_bodies_are_422_and_write_nothing(client, mill, users, headers, change, field):
    sale = make_sale(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    before = records.counts(Sale, mills=[mill])
    response = client.patch(url(mill, sale.id), json=change, headers=headers[Role.MANAGER])
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(Sale, mills=[mill]) == before


def test_another_mills_sale_is_404_through_my_mills_url(client, mill, other_mill, headers):
    theirs = make_sale(other_mill, make_user(Role.MILL_ADMIN, other_mill))
    db.session.commit()
    before = records.counts(Sale, mills=[mill, other_mill])
    for method in ("GET", "PATCH", "DELETE"):
        response = client.open(url(mill, theirs.id), method=method, json={"bags": 1}, headers=headers[Role.SUPER_ADMIN])
        assert response.status_code == 404, method
        assert response.get_json()["message"] == "Sale not found"
    assert records.counts(Sale, mills=[mill, other_mill]) == before


def test_list_filters_pages_and_orders_newest_first(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    make_sale(mill, admin, buyer_name="Venkat Traders", sale_date=date(2026, 11, 1))
    make_sale(mill, admin, buyer_name="Lakshmi Stores", stock_type="BRAN", sale_date=date(2026, 11, 3))
    make_sale(mill, admin, buyer_name="venkateswara agencies", sale_date=date(2026, 11, 2))
    db.session.commit()

    def invoices(**query):
        response = client.get(url(mill), query_string=query, headers=headers[Role.OPERATOR])
        assert response.status_code == 200, response.get_json()
        return [s["invoiceNo"] for s in response.get_json()["data"]]

    assert invoices() == [2, 3, 1]
    assert invoices(buyerName="VENKAT") == [3, 1]
    assert invoices(stockType="BRAN") == [2]
    assert invoices(dateFrom="2026-11-02") == [2, 3]
    assert invoices(dateTo="2026-11-01") == [1]
    assert invoices(paymentStatus="PENDING") == [2, 3, 1]
    assert invoices(paymentStatus="PAID") == []
    assert invoices(perPage=1, page=3) == [1]
    bad = client.get(url(mill), query_string={"stockType": "GOLD"}, headers=headers[Role.OPERATOR])
    assert bad.status_code == 422
