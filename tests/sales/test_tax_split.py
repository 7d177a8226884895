"""The GST split is stored on the sale when it is made: editing the party later never changes a
printed invoice; migration 0008 fills the sales written before it."""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.stock import apply_movement
from ricemill.sales.models import Sale
from tests.factories import auth_header, make_mill, make_user
from tests.parties.authz import make_party

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0008_sale_tax_split.py"
SALE = {"stockType": "RICE", "quantityKg": 3015, "ratePerQuintal": 4000, "taxRatePercent": 5}  # tax 6,030.00


def _karnataka_mill():
    mill = make_mill("Lakshmi Rice Mill")
    mill.settings = {**mill.settings, "gstin": "29AAGCB7383J1Z4"}  # Karnataka, by its state code
    admin = make_user(Role.MILL_ADMIN, mill)
    apply_movement(mill_id=mill.id, stock_type="RICE", change=100_000, reason="test stock")
    db.session.commit()
    return mill, admin


def _split(body):
    return body["cgstAmount"], body["sgstAmount"], body["igstAmount"], body["buyerState"], body["buyerGstin"]


def test_split_is_kept_when_the_party_changes_state(client):
    mill, admin = _karnataka_mill()
    buyer = make_party(mill, admin, kind="BUYER", name="Chennai Foods", phone=None, gstin="33AAPFU0939F1Z2")
    local = make_party(mill, admin, kind="BUYER", name="Mandya Traders", phone=None, state="Karnataka")
    db.session.commit()
    h = auth_header(admin)
    base = f"/api/v1/mills/{mill.id}"
    inter = client.post(f"{base}/sales", json={**SALE, "partyId": str(buyer.id)}, headers=h).get_json()["data"]
    intra = client.post(f"{base}/sales", json={**SALE, "partyId": str(local.id)}, headers=h).get_json()["data"]
    assert _split(inter) == (0.0, 0.0, 6030.0, "Tamil Nadu", "33AAPFU0939F1Z2")
    assert _split(intra) == (3015.0, 3015.0, 0.0, "Karnataka", None)

    # The buyer moves to Karnataka (a new GSTIN): the invoice made before still says IGST, Tamil Nadu.
    response = client.patch(f"{base}/parties/{buyer.id}", json={"gstin": "29AAPFU0939F1ZR", "state": None},
                            headers=h)  # fmt: skip
    assert response.status_code == 200, response.get_json()
    client.set_cookie("access_token_cookie", h["Authorization"].split()[1])
    html = client.get(f"/print/sales/{inter['id']}").get_data(as_text=True)
    assert "IGST @ 5%" in html and "CGST" not in html and "GSTIN 33AAPFU0939F1Z2" in html and "Tamil Nadu" in html
    # Editing the sale's quantity recomputes the tax on the buyer's state stored with the sale.
    edited = client.patch(f"{base}/sales/{inter['id']}", json={"quantityKg": 1000}, headers=h).get_json()["data"]
    assert _split(edited) == (0.0, 0.0, 2000.0, "Tamil Nadu", "33AAPFU0939F1Z2")
    # Moving the sale to another party takes that party's state now.
    moved = client.patch(f"{base}/sales/{inter['id']}", json={"partyId": str(local.id)}, headers=h).get_json()["data"]
    assert _split(moved) == (1000.0, 1000.0, 0.0, "Karnataka", None)


def test_migration_fills_the_sales_written_before(client):
    mill, admin = _karnataka_mill()
    buyer = make_party(mill, admin, kind="BUYER", name="Chennai Foods", phone=None, gstin="33AAPFU0939F1Z2")
    local = make_party(mill, admin, kind="BUYER", name="Mandya Traders", phone=None, state="Karnataka")
    db.session.commit()
    h = auth_header(admin)
    ids = []
    for party, rate in ((buyer, 5), (local, 5), (buyer, 0)):
        body = {**SALE, "partyId": str(party.id), "taxRatePercent": rate, "quantityKg": 3015.3}
        ids.append(client.post(f"/api/v1/mills/{mill.id}/sales", json=body, headers=h).get_json()["data"]["id"])
    want = {i: tuple(row) for i, row in zip(ids, _stored(ids), strict=True)}
    # As before 0008: nothing stored (the check on the split is lifted for that, in this transaction).
    db.session.execute(sa.text("ALTER TABLE sales DROP CONSTRAINT ck_sales_gst_split_is_the_tax"))
    db.session.execute(
        sa.text("UPDATE sales SET buyer_state = NULL, buyer_gstin = NULL, cgst_amount = 0, sgst_amount = 0,"
                " igst_amount = 0 WHERE mill_id = :mill"), {"mill": mill.id},
    )  # fmt: skip
    assert {i: tuple(row) for i, row in zip(ids, _stored(ids), strict=True)} != want

    spec = importlib.util.spec_from_file_location("migration_0008", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with Operations.context(MigrationContext.configure(db.session.connection())):
        module._fill_existing_sales()
    db.session.expire_all()
    assert {i: tuple(row) for i, row in zip(ids, _stored(ids), strict=True)} == want
    db.session.rollback()


def _stored(ids):
    columns = (Sale.cgst_amount, Sale.sgst_amount, Sale.igst_amount, Sale.buyer_state, Sale.buyer_gstin, Sale.id)
    rows = {row.id: row[:5] for row in db.session.execute(sa.select(*columns).where(Sale.id.in_(ids)))}
    return [rows[sa_id] for sa_id in map(__import__("uuid").UUID, ids)]
