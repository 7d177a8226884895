"""Property: random months of purchases, sales and payments across parties; every ledger closes to
the documents' sums, to the paisa, over the whole time and over any window; the day book's totals
equal the documents of each day; the stock statement equals the stock ledger."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ricemill.extensions import db
from ricemill.finance import service as finance
from ricemill.inventory.models import Stock, StockLedgerEntry
from ricemill.inventory.stock import apply_movement
from ricemill.ledgers import service as ledgers
from ricemill.purchases import service as purchases
from ricemill.reports import service as reports
from ricemill.sales import service as sales
from tests.parties.authz import make_party

START = date(2026, 4, 1)
money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
day = st.integers(min_value=0, max_value=29)
operation = st.one_of(
    st.tuples(st.just("purchase"), st.integers(0, 2), day, st.integers(101, 30000), st.integers(1500, 3000)),
    st.tuples(st.just("sale"), st.integers(0, 1), day, st.integers(1, 5000), money),
    st.tuples(st.just("made"), st.integers(0, 2), day, money, st.booleans()),
    st.tuples(st.just("received"), st.integers(0, 1), day, money, st.booleans()),
)


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    operations=st.lists(operation, min_size=1, max_size=25),
    openings=st.lists(st.decimals(min_value=-10000, max_value=10000, places=2), min_size=5, max_size=5),
    window=st.tuples(day, day).map(sorted),
)
def test_every_ledger_closes_to_the_documents_sums(mill, admin, operations, openings, window):
    nested = db.session.begin_nested()  # each example rolled back; the admin (made once, outside) stays
    try:
        farmers = [make_party(mill, admin, name=f"Farmer {i}", opening_balance=openings[i]) for i in range(3)]
        buyers = [
            make_party(mill, admin, kind="BUYER", name=f"Buyer {i}", opening_balance=openings[3 + i]) for i in range(2)
        ]
        apply_movement(mill_id=mill.id, stock_type="RICE", change=10**6, reason="test stock")
        expected = {p.id: [] for p in farmers + buyers}  # (date, signed amount) per party
        by_day = defaultdict(lambda: defaultdict(Decimal))  # day -> kind -> amount
        last_doc = {}
        for kind, who, offset, amount, extra in operations:
            when = START + timedelta(days=offset)
            if kind == "purchase":
                doc = purchases.create_purchase(
                    mill=mill,
                    data={"party_id": farmers[who].id, "gross_weight_kg": amount, "moisture_percent": 18,
                          "rate_per_quintal": extra, "purchase_date": when},
                    actor=admin,
                )  # fmt: skip
                expected[farmers[who].id].append((when, -doc.amount))
                by_day[when]["PURCHASE"] += doc.amount
                last_doc[("made", who)] = doc
            elif kind == "sale":
                doc = sales.create_sale(
                    mill=mill,
                    data={"party_id": buyers[who].id, "stock_type": "RICE", "quantity_kg": amount,
                          "rate_per_quintal": extra, "sale_date": when},
                    actor=admin,
                )  # fmt: skip
                expected[buyers[who].id].append((when, doc.amount))
                by_day[when]["SALE"] += doc.amount
                last_doc[("received", who)] = doc
            else:
                party = (farmers if kind == "made" else buyers)[who]
                data = {"direction": kind.upper(), "amount": amount, "mode": "CASH", "party_id": party.id,
                        "payment_date": when}  # fmt: skip
                doc = last_doc.get((kind, who))
                balance = doc.amount - doc.paid_amount if doc is not None else 0
                if extra and balance > 0:  # paid against the document, within its balance
                    data["amount"] = min(amount, balance)
                    data["purchase_id" if kind == "made" else "sale_id"] = doc.id
                payment = finance.create_payment(mill=mill, data=data, actor=admin)
                sign = 1 if kind == "made" else -1
                expected[party.id].append((when, sign * payment.amount))
                by_day[when][f"PAYMENT_{kind.upper()}"] += payment.amount
        db.session.flush()

        date_from, date_to = (START + timedelta(days=d) for d in window)
        for party in farmers + buyers:
            moves = expected[party.id]
            whole = ledgers.ledger(mill_id=mill.id, party_id=party.id)
            total = party.opening_balance + sum((m for _, m in moves), Decimal(0))
            assert whole["closing"] == total == ledgers.balance_of(party)
            assert len(whole["entries"]) == len(moves)
            part = ledgers.ledger(mill_id=mill.id, party_id=party.id, date_from=date_from, date_to=date_to)
            before = party.opening_balance + sum((m for d, m in moves if d < date_from), Decimal(0))
            inside = sum((m for d, m in moves if date_from <= d <= date_to), Decimal(0))
            assert part["opening"] == before
            assert part["closing"] == before + inside == part["opening"] + part["total_debit"] - part["total_credit"]

        for when, amounts in by_day.items():
            totals = reports.day_book(mill=mill, day=when)["totals"]
            for kind in ("PURCHASE", "SALE", "PAYMENT_MADE", "PAYMENT_RECEIVED"):
                assert totals[kind]["amount"] == amounts[kind], (when, kind)

        statement = {r["stockType"]: r for r in reports.stock_statement(mill=mill)["rows"]}
        for stock in db.session.scalars(sa.select(Stock).where(Stock.mill_id == mill.id)):
            changes = db.session.scalars(
                sa.select(StockLedgerEntry.change).where(
                    StockLedgerEntry.mill_id == mill.id, StockLedgerEntry.stock_type == stock.stock_type
                )
            ).all()
            row = statement[stock.stock_type.value]
            assert row["inKg"] - row["outKg"] == sum(changes, Decimal(0)) == row["closingKg"] == stock.quantity
    finally:
        nested.rollback()
