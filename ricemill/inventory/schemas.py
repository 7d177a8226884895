"""Stock, its ledger and adjustments; inward and outward goods (docs/domain.md)."""

from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, validate, validates

from ..auth.actors import actor_of
from ..common.constants import KG
from ..common.dates import sane_date
from ..common.envelope import PageMetaSchema
from ..common.export import format_field
from ..common.fields import Bags
from ..common.schemas import CamelSchema, DateRangeQuerySchema, Quantity, Text, Weight
from ..common.text import Str
from .low_stock import get_severity
from .types import StockType

STOCK_TYPES = StockType.values()
MAX_KG = 10_000_000


class ActorSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


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
    stock_type = Str(required=True, validate=validate.OneOf(STOCK_TYPES))
    change = Quantity(3, required=True, minimum=-MAX_KG, maximum=MAX_KG)
    reason = Text(200, required=True)

    @validates("reason")
    def _not_blank(self, value: str, **kwargs) -> None:
        if not value.strip():
            raise ValidationError("Must not be blank.")

    @validates("change")
    def _not_zero(self, value: Decimal, **kwargs) -> None:
        if value.quantize(KG) == 0:
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
    stock_type = Str(required=True, validate=validate.OneOf(STOCK_TYPES))
    quantity_kg = Weight(required=True, validate=[validate.Range(min=0, min_inclusive=False)])
    bags = Bags()
    party_name = Text(120, allow_none=True)
    vehicle_number = Text(20, allow_none=True)
    notes = Text(500, allow_none=True, multiline=True)
    date = fields.Date(validate=sane_date)  # the mill's today when left out


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
    stock_type = Str(validate=validate.OneOf(STOCK_TYPES))
    party_name = Text(120, validate=[validate.Length(min=1)])
