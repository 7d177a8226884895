"""Parties: find-or-create from a document's free text, the balance and the ledger.

Ledger sign convention (one for every kind of party, as in the mill's books): a **debit** is what
the party comes to owe the mill (a sale to it, a payment the mill made to it), a **credit** what the
mill comes to owe the party (a purchase from it, a payment received from it). The balance is
opening + debits - credits: **positive = the party owes the mill** (receivable, "Dr"),
**negative = the mill owes the party** (payable, "Cr"). So a farmer's balance is
-(purchases - payments made) and a buyer's is sales - payments received, plus the opening balance.

Functions flush and never commit.
"""

import uuid
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ..common.errors import Conflict, Invalid
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..finance.models import Payment, Receipt
from ..finance.types import PaymentDirection
from ..purchases.models import PaddyPurchase
from ..realtime.events import SERVER_EVENTS
from ..realtime.outbox import publish
from ..sales.models import Sale
from .models import Party
from .schemas import PartySchema
from .types import PartyKind

ZERO = Decimal("0.00")
_WRITABLE = ("kind", "name", "phone", "village", "address", "state", "gstin", "opening_balance")


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def party_dict(party: Party) -> dict:
    party.balance = balance_of(party)
    return PartySchema().dump(party)


def _publish(party: Party, name: str, actor, summary: str) -> None:
    publish(
        SERVER_EVENTS[name],
        party.mill_id,
        {"party": party_dict(party), "by": actor.actor},
        actor=actor.actor,
        summary=summary,
        entity={"type": "party", "id": str(party.id)},
    )


def _identity_taken(error) -> Conflict:
    return Conflict(
        "A party of this kind with this name and phone already exists",
        errors=[{"field": "name", "message": "Already a party of this kind with this phone."}],
    )


def create_party(*, mill, data: dict, actor) -> Party:
    party = Party(id=uuid.uuid4(), mill_id=mill.id, created_by_id=actor.id, opening_balance=ZERO)
    for key in _WRITABLE:
        if key in data and data[key] is not None:
            setattr(party, key, data[key])
    party.kind = PartyKind(party.kind)
    party.name = party.name.strip()
    party.phone = _clean(party.phone)
    _derive_state(party)
    db.session.add(party)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise _identity_taken(error) from None
    _publish(party, "PARTY_CREATED", actor, f"{actor.name} added {party.kind.lower()} {party.name}")
    return party


def _derive_state(party: Party) -> None:
    from .gstin import STATE_CODES

    if party.gstin and not party.state:
        party.state = STATE_CODES[party.gstin[:2]]
    elif party.gstin and STATE_CODES[party.gstin[:2]] != party.state:
        raise Invalid(
            errors=[{"field": "state", "message": f"The GSTIN is registered in {STATE_CODES[party.gstin[:2]]}."}]
        )


def get_party(*, mill_id, party_id, for_update: bool = False) -> Party:
    return get_mill_document(Party, mill_id, party_id, for_update=for_update, label="Party")


def update_party(*, mill, party_id, data: dict, actor) -> Party:
    if not data:
        raise Invalid("Nothing to update", errors=[{"field": "_schema", "message": "No fields given."}])
    party = get_party(mill_id=mill.id, party_id=party_id, for_update=True)
    for key in _WRITABLE:
        if key in data:
            value = data[key]
            if key in ("kind", "name") and value is None:
                raise Invalid(errors=[{"field": key, "message": "May not be null."}])
            if key == "opening_balance" and value is None:
                value = ZERO
            setattr(party, key, value)
    party.kind = PartyKind(party.kind)
    party.name = party.name.strip()
    party.phone = _clean(party.phone)
    _derive_state(party)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise _identity_taken(error) from None
    _publish(party, "PARTY_UPDATED", actor, f"{actor.name} updated {party.kind.lower()} {party.name}")
    return party


def find_or_create(*, mill, kind: PartyKind, name: str, phone: str | None, actor, village: str | None = None) -> Party:
    """The party (kind, name in any case, phone) of the mill, created when there is none.

    Concurrent requests for the same new party create it once (ON CONFLICT on the identity index).
    """
    name, phone = name.strip(), _clean(phone)
    identity = (
        Party.mill_id == mill.id,
        Party.kind == kind,
        sa.func.lower(Party.name) == name.lower(),
        sa.func.coalesce(Party.phone, "") == (phone or ""),
    )
    found = db.session.scalars(sa.select(Party).where(*identity)).first()
    if found is not None:
        return found
    new_id = uuid.uuid4()
    stmt = (
        insert(Party)
        .values(
            id=new_id, mill_id=mill.id, kind=kind, name=name, phone=phone, village=_clean(village),
            opening_balance=ZERO, created_by_id=actor.id if actor else None,
        )
        .on_conflict_do_nothing()
    )  # fmt: skip
    db.session.execute(stmt)
    # No party:created here: the document's own event tells the pages (and the feed) what happened.
    return db.session.scalars(sa.select(Party).where(*identity)).one()


def resolve(*, mill, party_id, kind: PartyKind, name: str | None, phone: str | None, actor, village=None) -> Party:
    """The document's party: `party_id` of this mill (404 otherwise), else found or created."""
    if party_id is not None:
        return get_party(mill_id=mill.id, party_id=party_id)
    if not _clean(name):
        raise Invalid(errors=[{"field": "partyId", "message": "Give a partyId or a name."}])
    return find_or_create(mill=mill, kind=kind, name=name, phone=phone, actor=actor, village=village)


def resolve_payee(*, mill, name: str, direction: PaymentDirection, actor) -> Party:
    """A payment's party from its name only: a payment made goes to a farmer, supplier or agent,
    a payment received comes from a buyer. The party with that name and no phone, else the oldest
    with that name, else a new one (farmer or buyer)."""
    kinds = [PartyKind.BUYER] if direction == PaymentDirection.RECEIVED else [
        PartyKind.FARMER, PartyKind.SUPPLIER, PartyKind.AGENT
    ]  # fmt: skip
    stmt = (
        sa.select(Party)
        .where(Party.mill_id == mill.id, Party.kind.in_(kinds), sa.func.lower(Party.name) == name.strip().lower())
        .order_by(Party.phone.is_not(None), Party.created_at, Party.id)
    )
    found = db.session.scalars(stmt).first()
    if found is not None:
        return found
    return find_or_create(mill=mill, kind=kinds[0], name=name, phone=None, actor=actor)


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
    from ..common.filters import contains

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

    def window(column):
        out = []
        if date_from is not None:
            out.append(column >= date_from)
        if date_to is not None:
            out.append(column <= date_to)
        return out

    entries = []
    for p in db.session.scalars(
        sa.select(PaddyPurchase).where(PaddyPurchase.party_id == party.id, *window(PaddyPurchase.purchase_date))
    ):
        ref = f"Slip {p.weigh_slip_no}" if p.weigh_slip_no else f"{p.net_weight_kg} kg {p.variety or 'paddy'}"
        entries.append((p.purchase_date, p.created_at, "PURCHASE", p.id, ref, ZERO, p.amount))
    for s in db.session.scalars(sa.select(Sale).where(Sale.party_id == party.id, *window(Sale.sale_date))):
        entries.append((s.sale_date, s.created_at, "SALE", s.id, f"Invoice {s.invoice_number}", s.amount, ZERO))
    payments = db.session.execute(
        sa.select(Payment, Receipt.receipt_no)
        .outerjoin(Receipt, Receipt.payment_id == Payment.id)
        .where(Payment.party_id == party.id, *window(Payment.payment_date))
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
