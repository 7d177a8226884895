"""Stock, its ledger and adjustments; inward and outward goods (DOMAIN.md)."""

from datetime import date, timedelta
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..common.envelope import PageMetaSchema
from ..common.schemas import CamelSchema, DateRangeQuerySchema, Quantity, Text, Weight
from ..reports.export import format_field
from .alerts import get_severity
from .types import StockType

STOCK_TYPES = StockType.values()
MAX_KG = 10_000_000


def actor_of(user_id):
    """{id, name} of a user id (the identity map makes repeats free), or None."""
    if user_id is None:
        return None
    from ..auth.models import User
    from ..extensions import db

    user = db.session.get(User, user_id)
    return user.actor if user is not None else {"id": str(user_id), "name": None}


class ActorSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


def _plausible_date(value) -> bool:
    """Not before 2000 and not more than a day ahead (time zones): anything else is a typo."""
    if not date(2000, 1, 1) <= value <= date.today() + timedelta(days=1):
        raise ValidationError("Must be a date between 2000-01-01 and tomorrow.")
    return True


# --- stock -------------------------------------------------------------------------------------


class StockSchema(CamelSchema):
    stock_type = fields.Enum(StockType, by_value=True, dump_only=True)
    quantity = Weight(dump_only=True)
    min_stock_level = Weight(dump_only=True)
    low = fields.Method("_low", dump_only=True)
    severity = fields.Method("_severity", dump_only=True, allow_none=True)
    updated_at = fields.DateTime(dump_only=True)

    def _low(self, stock) -> bool:
        return stock.min_stock_level > 0 and stock.quantity <= stock.min_stock_level

    def _severity(self, stock):
        return get_severity(stock.quantity, stock.min_stock_level)


class LedgerEntrySchema(CamelSchema):
    id = fields.Integer(dump_only=True)
    change = Quantity(3, dump_only=True)
    quantity_after = Weight(dump_only=True)
    reason = fields.String(dump_only=True)
    ref_type = fields.String(dump_only=True, allow_none=True)
    ref_id = fields.UUID(dump_only=True, allow_none=True)
    user_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class StockDetailSchema(StockSchema):
    """One stock with a page of its ledger (newest first); the page is in the envelope's `meta`."""

    ledger = fields.Nested(LedgerEntrySchema, many=True, dump_only=True)


class StockDetailEnvelope(Schema):
    success = fields.Boolean()
    statusCode = fields.Integer()  # noqa: N815 - the envelope's wire names
    message = fields.String()
    data = fields.Nested(StockDetailSchema)
    meta = fields.Nested(PageMetaSchema)


class LedgerQuerySchema(DateRangeQuerySchema):
    """page, perPage, dateFrom, dateTo (days in the mill's time zone)."""

    format = format_field()


class MinimumLevelSchema(CamelSchema):
    min_stock_level = Weight(required=True)


class AdjustmentCreateSchema(CamelSchema):
    stock_type = fields.String(required=True, validate=validate.OneOf(STOCK_TYPES))
    change = Quantity(3, required=True, minimum=-MAX_KG, maximum=MAX_KG)
    reason = Text(200, required=True)

    @validates("reason")
    def _not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError("Must not be blank.")

    @validates("change")
    def _not_zero(self, value: Decimal, **kwargs) -> None:
        if value.quantize(Decimal("0.001")) == 0:
            raise ValidationError("Must not be zero.")


class AdjustmentSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    stock_type = fields.Enum(StockType, by_value=True, dump_only=True)
    change = Quantity(3, dump_only=True)
    reason = fields.String(dump_only=True)
    quantity_after = Weight(dump_only=True)
    created_by = fields.Function(lambda adj: actor_of(adj.created_by_id), dump_only=True)
    created_at = fields.DateTime(dump_only=True)


# --- inward / outward goods --------------------------------------------------------------------


class GoodsMovementCreateSchema(CamelSchema):
    stock_type = fields.String(required=True, validate=validate.OneOf(STOCK_TYPES))
    quantity_kg = Weight(required=True, validate=[validate.Range(min=0, min_inclusive=False)])
    bags = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=1_000_000), strict=True)
    party_name = Text(120, allow_none=True)
    vehicle_number = Text(20, allow_none=True)
    notes = Text(500, allow_none=True)
    date = fields.Date(validate=_plausible_date)  # the mill's today when left out


class GoodsMovementSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    stock_type = fields.Enum(StockType, by_value=True, dump_only=True)
    quantity_kg = Weight(dump_only=True)
    bags = fields.Integer(dump_only=True, allow_none=True)
    party_name = fields.String(dump_only=True, allow_none=True)
    vehicle_number = fields.String(dump_only=True, allow_none=True)
    notes = fields.String(dump_only=True, allow_none=True)
    date = fields.Date(attribute="movement_date", dump_only=True)
    created_by = fields.Function(lambda doc: actor_of(doc.created_by_id), dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class InwardSchema(GoodsMovementSchema):
    pass


class OutwardSchema(GoodsMovementSchema):
    pass


class GoodsMovementQuerySchema(DateRangeQuerySchema):
    format = format_field()
    stock_type = fields.String(validate=validate.OneOf(STOCK_TYPES))
    party_name = fields.String(validate=validate.Length(min=1, max=120))
