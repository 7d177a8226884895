"""Parties and their ledger on the wire."""

from marshmallow import fields, validate, validates_schema

from ..common.export import format_field
from ..common.fields import Gstin, Name, Phone, State, check_state_matches_gstin
from ..common.schemas import CamelSchema, DateRangeQuerySchema, PageQuerySchema, Quantity, Text
from ..common.text import Str
from .types import PartyKind

MAX_BALANCE = 10_000_000_000  # 1,000 crore either way


class PartySchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    mill_id = fields.UUID(dump_only=True)
    kind = fields.Enum(PartyKind, by_value=True, required=True)
    name = Name(required=True)
    phone = Phone()
    village = Text(120, allow_none=True)
    address = Text(300, allow_none=True)
    state = State(allow_none=True)
    gstin = Gstin(allow_none=True)
    opening_balance = Quantity(2, minimum=-MAX_BALANCE, maximum=MAX_BALANCE)
    # Now, in the ledger's convention: positive = the party owes the mill, negative = the mill owes it.
    balance = Quantity(2, dump_only=True)
    created_by_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _state_matches_gstin(self, data, **kwargs):
        check_state_matches_gstin(data)


class PartyUpdateSchema(PartySchema):
    """Any writable field of a party (used with partial=True)."""


class PartyListQuerySchema(PageQuerySchema):
    format = format_field()
    kind = fields.Enum(PartyKind, by_value=True)
    q = Text(120)
    owing = Str(validate=validate.OneOf(["us", "them"]))


class PartyLedgerQuerySchema(DateRangeQuerySchema):
    """dateFrom, dateTo (ordered, inclusive); the ledger is not paged (page and perPage are ignored)."""


class PartyLedgerEntrySchema(CamelSchema):
    date = fields.Date()
    type = Str()
    document_id = fields.UUID()
    ref = Str(allow_none=True)
    debit = Quantity(2)
    credit = Quantity(2)
    balance = Quantity(2)


class PartyLedgerSchema(CamelSchema):
    party = fields.Nested(PartySchema)
    date_from = fields.Date(allow_none=True)
    date_to = fields.Date(allow_none=True)
    opening = Quantity(2)
    entries = fields.List(fields.Nested(PartyLedgerEntrySchema))
    total_debit = Quantity(2)
    total_credit = Quantity(2)
    closing = Quantity(2)
