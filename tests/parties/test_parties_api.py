from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.finance.models import Payment
from ricemill.parties.models import Party
from ricemill.purchases.models import PaddyPurchase
from ricemill.sales.models import Sale
from tests.factories import make_user
from tests.parties.authz import make_party
from tests.purchases import records

PURCHASE = {"grossWeightKg": 1000, "moisturePercent": 17, "ratePerQuintal": 2200}  # 22,000.00


def url(mill, *parts):
    return "/".join([f"/api/v1/mills/{mill.id}/parties", *map(str, parts)])


def post_party(client, mill, headers, **body):
    return client.post(url(mill), json={"kind": "FARMER", "name": "Ramesh", **body}, headers=headers[Role.MANAGER])


def parties_of(mill):
    return db.session.scalars(sa.select(Party).where(Party.mill_id == mill.id).order_by(Party.created_at)).all()


def test_create_get_patch_a_party(client, mill, headers):
    response = post_party(
        client, mill, headers, phone="98450 12345", village="Kollur", gstin=" 29aagcb7383j1z4 ", openingBalance=-1500.5
    )
    assert response.status_code == 201, response.get_json()
    party = response.get_json()["data"]
    assert party["gstin"] == "29AAGCB7383J1Z4" and party["state"] == "Karnataka"
    assert party["openingBalance"] == -1500.5 and party["balance"] == -1500.5
    got = client.get(url(mill, party["id"]), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert got["name"] == "Ramesh"
    patched = client.patch(url(mill, party["id"]), json={"village": "Hosur"}, headers=headers[Role.MANAGER])
    assert patched.status_code == 200 and patched.get_json()["data"]["village"] == "Hosur"
    names = [e.name for e in records.events(mill.id)]
    assert names == ["party:created", "party:updated"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gstin": "29AAGCB7383J1Z5"}, "gstin"),  # wrong check character
        ({"gstin": "29AAGCB7383J"}, "gstin"),
        ({"gstin": "29AAGCB7383J1Z4", "state": "Tamil Nadu"}, "state"),
        ({"state": "Atlantis"}, "state"),
        ({"kind": "FRIEND"}, "kind"),
        ({"name": "  "}, "name"),
        ({"openingBalance": "12"}, "openingBalance"),
    ],
)
def test_bad_party_is_422_naming_the_field_and_writes_nothing(client, mill, headers, body, field):
    response = post_party(client, mill, headers, **body)
    assert response.status_code == 422
    assert field in [e["field"] for e in response.get_json()["errors"]]
    assert parties_of(mill) == []


def test_same_kind_name_and_phone_is_409(client, mill, headers):
    assert post_party(client, mill, headers, phone="98450 12345").status_code == 201
    again = post_party(client, mill, headers, name="RAMESH", phone="98450 12345")
    assert again.status_code == 409
    # Another phone, or another kind, is another party.
    assert post_party(client, mill, headers, phone="98450 99999").status_code == 201
    assert post_party(client, mill, headers, kind="BUYER", phone="98450 12345").status_code == 201


def test_purchase_without_party_id_finds_or_creates_the_farmer(client, mill, headers):
    purchases = f"/api/v1/mills/{mill.id}/paddy-purchases"
    for name in ("Ramesh", " ramesh "):
        body = {**PURCHASE, "farmerName": name, "farmerPhone": "98450 12345"}
        assert client.post(purchases, json=body, headers=headers[Role.OPERATOR]).status_code == 201
    body = {**PURCHASE, "farmerName": "Ramesh"}  # no phone: another Ramesh
    assert client.post(purchases, json=body, headers=headers[Role.OPERATOR]).status_code == 201
    parties = sorted(parties_of(mill), key=lambda p: p.phone is None)
    assert [(p.kind, p.name, p.phone) for p in parties] == [
        ("FARMER", "Ramesh", "98450 12345"),
        ("FARMER", "Ramesh", None),
    ]
    rows = db.session.scalars(sa.select(PaddyPurchase).where(PaddyPurchase.mill_id == mill.id)).all()
    assert sorted(str(r.party_id) for r in rows) == sorted([str(parties[0].id)] * 2 + [str(parties[1].id)])


def test_documents_take_a_party_id_and_fill_the_name_from_it(client, mill, users, headers):
    farmer = make_party(mill, users[Role.MILL_ADMIN])
    buyer = make_party(mill, users[Role.MILL_ADMIN], kind="BUYER", name="Venkat Traders", phone=None)
    db.session.commit()
    response = client.post(
        f"/api/v1/mills/{mill.id}/paddy-purchases",
        json={**PURCHASE, "partyId": str(farmer.id)},
        headers=headers[Role.OPERATOR],
    )
    assert response.status_code == 201, response.get_json()
    purchase = response.get_json()["data"]
    assert purchase["partyId"] == str(farmer.id)
    assert (purchase["farmerName"], purchase["farmerPhone"], purchase["village"]) == ("Ramesh", "98450 12345", "Kollur")
    paid = client.post(
        f"/api/v1/mills/{mill.id}/payments",
        json={"direction": "MADE", "amount": 2000, "mode": "CASH", "purchaseId": purchase["id"]},
        headers=headers[Role.MANAGER],
    )
    assert paid.status_code == 201 and paid.get_json()["data"]["partyId"] == str(farmer.id)
    advance = client.post(
        f"/api/v1/mills/{mill.id}/payments",
        json={"direction": "RECEIVED", "amount": 700, "mode": "UPI", "partyId": str(buyer.id)},
        headers=headers[Role.MANAGER],
    )
    assert advance.status_code == 201
    assert advance.get_json()["data"]["partyName"] == "Venkat Traders"
    farmer_now = client.get(url(mill, farmer.id), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert farmer_now["balance"] == -20000.0  # the mill owes 22,000 - 2,000
    buyer_now = client.get(url(mill, buyer.id), headers=headers[Role.OPERATOR]).get_json()["data"]
    assert buyer_now["balance"] == -700.0  # an advance: the mill owes the buyer the goods


def test_payment_with_another_partys_document_is_422(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    farmer, other = make_party(mill, admin), make_party(mill, admin, name="Suresh")
    db.session.commit()
    purchase = client.post(
        f"/api/v1/mills/{mill.id}/paddy-purchases",
        json={**PURCHASE, "partyId": str(farmer.id)},
        headers=headers[Role.OPERATOR],
    ).get_json()["data"]
    before = records.counts(Payment, PaddyPurchase, mills=[mill])
    response = client.post(
        f"/api/v1/mills/{mill.id}/payments",
        json={
            "direction": "MADE",
            "amount": 10,
            "mode": "CASH",
            "purchaseId": purchase["id"],
            "partyId": str(other.id),
        },
        headers=headers[Role.MANAGER],
    )
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "partyId"
    assert records.counts(Payment, PaddyPurchase, mills=[mill]) == before


def test_unknown_or_other_mills_party_id_is_404_and_writes_nothing(client, mill, other_mill, headers):
    import uuid

    theirs = make_party(other_mill, make_user(Role.MILL_ADMIN, other_mill))
    db.session.commit()
    before = records.counts(PaddyPurchase, Sale, Payment, Party, mills=[mill, other_mill])
    for party_id in (theirs.id, uuid.uuid4()):
        for path, body in (
            ("paddy-purchases", {**PURCHASE, "partyId": str(party_id)}),
            ("sales", {"partyId": str(party_id), "stockType": "RICE", "quantityKg": 1, "ratePerQuintal": 4000}),
            ("payments", {"partyId": str(party_id), "direction": "RECEIVED", "amount": 5, "mode": "CASH"}),
        ):
            response = client.post(f"/api/v1/mills/{mill.id}/{path}", json=body, headers=headers[Role.MANAGER])
            assert response.status_code == 404, (path, response.get_json())
            assert response.get_json()["message"] == "Party not found"
        assert client.get(url(mill, party_id), headers=headers[Role.MANAGER]).status_code == 404
    assert records.counts(PaddyPurchase, Sale, Payment, Party, mills=[mill, other_mill]) == before


def test_patch_relinks_a_purchase(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    purchases = f"/api/v1/mills/{mill.id}/paddy-purchases"
    created = client.post(purchases, json={**PURCHASE, "farmerName": "Ramesh"}, headers=headers[Role.OPERATOR])
    purchase_id = created.get_json()["data"]["id"]
    renamed = client.patch(f"{purchases}/{purchase_id}", json={"farmerName": "Mahesh"}, headers=headers[Role.MANAGER])
    mahesh = db.session.scalars(sa.select(Party).where(Party.mill_id == mill.id, Party.name == "Mahesh")).one()
    assert renamed.get_json()["data"]["partyId"] == str(mahesh.id)
    suresh = make_party(mill, admin, name="Suresh", phone=None, village=None)
    db.session.commit()
    moved = client.patch(f"{purchases}/{purchase_id}", json={"partyId": str(suresh.id)}, headers=headers[Role.MANAGER])
    assert moved.get_json()["data"]["farmerName"] == "Suresh"


def test_list_filters_and_balances(client, mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    make_party(mill, admin, name="Owes us", kind="BUYER", opening_balance=Decimal("500.00"))
    make_party(mill, admin, name="We owe", opening_balance=Decimal("-250.25"))
    make_party(mill, admin, name="Square", kind="AGENT")
    db.session.commit()
    listed = client.get(url(mill), headers=headers[Role.OPERATOR]).get_json()
    assert [p["name"] for p in listed["data"]] == ["Owes us", "Square", "We owe"] and listed["meta"]["total"] == 3
    us = client.get(url(mill) + "?owing=us", headers=headers[Role.OPERATOR]).get_json()["data"]
    them = client.get(url(mill) + "?owing=them", headers=headers[Role.OPERATOR]).get_json()["data"]
    assert [(p["name"], p["balance"]) for p in us] == [("Owes us", 500.0)]
    assert [(p["name"], p["balance"]) for p in them] == [("We owe", -250.25)]
    agents = client.get(url(mill) + "?kind=AGENT&q=squ", headers=headers[Role.OPERATOR]).get_json()["data"]
    assert [p["name"] for p in agents] == ["Square"]
    assert client.get(url(mill) + "?owing=everyone", headers=headers[Role.OPERATOR]).status_code == 422


def test_list_totals_owed_to_us_and_we_owe_over_every_party(client, mill, other_mill, users, headers):
    """meta.totals: the positive balances' sum and the negative ones' (as a positive amount), over
    every party of the mill whatever the filter; another mill's parties never count."""
    admin = users[Role.MILL_ADMIN]
    make_party(mill, admin, name="Owes us", kind="BUYER", opening_balance=Decimal("500.00"))
    make_party(mill, admin, name="Owes us too", kind="BUYER", opening_balance=Decimal("0.10"))
    make_party(mill, admin, name="We owe", opening_balance=Decimal("-250.25"))
    make_party(mill, admin, name="Square", kind="AGENT")
    other_admin = make_user(Role.MILL_ADMIN, other_mill)
    make_party(other_mill, other_admin, name="Elsewhere", opening_balance=Decimal("-9999.00"))
    db.session.commit()
    client.post(f"/api/v1/mills/{mill.id}/paddy-purchases", json={**PURCHASE, "farmerName": "Ramesh"},
                headers=headers[Role.MANAGER])  # fmt: skip
    want = {"owedToUs": 500.10, "weOwe": 22_250.25}  # Ramesh is owed 22,000.00
    for query in ("", "?owing=us", "?owing=them&kind=AGENT"):
        meta = client.get(url(mill) + query, headers=headers[Role.OPERATOR]).get_json()["meta"]
        assert meta["totals"] == want, query


def test_purchase_by_name_finds_only_a_farmer_of_its_own_mill(client, mill, other_mill, users, headers):
    """The party found inside the purchase's INSERT: same mill, kind FARMER, name in any case, same phone."""
    purchases = f"/api/v1/mills/{mill.id}/paddy-purchases"
    buyer = post_party(client, mill, headers, kind="BUYER", name="Ramesh").get_json()["data"]
    elsewhere = make_user(Role.MILL_ADMIN, other_mill)
    other = make_party(other_mill, elsewhere, name="Ramesh")
    farmer = post_party(client, mill, headers, name="Ramesh", phone="98450 12345").get_json()["data"]
    body = {**PURCHASE, "farmerName": "  RAMESH ", "farmerPhone": "98450 12345"}
    found = client.post(purchases, json=body, headers=headers[Role.OPERATOR]).get_json()["data"]
    assert found["partyId"] == farmer["id"]
    body = {**PURCHASE, "farmerName": "Ramesh", "village": "Nidamanur"}  # no phone: a new farmer
    created = client.post(purchases, json=body, headers=headers[Role.OPERATOR]).get_json()["data"]
    assert created["partyId"] not in (farmer["id"], buyer["id"], str(other.id))
    new = db.session.get(Party, created["partyId"])
    assert (new.mill_id, new.kind, new.name, new.phone, new.village) == (mill.id, "FARMER", "Ramesh", None, "Nidamanur")
    again = client.post(purchases, json=body, headers=headers[Role.OPERATOR]).get_json()["data"]
    assert again["partyId"] == created["partyId"] and len(parties_of(mill)) == 3
