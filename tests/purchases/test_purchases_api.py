from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.stock import apply_movement
from ricemill.purchases.models import PaddyPurchase
from ricemill.purchases.service import moisture_deduction_kg
from tests.factories import auth_header, make_mill, make_user
from tests.purchases import records
from tests.purchases.authz import make_purchase


def url(mill, purchase_id=None):
    base = f"/api/v1/mills/{mill.id}/paddy-purchases"
    return f"{base}/{purchase_id}" if purchase_id else base


def body(**overrides):
    data = {
        "farmerName": "Suresh",
        "farmerPhone": "+91 98480 22338",
        "village": "Nidamanur",
        "variety": "BPT 5204",
        "bags": 20,
        "grossWeightKg": 1000,
        "tareWeightKg": 0,
        "moisturePercent": 20,
        "ratePerQuintal": 2000,
        "vehicleNumber": "TS05 AB 1234",
        "weighSlipNo": "WS-101",
        "purchaseDate": "2026-11-20",
    }
    data.update(overrides)
    return data


# --- the arithmetic, hand-worked -------------------------------------------------------------


@pytest.mark.parametrize(
    ("weight", "moisture", "standard", "expected"),
    [
        (1000, 20, 17, "36.145"),  # 1000 × 3 / 83 = 36.1445… → 36.145
        (1000, 17, 17, "0"),  # at the standard: nothing
        (1000, 12, 17, "0"),  # below: nothing
        (1000, 18, 14, "46.512"),  # 1000 × 4 / 86 = 46.5116…
        (Decimal("2500.5"), Decimal("17.5"), 17, "15.063"),  # 2500.5 × 0.5 / 83 = 15.06325… → 15.063
        (166, Decimal("17.5"), 17, "1.000"),  # 166 × 0.5 / 83 = 1 exactly
        (Decimal("0.83"), Decimal("17.05"), 17, "0.001"),  # 0.0005 exactly: half rounds up
    ],
)
def test_moisture_deduction_hand_worked(weight, moisture, standard, expected):
    assert moisture_deduction_kg(weight, moisture, standard) == Decimal(expected)


def test_create_computes_deduction_net_and_amount(client, mill, headers):
    response = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR])
    assert response.status_code == 201, response.get_json()
    data = response.get_json()["data"]
    assert data["standardMoisturePercent"] == 17
    assert data["moistureDeductionKg"] == 36.145
    assert data["netWeightKg"] == 963.855
    assert data["amount"] == 19277.10  # 963.855 / 100 × 2000
    assert data["paidAmount"] == 0
    assert data["paymentStatus"] == "PENDING"
    assert data["millId"] == str(mill.id)
    row = db.session.get(PaddyPurchase, data["id"])
    assert row.net_weight_kg == Decimal("963.855") and row.amount == Decimal("19277.10")


def test_create_answers_the_stored_row_as_get_reads_it(client, mill, headers):
    """The purchase is inserted without the ORM's flush: its answer (the server's timestamps and
    defaults read back) is exactly what GET then reads from the database."""
    response = client.post(url(mill), json=body(vehicleNumber=None, weighSlipNo=None), headers=headers[Role.OPERATOR])
    assert response.status_code == 201, response.get_json()
    created = response.get_json()["data"]
    assert created["createdAt"] and created["updatedAt"] and created["tareWeightKg"] == 0
    assert created["vehicleNumber"] is None and created["paymentStatus"] == "PENDING"
    db.session.expire_all()
    fetched = client.get(url(mill, created["id"]), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert fetched == created


def test_at_standard_moisture_there_is_no_deduction(client, mill, headers):
    response = client.post(
        url(mill),
        json=body(grossWeightKg=1250.5, tareWeightKg=50.5, moisturePercent=17, ratePerQuintal=2203),
        headers=headers[Role.OPERATOR],
    )
    data = response.get_json()["data"]
    assert data["moistureDeductionKg"] == 0
    assert data["netWeightKg"] == 1200
    assert data["amount"] == 26436.00  # 12 quintals × 2203


def test_mill_with_its_own_standard_moisture(client):
    mill = make_mill(standard_moisture_percent=Decimal("14"))
    user = make_user(Role.OPERATOR, mill)
    response = client.post(
        url(mill),
        json=body(grossWeightKg=1050, tareWeightKg=50, moisturePercent=18, ratePerQuintal=2150),
        headers=auth_header(user),
    )
    data = response.get_json()["data"]
    assert data["standardMoisturePercent"] == 14
    assert data["moistureDeductionKg"] == 46.512  # 1000 × 4 / 86
    assert data["netWeightKg"] == 953.488
    assert data["amount"] == 20499.99  # 953.488 × 21.5 = 20499.992


def test_standard_moisture_is_a_snapshot_of_the_purchase_date(client, mill, headers):
    """Changing the mill's setting later does not change an existing purchase, even when it is edited."""
    created = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR]).get_json()["data"]
    mill.settings = {**mill.settings, "standardMoisturePercent": 14}
    db.session.commit()
    response = client.patch(url(mill, created["id"]), json={"ratePerQuintal": 2100}, headers=headers[Role.MANAGER])
    data = response.get_json()["data"]
    assert data["standardMoisturePercent"] == 17
    assert data["moistureDeductionKg"] == 36.145
    assert data["amount"] == 20240.96  # 963.855 × 21 = 20240.955 → half up


def test_purchase_date_defaults_to_today_in_the_mill(client, mill, headers):
    data = body()
    del data["purchaseDate"]
    response = client.post(url(mill), json=data, headers=headers[Role.OPERATOR])
    assert response.status_code == 201
    assert date.fromisoformat(response.get_json()["data"]["purchaseDate"]) >= date(2026, 1, 1)


# --- stock --------------------------------------------------------------------------------


def test_create_update_delete_move_paddy_and_the_ledger_agrees(client, mill, headers):
    created = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert records.stock(mill.id, "PADDY") == Decimal("963.855")

    # 1100 kg gross: W = 1100, deduction 39.759 → net 1060.241, so +96.386 kg in one movement
    response = client.patch(url(mill, created["id"]), json={"grossWeightKg": 1100}, headers=headers[Role.MANAGER])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["data"]["netWeightKg"] == 1060.241
    assert records.stock(mill.id, "PADDY") == Decimal("1060.241")

    # a change that leaves the net weight alone moves nothing
    client.patch(url(mill, created["id"]), json={"farmerName": "Suresh Kumar"}, headers=headers[Role.MANAGER])

    response = client.delete(url(mill, created["id"]), headers=headers[Role.MILL_ADMIN])
    assert response.status_code == 200
    assert records.stock(mill.id, "PADDY") == 0
    entries = records.ledger(mill.id, "PADDY")
    assert [(e.change, e.reason, e.ref_type, str(e.ref_id)) for e in entries] == [
        (Decimal("963.855"), "Purchase from Suresh", "purchase", created["id"]),
        (Decimal("96.386"), "purchase updated", "purchase", created["id"]),
        (Decimal("-1060.241"), "purchase deleted", "purchase", created["id"]),
    ]
    assert records.ledger_sum(mill.id, "PADDY") == records.stock(mill.id, "PADDY")
    assert db.session.get(PaddyPurchase, created["id"]) is None


def test_lowering_the_net_weight_takes_the_difference_out(client, mill, headers):
    created = client.post(url(mill), json=body(moisturePercent=17), headers=headers[Role.OPERATOR]).get_json()["data"]
    response = client.patch(url(mill, created["id"]), json={"tareWeightKg": 100}, headers=headers[Role.MANAGER])
    assert response.get_json()["data"]["netWeightKg"] == 900
    assert [e.change for e in records.ledger(mill.id, "PADDY")] == [Decimal("1000.000"), Decimal("-100.000")]
    assert records.stock(mill.id, "PADDY") == records.ledger_sum(mill.id, "PADDY") == Decimal("900.000")


def test_deleting_a_purchase_whose_paddy_was_milled_is_409_and_changes_nothing(client, mill, users, headers):
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=-600, reason="milling")
    db.session.commit()
    before = records.counts(PaddyPurchase, mills=[mill])
    response = client.delete(url(mill, purchase.id), headers=headers[Role.MILL_ADMIN])
    assert response.status_code == 409
    assert "Not enough Paddy" in response.get_json()["message"]
    assert records.counts(PaddyPurchase, mills=[mill]) == before
    assert records.stock(mill.id, "PADDY") == Decimal("400.000")


def test_an_update_that_would_need_paddy_no_longer_there_is_409(client, mill, users, headers):
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    apply_movement(mill_id=mill.id, stock_type="PADDY", change=-950, reason="milling")
    db.session.commit()
    before = records.counts(PaddyPurchase, mills=[mill])
    response = client.patch(url(mill, purchase.id), json={"grossWeightKg": 900}, headers=headers[Role.MANAGER])
    assert response.status_code == 409
    assert records.counts(PaddyPurchase, mills=[mill]) == before
    db.session.expire_all()
    assert db.session.get(PaddyPurchase, purchase.id).gross_weight_kg == Decimal("1000.000")


# --- events -------------------------------------------------------------------------------


def test_create_records_purchase_created_with_the_rest_representation(client, mill, users, headers):
    operator = users[Role.OPERATOR]
    response = client.post(url(mill), json=body(), headers=headers[Role.OPERATOR])
    data = response.get_json()["data"]
    rows = records.events(mill.id)
    assert [r.name for r in rows] == ["stock:updated", "purchase:created"]
    event = rows[1]
    assert event.payload == {
        "purchase": data,
        "createdBy": {"id": str(operator.id), "name": operator.name},
        "millId": str(mill.id),
        "seq": event.seq,
    }
    assert event.seq == 2
    assert event.summary == f"{operator.name} recorded a purchase of 963.9 kg (9.6 q) from Suresh for ₹19,277.10"
    assert (event.entity_type, event.entity_id) == ("purchase", data["id"])
    assert (str(event.actor_id), event.actor_name) == (str(operator.id), operator.name)
    assert rows[0].payload["change"] == 963.855


def test_update_records_purchase_updated(client, mill, users, headers):
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    after = records.last_seq(mill.id)
    response = client.patch(url(mill, purchase.id), json={"ratePerQuintal": 2300}, headers=headers[Role.MANAGER])
    data = response.get_json()["data"]
    assert data["amount"] == 23000
    rows = records.events(mill.id, after)
    assert [r.name for r in rows] == ["purchase:updated"]  # net unchanged: no stock movement
    manager = users[Role.MANAGER]
    assert rows[0].payload == {
        "purchase": data,
        "updatedBy": {"id": str(manager.id), "name": manager.name},
        "millId": str(mill.id),
        "seq": rows[0].seq,
    }
    assert rows[0].summary and rows[0].entity_id == str(purchase.id)


def test_delete_records_purchase_deleted(client, mill, users, headers):
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    after = records.last_seq(mill.id)
    client.delete(url(mill, purchase.id), headers=headers[Role.MILL_ADMIN])
    rows = records.events(mill.id, after)
    assert [r.name for r in rows] == ["stock:updated", "purchase:deleted"]
    admin = users[Role.MILL_ADMIN]
    assert rows[1].payload == {
        "purchaseId": str(purchase.id),
        "deletedBy": {"id": str(admin.id), "name": admin.name},
        "millId": str(mill.id),
        "seq": rows[1].seq,
    }
    assert rows[1].summary == f"{admin.name} deleted the purchase of 1,000 kg (10 q) from Suresh"


# --- bad input ------------------------------------------------------------------------------

BAD_CREATE_BODIES = [
    ({"farmerName": None}, "farmerName"),
    ({"farmerName": ""}, "farmerName"),
    ({"farmerName": "   "}, "farmerName"),
    ({"farmerName": "x" * 121}, "farmerName"),
    ({"grossWeightKg": "1000"}, "grossWeightKg"),
    ({"grossWeightKg": -5}, "grossWeightKg"),
    ({"grossWeightKg": 0}, "grossWeightKg"),
    ({"grossWeightKg": 1e12}, "grossWeightKg"),
    ({"grossWeightKg": 1e400}, "grossWeightKg"),
    ({"tareWeightKg": 1000}, "tareWeightKg"),
    ({"tareWeightKg": -1}, "tareWeightKg"),
    ({"moisturePercent": 41}, "moisturePercent"),
    ({"moisturePercent": -1}, "moisturePercent"),
    ({"moisturePercent": True}, "moisturePercent"),
    ({"ratePerQuintal": 0}, "ratePerQuintal"),
    ({"ratePerQuintal": 5_000_000}, "ratePerQuintal"),
    ({"bags": -1}, "bags"),
    ({"bags": 2.5}, "bags"),
    ({"bags": 10_000_000}, "bags"),
    ({"farmerPhone": "call me"}, "farmerPhone"),
    ({"purchaseDate": "1900-01-01"}, "purchaseDate"),
    ({"purchaseDate": "2999-01-01"}, "purchaseDate"),
    ({"purchaseDate": "yesterday"}, "purchaseDate"),
    ({"vehicleNumber": "V" * 21}, "vehicleNumber"),
    ({"village": ["a"]}, "village"),
    ({"colour": "red"}, "colour"),
    ({"millId": "00000000-0000-0000-0000-000000000000"}, "millId"),
    ({"amount": 1}, "amount"),
    ({"netWeightKg": 1}, "netWeightKg"),
    ({"moistureDeductionKg": 0}, "moistureDeductionKg"),
    ({"paidAmount": 100}, "paidAmount"),
    ({"paymentStatus": "PAID"}, "paymentStatus"),
    ({"standardMoisturePercent": 10}, "standardMoisturePercent"),
]


@pytest.mark.parametrize(("change", "field"), BAD_CREATE_BODIES)
def test_bad_create_bodies_are_422_and_write_nothing(client, mill, headers, change, field):
    before = records.counts(PaddyPurchase, mills=[mill])
    response = client.post(url(mill), json=body(**change), headers=headers[Role.OPERATOR])
    assert response.status_code == 422, response.get_json()
    envelope = response.get_json()
    assert envelope["success"] is False
    assert field in [e["field"] for e in envelope["errors"]]
    assert records.counts(PaddyPurchase, mills=[mill]) == before


@pytest.mark.parametrize("missing", ["farmerName", "grossWeightKg", "moisturePercent", "ratePerQuintal"])
def test_missing_required_fields_are_422(client, mill, headers, missing):
    data = body()
    del data[missing]
    before = records.counts(PaddyPurchase, mills=[mill])
    response = client.post(url(mill), json=data, headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    assert missing in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(PaddyPurchase, mills=[mill]) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({}, "_schema"),
        ({"tareWeightKg": 1000}, "tareWeightKg"),  # merged with the stored gross of 1000
        ({"grossWeightKg": 0}, "grossWeightKg"),
        ({"farmerName": None}, "farmerName"),
        ({"amount": 5}, "amount"),
        ({"invoiceNo": 5}, "invoiceNo"),
        ({"millId": "00000000-0000-0000-0000-000000000000"}, "millId"),
        ({"moisturePercent": 99}, "moisturePercent"),
    ],
)
def test_bad_update_bodies_are_422_and_write_nothing(client, mill, users, headers, change, field):
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    before = records.counts(PaddyPurchase, mills=[mill])
    response = client.patch(url(mill, purchase.id), json=change, headers=headers[Role.MANAGER])
    assert response.status_code == 422, response.get_json()
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert records.counts(PaddyPurchase, mills=[mill]) == before
    db.session.expire_all()
    assert db.session.get(PaddyPurchase, purchase.id).amount == Decimal("22000.00")


# --- tenancy, listing ---------------------------------------------------------------------


def test_another_mills_purchase_is_404_through_my_mills_url(client, mill, other_mill, headers):
    theirs = make_purchase(other_mill, make_user(Role.MILL_ADMIN, other_mill))
    db.session.commit()
    before = records.counts(PaddyPurchase, mills=[mill, other_mill])
    for method in ("GET", "PATCH", "DELETE"):
        response = client.open(url(mill, theirs.id), method=method, json={"bags": 1}, headers=headers[Role.SUPER_ADMIN])
        assert response.status_code == 404, method
        assert response.get_json()["message"] == "Purchase not found"
    assert records.counts(PaddyPurchase, mills=[mill, other_mill]) == before


def test_list_filters_pages_and_orders_newest_first(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    make_purchase(mill, admin, farmer_name="Ravi Teja", village="Nidamanur", purchase_date=date(2026, 11, 1))
    make_purchase(mill, admin, farmer_name="Suresh", village="Halia", purchase_date=date(2026, 11, 3))
    make_purchase(mill, admin, farmer_name="ravindra", village="nidamanur", purchase_date=date(2026, 11, 2))
    make_purchase(mill, admin, farmer_name="100%_pure", purchase_date=date(2026, 11, 4))
    other = make_mill()
    make_purchase(other, make_user(Role.MILL_ADMIN, other), farmer_name="Ravi")
    db.session.commit()

    def names(**query):
        response = client.get(url(mill), query_string=query, headers=headers[Role.OPERATOR])
        assert response.status_code == 200, response.get_json()
        return [p["farmerName"] for p in response.get_json()["data"]], response.get_json()["meta"]

    assert names()[0] == ["100%_pure", "Suresh", "ravindra", "Ravi Teja"]
    assert names(farmerName="RAVI")[0] == ["ravindra", "Ravi Teja"]
    assert names(farmerName="%")[0] == ["100%_pure"]  # wildcards are literal
    assert names(village="NIDAMANUR")[0] == ["ravindra", "Ravi Teja"]
    assert names(dateFrom="2026-11-02", dateTo="2026-11-03")[0] == ["Suresh", "ravindra"]
    assert names(paymentStatus="PAID")[0] == []
    items, meta = names(page=2, perPage=3)
    assert items == ["Ravi Teja"]
    assert {key: meta[key] for key in ("page", "perPage", "total")} == {"page": 2, "perPage": 3, "total": 4}


@pytest.mark.parametrize(
    "query",
    [
        {"perPage": 101},
        {"page": 0},
        {"dateFrom": "nope"},
        {"paymentStatus": "LATE"},
        {"dateFrom": "2026-02-01", "dateTo": "2026-01-01"},
    ],
)
def test_bad_list_queries_are_422(client, mill, headers, query):
    response = client.get(url(mill), query_string=query, headers=headers[Role.OPERATOR])
    assert response.status_code == 422
    assert response.get_json()["errors"]


def test_get_one(client, mill, users, headers):
    purchase = make_purchase(mill, users[Role.MILL_ADMIN])
    db.session.commit()
    response = client.get(url(mill, purchase.id), headers=headers[Role.OPERATOR])
    assert response.status_code == 200
    assert response.get_json()["data"]["netWeightKg"] == 1000


def test_a_nameless_purchase_names_every_missing_field_at_once(client, mill, headers):
    response = client.post(
        f"/api/v1/mills/{mill.id}/paddy-purchases",
        json={"grossWeightKg": 1300, "moisturePercent": 19},
        headers=headers[Role.OPERATOR],
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.get_json()["errors"]} == {"farmerName", "ratePerQuintal"}


@pytest.mark.parametrize("by", ["known farmer", "new farmer", "party id"])
def test_a_mill_without_paddy_stock_is_409_and_writes_nothing(client, mill, users, headers, by):
    """The purchase, its party and its movement are one statement (or three): a refused movement
    still answers as before and the rollback leaves no purchase, party or ledger row."""
    from ricemill.inventory.models import Stock, StockLedgerEntry
    from ricemill.parties.models import Party
    from tests.parties.authz import make_party

    farmer = make_party(mill, users[Role.MILL_ADMIN], name="Suresh", phone="+91 98480 22338")
    db.session.execute(sa.delete(Stock).where(Stock.mill_id == mill.id, Stock.stock_type == "PADDY"))
    db.session.commit()
    sent = {"known farmer": body(), "new farmer": body(farmerName="Ramaiah"), "party id": body(partyId=str(farmer.id))}
    response = client.post(url(mill), json=sent[by], headers=headers[Role.OPERATOR])
    assert response.status_code == 409, response.get_json()
    assert response.get_json()["message"] == "The mill has no Paddy stock"
    for model in (PaddyPurchase, StockLedgerEntry):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.mill_id == mill.id)) == 0
    assert db.session.scalars(sa.select(Party.name).where(Party.mill_id == mill.id)).all() == ["Suresh"]
