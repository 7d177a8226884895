"""0005 links the documents written before parties existed: one party per (kind, name, phone) per mill."""

import importlib.util
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from ricemill.extensions import db
from ricemill.finance.models import Payment
from ricemill.parties.models import Party
from ricemill.purchases.models import PaddyPurchase
from ricemill.sales.models import Sale
from tests.dashboard import documents

MIGRATION = Path(__file__).parents[2] / "migrations" / "versions" / "0005_parties.py"


def _run_linking():
    spec = importlib.util.spec_from_file_location("migration_0005", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    context = MigrationContext.configure(db.session.connection())
    with Operations.context(context):
        module._link_existing_documents()
    db.session.expire_all()


def _purchase(mill, name, phone=None):
    row = documents.purchase(mill, date(2026, 4, 1), 100, 2200)
    row.farmer_name, row.farmer_phone = name, phone
    return row


def test_existing_documents_are_linked(mill, other_mill):
    day = date(2026, 4, 1)
    p1 = _purchase(mill, "Ramesh", "98450 12345")
    p2 = _purchase(mill, " RAMESH ", "98450 12345")
    p3 = _purchase(mill, "Ramesh")
    p4 = _purchase(other_mill, "Ramesh", "98450 12345")
    s1 = documents.sale(mill, day, 10, 400)
    db.session.flush()
    paid = Payment(mill_id=mill.id, direction="MADE", party_name="Ramesh", amount=5, mode="CASH", payment_date=day,
                   purchase_id=p1.id)  # fmt: skip
    loose_made = Payment(
        mill_id=mill.id, direction="MADE", party_name="ramesh", amount=5, mode="CASH", payment_date=day
    )
    loose_received = Payment(
        mill_id=mill.id, direction="RECEIVED", party_name="Walk-in", amount=5, mode="CASH", payment_date=day
    )
    db.session.add_all([paid, loose_made, loose_received])
    db.session.flush()
    _run_linking()

    parties = db.session.scalars(sa.select(Party).where(Party.mill_id == mill.id)).all()
    by_identity = {(p.kind, p.name.lower(), p.phone): p for p in parties}
    assert sorted(by_identity, key=str) == sorted(
        [("FARMER", "ramesh", "98450 12345"), ("FARMER", "ramesh", None), ("BUYER", "buyer", None),
         ("BUYER", "walk-in", None)],
        key=str,
    )  # fmt: skip
    ramesh_phone = by_identity[("FARMER", "ramesh", "98450 12345")]
    ramesh_none = by_identity[("FARMER", "ramesh", None)]
    assert db.session.get(PaddyPurchase, p1.id).party_id == ramesh_phone.id
    assert db.session.get(PaddyPurchase, p2.id).party_id == ramesh_phone.id
    assert db.session.get(PaddyPurchase, p3.id).party_id == ramesh_none.id
    assert db.session.get(Sale, s1.id).party_id == by_identity[("BUYER", "buyer", None)].id
    assert db.session.get(Payment, paid.id).party_id == ramesh_phone.id  # its purchase's party
    assert db.session.get(Payment, loose_made.id).party_id == ramesh_none.id  # the name, no phone first
    assert db.session.get(Payment, loose_received.id).party_id == by_identity[("BUYER", "walk-in", None)].id
    theirs = db.session.get(PaddyPurchase, p4.id).party_id
    assert db.session.get(Party, theirs).mill_id == other_mill.id
