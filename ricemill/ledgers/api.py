import sqlalchemy as sa
from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.export import export, schema_columns
from ..extensions import db
from ..parties import service as parties
from ..parties.schemas import (
    PartyLedgerQuerySchema,
    PartyLedgerSchema,
    PartyListQuerySchema,
    PartySchema,
    PartyUpdateSchema,
)
from . import service

blp = Blueprint(
    "parties", __name__, url_prefix="/api/v1/mills", description="Parties: farmers, buyers, suppliers, agents"
)


def page_of_parties(mill_id, query: dict) -> tuple[list, dict]:
    stmt = service.list_parties_stmt(mill_id, query)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(query["per_page"]).offset((query["page"] - 1) * query["per_page"])).all()
    meta = {"page": query["page"], "per_page": query["per_page"], "total": total}
    meta["totals"] = service.owing_totals(mill_id)
    return list(service.with_balances(rows)), meta


@blp.route("/<uuid:mill_id>/parties", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(PartyListQuerySchema, location="query")
@blp.response(200, envelope(PartySchema, many=True))
def list_parties(query, mill_id):
    """List the mill's parties with their balance now.

    Filters: kind, q (name contains, any case), owing=us (balance > 0: they owe the mill, largest
    first) or owing=them (balance < 0: the mill owes them). Balance convention: see the ledger.
    `meta.totals` = {owedToUs, weOwe}: the positive balances' sum and the negative ones' (as a
    positive amount) over every party of the mill, whatever the filters.
    """
    if query["format"] != "json":  # every filtered party, not one page
        rows = (
            PartySchema().dump(party)
            for party in service.with_balances(db.session.execute(service.list_parties_stmt(mill_id, query)))
        )
        return export(query["format"], "parties", schema_columns(PartySchema()), rows)
    items, meta = page_of_parties(mill_id, query)
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/parties", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(PartySchema)
@blp.response(201, envelope(PartySchema))
def create_party(data, mill_id):
    """Add a party. (kind, name in any case, phone) is unique in a mill (409).

    GSTIN: format and check character (422 on `gstin`); its state code must be the `state` given
    (422 on `state`), and gives the state when none is. openingBalance: positive when the party
    owed the mill before it used ricemill, negative when the mill owed the party.
    """
    party = parties.create_party(mill=g.mill, data=data, actor=g.user)
    party.balance = service.balance_of(party)
    return created(party, "Party created")


@blp.route("/<uuid:mill_id>/parties/<uuid:party_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(PartySchema))
def get_party(mill_id, party_id):
    """Get one party with its balance now."""
    party = parties.get_party(mill_id=mill_id, party_id=party_id)
    party.balance = service.balance_of(party)
    return ok(party)


@blp.route("/<uuid:mill_id>/parties/<uuid:party_id>", methods=["PATCH"])
@mill_access(Permission.UPDATE)
@blp.arguments(PartyUpdateSchema(partial=True))
@blp.response(200, envelope(PartySchema))
def update_party(data, mill_id, party_id):
    """Update a party (its documents keep the name they were written with)."""
    party = parties.update_party(mill=g.mill, party_id=party_id, data=data, actor=g.user)
    party.balance = service.balance_of(party)
    return ok(party, "Party updated")


@blp.route("/<uuid:mill_id>/parties/<uuid:party_id>/ledger", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(PartyLedgerQuerySchema, location="query")
@blp.response(200, envelope(PartyLedgerSchema))
def party_ledger(query, mill_id, party_id):
    """The party's account from dateFrom to dateTo (inclusive; either may be left open).

    Sign convention: a debit is what the party comes to owe the mill (a sale to it, a payment made
    to it), a credit what the mill comes to owe it (a purchase from it, a payment received from
    it). balance = opening + debits - credits: positive = the party owes the mill, negative = the
    mill owes the party. `opening` includes the party's opening balance and every document before
    dateFrom; entries are in date order with the running balance; `closing` is the last balance.
    """
    return ok(
        service.ledger(
            mill_id=mill_id, party_id=party_id, date_from=query.get("date_from"), date_to=query.get("date_to")
        )
    )
