from datetime import date
from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.finance.models import Payment, Receipt
from ricemill.finance.money import payment_status_for
from ricemill.purchases.models import PaddyPurchase
from ricemill.sales.models import Sale
from tests.factories import make_user
from tests.finance.authz import make_payment, receipt_of
from tests.purchases import records
from tests.purchases.authz import make_purchase
from tests.sales.authz import make_sale

TABLES = (Payment, Receipt, PaddyPurchase, Sale)


def payments_url(mill, payment_id=None):
    base = f"/api/v1/mills/{mill.id}/payments"
    return f"{base}/{payment_id}" if payment_id else base


def receipts_url(mill, receipt_id=None):
    base = f"/api/v1/mills/{mill.id}/receipts"
    return f"{base}/{receipt_id}" if receipt_id else base


@pytest.fixture
def purchase(mill, users):
    """1,000 kg at standard moisture, 2,200/quintal: amount 22,000.00."""
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    return purchase


@pytest.fixture
def sale(mill, users):
    """100 kg of RICE at 4,000/quintal: amount 4,000.00."""
    sale = make_sale(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    return sale


def pay(client, mill, headers, **body):
    return client.post(payments_url(mill), json=body, headers=headers[Role.MANAGER])


@pytest.mark.parametrize(
    ("amount", "paid", "expected"),
    [(100, 0, "PENDING"), (100, Decimal("0.01"), "PARTIAL"), (100, Decimal("99.99"), "PARTIAL"), (100, 100, "PAID")],
)
def test_payment_status_for(amount, paid, expected):
    assert payment_status_for(amount=Decimal(amount), paid=Decimal(paid)) == expected


def test_payments_take_a_purchase_from_pending_to_partial_to_paid(client, mill, users, headers, purchase):
    assert purchase.payment_status == "PENDING"
    response = pay(client, mill, headers, direction="MADE", amount=5000, mode="CASH", purchaseId=str(purchase.id))
    assert response.status_code == 201, response.get_json()
    payment = response.get_json()["data"]
    assert payment["partyName"] == "Suresh"  # the farmer, by default
    assert payment["purchaseId"] == str(purchase.id) and payment["saleId"] is None
    got = client.get(f"/api/v1/mills/{mill.id}/paddy-purchases/{purchase.id}", headers=headers[Role.OPERATOR])
    assert (got.get_json()["data"]["paidAmount"], got.get_json()["data"]["paymentStatus"]) == (5000, "PARTIAL")

    response = pay(client, mill, headers, direction="MADE", amount=17000, mode="BANK", purchaseId=str(purchase.id))
    assert response.status_code == 201
    got = client.get(f"/api/v1/mills/{mill.id}/paddy-purchases/{purchase.id}", headers=headers[Role.OPERATOR])
    assert (got.get_json()["data"]["paidAmount"], got.get_json()["data"]["paymentStatus"]) == (22000, "PAID")
    assert records.counts(Receipt, mills=[mill])["receipts"] == 0  # money paid out gets no receipt


def test_a_payment_made_records_payment_made_and_purchase_updated(client, mill, users, headers, purchase):
    seq = records.last_seq(mill.id)
    response = pay(client, mill, headers, direction="MADE", amount=2000.5, mode="UPI", purchaseId=str(purchase.id))
    payment = response.get_json()["data"]
    manager = users[Role.MANAGER]
    rows = records.events(mill.id, seq)
    assert [r.name for r in rows] == ["payment:made", "purchase:updated"]
    assert rows[0].payload == {"payment": payment, "madeBy": manager.actor, "millId": str(mill.id), "seq": rows[0].seq}
    assert rows[0].summary == f"{manager.name} paid ₹2,000.50 to Suresh (UPI)"
    assert (rows[0].entity_type, rows[0].entity_id) == ("payment", payment["id"])
    purchase_now = client.get(f"/api/v1/mills/{mill.id}/paddy-purchases/{purchase.id}", headers=headers[Role.OPERATOR])
    assert rows[1].payload == {
        "purchase": purchase_now.get_json()["data"],
        "updatedBy": manager.actor,
        "millId": str(mill.id),
        "seq": rows[1].seq,
    }
    assert rows[1].payload["purchase"]["paymentStatus"] == "PARTIAL"
    assert rows[1].summary == "Purchase from Suresh is partial: ₹2,000.50 of ₹22,000.00 paid"


def test_a_payment_received_for_a_sale_issues_the_next_receipt(client, mill, users, headers, sale):
    make_payment(mill, users[Role.MILL_ADMIN])  # receipt 1, not linked
    db.session.commit()
    seq = records.last_seq(mill.id)
    response = pay(client, mill, headers, direction="RECEIVED", amount=4000, mode="CHEQUE", saleId=str(sale.id))
    assert response.status_code == 201, response.get_json()
    payment = response.get_json()["data"]
    receipt = receipt_of(db.session.get(Payment, payment["id"]))
    assert receipt.receipt_no == 2
    assert (receipt.party_name, receipt.amount) == ("Venkat Traders", Decimal("4000.00"))
    assert receipt.receipt_date == date.fromisoformat(payment["paymentDate"])

    manager = users[Role.MANAGER]
    rows = records.events(mill.id, seq)
    assert [r.name for r in rows] == ["payment:received", "receipt:created", "sale:updated"]
    assert rows[0].payload == {
        "payment": payment,
        "receivedBy": manager.actor,
        "millId": str(mill.id),
        "seq": rows[0].seq,
    }
    got_receipt = client.get(receipts_url(mill, receipt.id), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert got_receipt["receiptNo"] == 2 and got_receipt["paymentId"] == payment["id"]
    assert rows[1].payload == {
        "receipt": got_receipt,
        "createdBy": manager.actor,
        "millId": str(mill.id),
        "seq": rows[1].seq,
    }
    assert rows[1].summary == f"{manager.name} issued receipt 2 to Venkat Traders for ₹4,000.00"
    assert rows[2].payload["sale"]["paymentStatus"] == "PAID"
    assert rows[2].payload["sale"]["paidAmount"] == 4000
    assert all(r.summary and r.seq for r in rows)


def test_overpaying_is_409_and_writes_nothing(client, mill, headers, sale):
    assert pay(client, mill, headers, direction="RECEIVED", amount=3000, mode="CASH", saleId=str(sale.id)).status_code
    before = records.counts(*TABLES, mills=[mill])
    response = pay(client, mill, headers, direction="RECEIVED", amount=1000.01, mode="CASH", saleId=str(sale.id))
    assert response.status_code == 409
    assert "more than the balance of ₹1,000.00" in response.get_json()["message"]
    assert records.counts(*TABLES, mills=[mill]) == before  # no payment, no receipt, no event
    db.session.expire_all()
    assert db.session.get(Sale, sale.id).paid_amount == Decimal("3000.00")
    # the receipt number was not consumed
    ok = pay(client, mill, headers, direction="RECEIVED", amount=1000, mode="CASH", saleId=str(sale.id))
    assert receipt_of(db.session.get(Payment, ok.get_json()["data"]["id"])).receipt_no == 2


def test_paying_a_paid_purchase_is_409(client, mill, headers, purchase):
    pay(client, mill, headers, direction="MADE", amount=22000, mode="CASH", purchaseId=str(purchase.id))
    response = pay(client, mill, headers, direction="MADE", amount=1, mode="CASH", purchaseId=str(purchase.id))
    assert response.status_code == 409


def test_a_payment_for_another_mills_document_is_404_and_writes_nothing(client, mill, other_mill, headers):
    admin_b = make_user(Role.MILL_ADMIN, other_mill)
    their_purchase, their_sale = make_purchase(other_mill, admin_b), make_sale(other_mill, admin_b)
    db.session.commit()
    before = records.counts(*TABLES, mills=[mill, other_mill])
    response = pay(client, mill, headers, direction="MADE", amount=10, mode="CASH", purchaseId=str(their_purchase.id))
    assert response.status_code == 404
    assert response.get_json()["message"] == "Purchase not found"
    response = pay(client, mill, headers, direction="RECEIVED", amount=10, mode="CASH", saleId=str(their_sale.id))
    assert response.status_code == 404
    assert response.get_json()["message"] == "Sale not found"
    assert records.counts(*TABLES, mills=[mill, other_mill]) == before
    db.session.expire_all()
    assert db.session.get(PaddyPurchase, their_purchase.id).paid_amount == 0


def test_a_payment_without_a_document_needs_a_party(client, mill, users, headers):
    before = records.counts(*TABLES, mills=[mill])
    response = pay(client, mill, headers, direction="MADE", amount=10, mode="CASH")
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["partyName"]
    assert records.counts(*TABLES, mills=[mill]) == before
    response = pay(client, mill, headers, direction="MADE", amount=1500, mode="CASH", partyName="Hamali workers")
    assert response.status_code == 201
    rows = records.events(mill.id)
    assert [r.name for r in rows] == ["payment:made"]  # no document: nothing else


BAD_BODIES = [
    ({"purchaseId": "P", "direction": "RECEIVED"}, "purchaseId"),
    ({"saleId": "S", "direction": "MADE"}, "saleId"),
    ({"purchaseId": "P", "saleId": "S", "direction": "MADE"}, "saleId"),
    ({"direction": "SIDEWAYS"}, "direction"),
    ({"direction": None}, "direction"),
    ({"mode": "BITCOIN"}, "mode"),
    ({"amount": 0}, "amount"),
    ({"amount": -100}, "amount"),
    ({"amount": "100"}, "amount"),
    ({"amount": 1e12}, "amount"),
    ({"partyName": "p" * 121}, "partyName"),
    ({"partyName": " "}, "partyName"),
    ({"reference": "r" * 81}, "reference"),
    ({"notes": "n" * 501}, "notes"),
    ({"paymentDate": "1947-08-15"}, "paymentDate"),
    ({"purchaseId": "not-a-uuid"}, "purchaseId"),
    ({"millId": "00000000-0000-0000-0000-000000000000"}, "millId"),
    ({"receiptNo": 1}, "receiptNo"),
    ({"id": "00000000-0000-0000-0000-000000000000"}, "id"),
    ({"tip": 5}, "tip"),
]


@pytest.mark.parametrize(("change", "field"), BAD_BODIES)
def test_bad_payment_bodies_are_422_and_write_nothing(client, mill, headers, purchase, sale, change, field):
    data = {"direction": "MADE", "amount": 100, "mode": "CASH", "partyName": "Suresh"}
    data.update(change)
    for key, placeholder in (("purchaseId", "P"), ("saleId", "S")):
        if data.get(key) == placeholder:
            data[key] = str(purchase.id if key == "purchaseId" else sale.id)
    before = records.counts(*TABLES, mills=[mill])
    response = client.post(payments_url(mill), json=data, headers=headers[Role.MANAGER])
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(*TABLES, mills=[mill]) == before


@pytest.mark.parametrize("missing", ["direction", "amount", "mode"])
def test_missing_required_payment_fields_are_422(client, mill, headers, missing):
    data = {"direction": "MADE", "amount": 100, "mode": "CASH", "partyName": "Suresh"}
    del data[missing]
    before = records.counts(*TABLES, mills=[mill])
    response = client.post(payments_url(mill), json=data, headers=headers[Role.MANAGER])
    assert response.status_code == 422
    assert missing in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(*TABLES, mills=[mill]) == before


def test_a_purchase_or_sale_with_payments_cannot_be_deleted(client, mill, headers, purchase, sale):
    pay(client, mill, headers, direction="MADE", amount=100, mode="CASH", purchaseId=str(purchase.id))
    pay(client, mill, headers, direction="RECEIVED", amount=100, mode="CASH", saleId=str(sale.id))
    before = records.counts(*TABLES, mills=[mill])
    for path in (f"paddy-purchases/{purchase.id}", f"sales/{sale.id}"):
        response = client.delete(f"/api/v1/mills/{mill.id}/{path}", headers=headers[Role.MILL_ADMIN])
        assert response.status_code == 409
        assert "has payments" in response.get_json()["message"]
    assert records.counts(*TABLES, mills=[mill]) == before


def test_an_update_may_not_bring_the_amount_below_what_is_paid(client, mill, headers, purchase, sale):
    pay(client, mill, headers, direction="MADE", amount=11000, mode="CASH", purchaseId=str(purchase.id))
    pay(client, mill, headers, direction="RECEIVED", amount=4000, mode="CASH", saleId=str(sale.id))
    before = records.counts(*TABLES, mills=[mill])
    response = client.patch(
        f"/api/v1/mills/{mill.id}/paddy-purchases/{purchase.id}",
        json={"ratePerQuintal": 1099.99},  # 10 quintals: 10,999.90 < 11,000 paid
        headers=headers[Role.MANAGER],
    )
    assert response.status_code == 409
    response = client.patch(
        f"/api/v1/mills/{mill.id}/sales/{sale.id}", json={"quantityKg": 99}, headers=headers[Role.MANAGER]
    )
    assert response.status_code == 409
    assert records.counts(*TABLES, mills=[mill]) == before

    # raising the amount of a PAID sale makes it PARTIAL again; exactly the paid amount keeps PAID
    response = client.patch(
        f"/api/v1/mills/{mill.id}/sales/{sale.id}", json={"ratePerQuintal": 4100}, headers=headers[Role.MANAGER]
    )
    assert response.get_json()["data"]["paymentStatus"] == "PARTIAL"
    response = client.patch(
        f"/api/v1/mills/{mill.id}/paddy-purchases/{purchase.id}",
        json={"ratePerQuintal": 1100},
        headers=headers[Role.MANAGER],
    )
    assert response.get_json()["data"]["paymentStatus"] == "PAID"


def test_lists_filter_and_get_one(client, mill, users, headers, purchase, sale):
    admin = users[Role.MILL_ADMIN]
    made = make_payment(mill, admin, direction="MADE", amount=100, mode="BANK", purchase_id=purchase.id, party_name="")
    received = make_payment(mill, admin, amount=200, sale_id=sale.id, party_name=None, payment_date=date(2026, 11, 1))
    walk_in = make_payment(mill, admin, amount=300, mode="UPI")
    db.session.commit()

    def ids(url, **query):
        response = client.get(url, query_string=query, headers=headers[Role.OPERATOR])
        assert response.status_code == 200, response.get_json()
        return [p["id"] for p in response.get_json()["data"]]

    listed = ids(payments_url(mill))
    assert set(listed) == {str(made.id), str(received.id), str(walk_in.id)} and listed[-1] == str(received.id)
    assert ids(payments_url(mill), direction="MADE") == [str(made.id)]
    assert ids(payments_url(mill), mode="UPI") == [str(walk_in.id)]
    assert ids(payments_url(mill), purchaseId=str(purchase.id)) == [str(made.id)]
    assert ids(payments_url(mill), saleId=str(sale.id)) == [str(received.id)]
    assert ids(payments_url(mill), dateTo="2026-11-01") == [str(received.id)]
    assert (
        client.get(payments_url(mill), query_string={"mode": "GOLD"}, headers=headers[Role.OPERATOR]).status_code == 422
    )

    receipts = client.get(receipts_url(mill), headers=headers[Role.OPERATOR]).get_json()
    assert [r["receiptNo"] for r in receipts["data"]] == [2, 1] and receipts["meta"]["total"] == 2
    assert ids(receipts_url(mill), partyName="venkat") == [str(receipt_of(received).id)]
    assert ids(receipts_url(mill), paymentId=str(walk_in.id)) == [str(receipt_of(walk_in).id)]

    one = client.get(payments_url(mill, made.id), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert (one["partyName"], one["amount"], one["direction"], one["mode"]) == ("Suresh", 100, "MADE", "BANK")


def test_another_mills_payment_and_receipt_are_404(client, mill, other_mill, headers):
    theirs = make_payment(other_mill, make_user(Role.MILL_ADMIN, other_mill))
    db.session.commit()
    assert client.get(payments_url(mill, theirs.id), headers=headers[Role.SUPER_ADMIN]).status_code == 404
    response = client.get(receipts_url(mill, receipt_of(theirs).id), headers=headers[Role.SUPER_ADMIN])
    assert response.status_code == 404
    assert response.get_json()["message"] == "Receipt not found"


def test_operators_may_not_record_payments(client, mill, headers):
    before = records.counts(*TABLES, mills=[mill])
    response = client.post(
        payments_url(mill),
        json={"direction": "MADE", "amount": 1, "mode": "CASH", "partyName": "x"},
        headers=headers[Role.OPERATOR],
    )
    assert response.status_code == 403
    assert records.counts(*TABLES, mills=[mill]) == before


@pytest.mark.parametrize(
    "data",
    [
        {"direction": "RECEIVED", "purchase_id": "P"},
        {"direction": "MADE", "sale_id": "S"},
        {"direction": "MADE", "purchase_id": "P", "sale_id": "S"},
    ],
)
def test_the_service_refuses_a_document_in_the_wrong_direction_too(mill, users, purchase, sale, data):
    from ricemill.common.errors import Invalid
    from ricemill.finance import service

    ids = {"P": purchase.id, "S": sale.id}
    data = {key: ids.get(value, value) for key, value in data.items()}
    with pytest.raises(Invalid):
        service.create_payment(mill=mill, data={"amount": 1, "mode": "CASH", **data}, actor=users[Role.MANAGER])
