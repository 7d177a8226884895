"""`common.writes.insert_new`: one Core INSERT per new row, optionally completed from a subquery's row."""

import uuid
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import inspect

from ricemill.auth.roles import Role
from ricemill.common.writes import insert_new
from ricemill.extensions import db
from ricemill.inventory.models import Stock, StockLedgerEntry
from ricemill.inventory.stock import Movement, moving_after
from ricemill.inventory.types import StockType
from ricemill.parties import service as parties
from ricemill.parties.types import PartyKind
from ricemill.purchases.models import PaddyPurchase
from tests.factories import make_mill, make_user
from tests.parties.authz import make_party


def _purchase(mill, **more) -> PaddyPurchase:
    return PaddyPurchase(
        id=uuid.uuid4(), mill_id=mill.id, farmer_name="Ramesh", gross_weight_kg=Decimal("1000.000"),
        tare_weight_kg=Decimal("0.000"), moisture_percent=Decimal("17.000"),
        standard_moisture_percent=Decimal("17.000"), moisture_deduction_kg=Decimal("0.000"),
        net_weight_kg=Decimal("1000.000"), rate_per_quintal=Decimal("2200.00"), amount=Decimal("22000.00"),
        purchase_date=date(2026, 11, 20), **more,
    )  # fmt: skip


def _count(mill) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(PaddyPurchase.mill_id == mill.id))


def test_plain_insert_reads_back_the_defaults_and_joins_the_session():
    mill = make_mill()
    row = _purchase(mill)
    assert insert_new(row) is not None
    assert inspect(row).persistent and row.created_at is not None and row.paid_amount == Decimal("0.00")
    assert row.payment_status == "PENDING" and row.party_id is None and _count(mill) == 1


def test_completed_from_a_subquery_takes_its_columns_from_the_found_row():
    mill = make_mill()
    party = make_party(mill, make_user(Role.MILL_ADMIN, mill), name="Ramesh", phone=None)
    row = _purchase(mill)
    params = parties.identity_params(mill=mill, kind=PartyKind.FARMER, name=" RAMESH ", phone="  ")
    assert insert_new(row, completed_from=parties.PARTY_ID_BY_IDENTITY, params=params) is not None
    assert row.party_id == party.id and inspect(row).persistent
    stored = db.session.execute(sa.select(PaddyPurchase.party_id).where(PaddyPurchase.id == row.id)).scalar_one()
    assert stored == party.id


def test_completed_from_a_subquery_without_a_row_inserts_nothing():
    mill = make_mill()
    make_party(mill, make_user(Role.MILL_ADMIN, mill), name="Ramesh", phone="98450 12345")
    row = _purchase(mill)
    for kind, phone in ((PartyKind.FARMER, None), (PartyKind.BUYER, "98450 12345")):
        params = parties.identity_params(mill=mill, kind=kind, name="Ramesh", phone=phone)
        assert insert_new(row, completed_from=parties.PARTY_ID_BY_IDENTITY, params=params) is None
        assert inspect(row).transient and _count(mill) == 0
    row.party_id = None  # the caller then inserts it the plain way
    assert insert_new(row) is not None and _count(mill) == 1


def test_along_runs_a_movement_in_the_same_statement_only_when_the_row_was_inserted():
    mill = make_mill()
    row = _purchase(mill)
    movement = Movement(mill_id=mill.id, stock_type=StockType.PADDY, change=row.net_weight_kg, reason="in",
                        ref_type="purchase", ref_id=row.id)  # fmt: skip
    params = parties.identity_params(mill=mill, kind=PartyKind.FARMER, name="Nobody", phone=None) | movement.params
    missing = insert_new(row, completed_from=parties.PARTY_ID_BY_IDENTITY, params=params, along=moving_after)
    assert missing is None and _count(mill) == 0 and _paddy(mill) == 0  # no purchase: no movement either
    done = insert_new(row, params=movement.params, along=moving_after)
    assert done is not None and _count(mill) == 1 and _paddy(mill) == Decimal("1000.000")
    assert (done.ledger_quantity_after, done.ledger_min_stock_level) == (Decimal("1000.000"), Decimal("0.000"))
    ledger = db.session.execute(sa.select(StockLedgerEntry).where(StockLedgerEntry.ref_id == row.id)).scalar_one()
    assert (ledger.id, ledger.change) == (done.ledger_id, Decimal("1000.000"))
    assert ledger.quantity_after == Decimal("1000.000")


def test_python_defaults_are_written_from_a_select_or_a_cte_too():
    """Columns with a Python-side default left out of the object get it, as the ORM's flush would
    give it (SQLAlchemy binds NULL for them inside a CTE)."""
    mill = make_mill()
    party = make_party(mill, make_user(Role.MILL_ADMIN, mill), name="Ramesh", phone=None)
    params = parties.identity_params(mill=mill, kind=PartyKind.FARMER, name="Ramesh", phone=None)
    for completed_from in (None, parties.PARTY_ID_BY_IDENTITY):
        row = _purchase(mill)
        movement = Movement(mill_id=mill.id, stock_type="PADDY", change=1, reason="in")
        assert insert_new(row, completed_from=completed_from, params=params | movement.params, along=moving_after)
        stored = db.session.execute(
            sa.select(PaddyPurchase.paid_amount, PaddyPurchase.payment_status, PaddyPurchase.party_id).where(
                PaddyPurchase.id == row.id
            )
        ).one()
        assert tuple(stored) == (Decimal("0.00"), "PENDING", party.id if completed_from is not None else None)


def _paddy(mill):
    return db.session.scalar(sa.select(Stock.quantity).where(Stock.mill_id == mill.id, Stock.stock_type == "PADDY"))
