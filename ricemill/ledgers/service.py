"""Balances and ledgers of the parties, and their routes: they read purchases, sales and payments.

Sign convention (one for every kind of party, as in the mill's books): a **debit** is what the party
comes to owe the mill (a sale to it, a payment the mill made to it), a **credit** what the mill comes
to owe the party (a purchase from it, a payment received from it). The balance is
opening + debits - credits: **positive = the party owes the mill** (receivable, "Dr"),
**negative = the mill owes the party** (payable, "Cr"). So a farmer's balance is
-(purchases - payments made) and a buyer's is sales - payments received, plus the opening balance.
"""

from decimal import Decimal

import sqlalchemy as sa

from ..common.filters import contains
from ..common.listing import within_dates
from ..extensions import db
from ..finance.models import Payment, Receipt
from ..finance.types import PaymentDirection
from ..parties.models import Party
from ..parties.service import get_party
from ..purchases.models import PaddyPurchase
from ..sales.models import Sale

ZERO = Decimal("0.00")


# --- balances -------------------------------------------------------------------------------


def _sum(column, *where):
    return sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(*where).scalar_subquery()


def balance_expression(party_id_column, date_before=None, date_upto=None):
    """SQL for opening movements: sales + payments made - purchases - payments received of a party,
    limited to documents dated before `date_before` / up to `date_upto` when given."""

    def dated(column):
        out = []
        if date_before is not None:
            out.append(column < date_before)
        if date_upto is not None:
            out.append(column <= date_upto)
        return out

    sales = _sum(Sale.amount, Sale.party_id == party_id_column, *dated(Sale.sale_date))
    purchases = _sum(
        PaddyPurchase.amount, PaddyPurchase.party_id == party_id_column, *dated(PaddyPurchase.purchase_date)
    )
    made = _sum(
        Payment.amount, Payment.party_id == party_id_column, Payment.direction == PaymentDirection.MADE,
        *dated(Payment.payment_date),
    )  # fmt: skip
    received = _sum(
        Payment.amount, Payment.party_id == party_id_column, Payment.direction == PaymentDirection.RECEIVED,
        *dated(Payment.payment_date),
    )  # fmt: skip
    return sales + made - purchases - received


def balance_of(party: Party) -> Decimal:
    value = db.session.scalar(
        sa.select(Party.opening_balance + balance_expression(Party.id)).where(Party.id == party.id)
    )
    return Decimal(value if value is not None else party.opening_balance).quantize(Decimal("0.01"))


def list_parties_stmt(mill_id, query: dict):
    """Parties with their balance now; `owing=us` (balance > 0, largest first) or `them` (< 0)."""
    balance = Party.opening_balance + balance_expression(Party.id)
    stmt = sa.select(Party, balance.label("balance")).where(Party.mill_id == mill_id)
    if "kind" in query:
        stmt = stmt.where(Party.kind == query["kind"])
    if query.get("q"):
        stmt = stmt.where(contains(Party.name, query["q"]))
    if query.get("owing") == "us":
        return stmt.where(balance > 0).order_by(balance.desc(), Party.name, Party.id)
    if query.get("owing") == "them":
        return stmt.where(balance < 0).order_by(balance.asc(), Party.name, Party.id)
    return stmt.order_by(sa.func.lower(Party.name), Party.kind, Party.id)


def owing_totals(mill_id) -> dict:
    """{owedToUs, weOwe} over every party of the mill (whatever the list's filters): the sum of the
    positive balances (they owe the mill) and of the negative ones as a positive amount (it owes them)."""
    balance = (Party.opening_balance + balance_expression(Party.id)).label("balance")
    balances = sa.select(balance).where(Party.mill_id == mill_id).subquery()
    owed, owe = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(balances.c.balance).filter(balances.c.balance > 0), 0),
            sa.func.coalesce(-sa.func.sum(balances.c.balance).filter(balances.c.balance < 0), 0),
        )
    ).one()
    cents = Decimal("0.01")
    return {"owedToUs": float(Decimal(owed).quantize(cents)), "weOwe": float(Decimal(owe).quantize(cents))}


def with_balances(rows):
    """Parties from (party, balance) rows, each with its `balance` set (a generator: lazy for exports)."""
    for party, balance in rows:
        party.balance = Decimal(balance).quantize(Decimal("0.01"))
        yield party


# --- ledger ---------------------------------------------------------------------------------


def ledger(*, mill_id, party_id, date_from=None, date_to=None) -> dict:
    """The party's account between two dates (both inclusive, either open).

    opening = the opening balance plus every document before `date_from`; each entry carries the
    running balance; closing = opening + debits - credits.
    """
    party = get_party(mill_id=mill_id, party_id=party_id)
    opening = Decimal(party.opening_balance)
    if date_from is not None:
        opening += Decimal(
            db.session.scalar(sa.select(balance_expression(sa.literal(party.id), date_before=date_from)))
        )

    entries = []
    for p in db.session.scalars(
        sa.select(PaddyPurchase).where(
            PaddyPurchase.party_id == party.id, *within_dates(PaddyPurchase.purchase_date, date_from, date_to)
        )
    ):
        ref = f"Slip {p.weigh_slip_no}" if p.weigh_slip_no else f"{p.net_weight_kg} kg {p.variety or 'paddy'}"
        entries.append((p.purchase_date, p.created_at, "PURCHASE", p.id, ref, ZERO, p.amount))
    for s in db.session.scalars(
        sa.select(Sale).where(Sale.party_id == party.id, *within_dates(Sale.sale_date, date_from, date_to))
    ):
        entries.append((s.sale_date, s.created_at, "SALE", s.id, f"Invoice {s.invoice_number}", s.amount, ZERO))
    payments = db.session.execute(
        sa.select(Payment, Receipt.receipt_no)
        .outerjoin(Receipt, Receipt.payment_id == Payment.id)
        .where(Payment.party_id == party.id, *within_dates(Payment.payment_date, date_from, date_to))
    )
    for pay, receipt_no in payments:
        if pay.direction == PaymentDirection.MADE:
            entries.append(
                (
                    pay.payment_date,
                    pay.created_at,
                    "PAYMENT_MADE",
                    pay.id,
                    pay.reference or str(pay.mode),
                    pay.amount,
                    ZERO,
                )
            )
        else:
            ref = f"Receipt {receipt_no}" if receipt_no else pay.reference
            entries.append((pay.payment_date, pay.created_at, "PAYMENT_RECEIVED", pay.id, ref, ZERO, pay.amount))
    # Date, then time written; a document before a payment written in the same transaction.
    entries.sort(key=lambda e: (e[0], e[1], e[2].startswith("PAYMENT"), str(e[3])))
    balance, total_debit, total_credit, rows = opening, ZERO, ZERO, []
    for day, _created, kind, document_id, ref, debit, credit in entries:
        balance = balance + debit - credit
        total_debit += debit
        total_credit += credit
        rows.append(
            {
                "date": day, "type": kind, "document_id": document_id, "ref": ref,
                "debit": debit, "credit": credit, "balance": balance,
            }
        )  # fmt: skip
    party.balance = balance_of(party)
    return {
        "party": party,
        "date_from": date_from,
        "date_to": date_to,
        "opening": opening,
        "entries": rows,
        "total_debit": total_debit,
        "total_credit": total_credit,
        "closing": balance,
    }
