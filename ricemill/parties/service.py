"""Parties: added and changed, and found or created from a document's free text.

The balance and the ledger are in `ricemill.ledgers` (they read the documents, which use this).

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
from ..common.gstin import STATE_CODES
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..realtime.events import E
from .events import publish_party
from .models import Party
from .schemas import PartySchema
from .types import PartyKind

ZERO = Decimal("0.00")
_WRITABLE = ("kind", "name", "phone", "village", "address", "state", "gstin", "opening_balance")


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def party_dict(party: Party) -> dict:
    """The party's fields (its balance, which needs the documents, is the ledgers' to add)."""
    return PartySchema().dump(party)


def _publish(party: Party, name: str, actor, summary: str) -> None:
    publish_party(E[name], party_dict(party), party.mill_id, actor, summary)


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
    db.session.add(party)
    _save(party)
    _publish(party, "PARTY_CREATED", actor, f"{actor.name} added {party.kind.lower()} {party.name}")
    return party


def _save(party: Party) -> None:
    """Normalise what was set, check the GSTIN's state, and flush: a (kind, name, phone) the mill
    already has is a 409, and the transaction goes on."""
    party.kind = PartyKind(party.kind)
    party.name = party.name.strip()
    party.phone = _clean(party.phone)
    _derive_state(party)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except sa.exc.IntegrityError as error:
        raise _identity_taken(error) from None


def _derive_state(party: Party) -> None:
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
    _save(party)
    _publish(party, "PARTY_UPDATED", actor, f"{actor.name} updated {party.kind.lower()} {party.name}")
    return party


def _identity_conditions(prefix: str = "") -> tuple:
    """A party's identity (the unique index uq_parties_identity) as conditions, binds `{prefix}<key>`
    of `_identity`."""
    return (
        Party.mill_id == sa.bindparam(f"{prefix}mill_id", type_=sa.Uuid),
        Party.kind == sa.bindparam(f"{prefix}kind"),
        sa.func.lower(Party.name) == sa.bindparam(f"{prefix}lower_name", type_=sa.String),
        sa.func.coalesce(Party.phone, "") == sa.bindparam(f"{prefix}phone_or_empty", type_=sa.String),
    )


def _identity(*, mill, kind: PartyKind, name: str, phone: str | None) -> dict:
    """The binds of the identity of a party named `name` (any case, spaces around ignored) with
    `phone` (blank = none)."""
    return {"mill_id": mill.id, "kind": kind, "lower_name": name.strip().lower(), "phone_or_empty": _clean(phone) or ""}


# The party of an identity, built once: a purchase runs it on every write, and building the
# statement cost more than running it.
_BY_IDENTITY = sa.select(Party).where(*_identity_conditions())

# The same lookup as a subquery with its id labelled `party_id` (its binds `party_*`), for a
# document's INSERT ... SELECT (`common.writes.insert_new(completed_from=...)`): a document whose
# party is known is inserted in one statement, its party found in it.
PARTY_ID_BY_IDENTITY = sa.select(Party.id.label("party_id")).where(*_identity_conditions("party_")).subquery("party")


def identity_params(*, mill, kind: PartyKind, name: str, phone: str | None) -> dict:
    """The binds of `PARTY_ID_BY_IDENTITY` for a party named `name` with `phone`."""
    return {f"party_{key}": value for key, value in _identity(mill=mill, kind=kind, name=name, phone=phone).items()}


def find_or_create(*, mill, kind: PartyKind, name: str, phone: str | None, actor, village: str | None = None) -> Party:
    """The party (kind, name in any case, phone) of the mill, created when there is none.

    Concurrent requests for the same new party create it once (ON CONFLICT on the identity index).
    """
    found = db.session.scalars(_BY_IDENTITY, _identity(mill=mill, kind=kind, name=name, phone=phone)).first()
    if found is not None:
        return found
    return create_missing(mill=mill, kind=kind, name=name, phone=phone, actor=actor, village=village)


def create_missing(*, mill, kind: PartyKind, name: str, phone: str | None, actor, village: str | None = None) -> Party:
    """`find_or_create` once the party was looked for and not found: created, or the one a concurrent
    request has just created."""
    name, phone = name.strip(), _clean(phone)
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
    return db.session.scalars(_BY_IDENTITY, _identity(mill=mill, kind=kind, name=name, phone=phone)).one()


def has_name(name: str | None) -> bool:
    """Whether `name` can name a party (not blank)."""
    return _clean(name) is not None


def resolve(*, mill, party_id, kind: PartyKind, name: str | None, phone: str | None, actor, village=None) -> Party:
    """The document's party: `party_id` of this mill (404 otherwise), else found or created."""
    if party_id is not None:
        return get_party(mill_id=mill.id, party_id=party_id)
    if not _clean(name):
        raise Invalid(errors=[{"field": "partyId", "message": "Give a partyId or a name."}])
    return find_or_create(mill=mill, kind=kind, name=name, phone=phone, actor=actor, village=village)


def resolve_payee(*, mill, name: str, received: bool, actor) -> Party:
    """A payment's party from its name only: a payment made goes to a farmer, supplier or agent,
    a payment received comes from a buyer. The party with that name and no phone, else the oldest
    with that name, else a new one (farmer or buyer)."""
    kinds = [PartyKind.BUYER] if received else [
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
