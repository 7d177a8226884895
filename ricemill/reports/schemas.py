"""Report queries. Every report takes `format` (json, csv, xlsx); a date range must be ordered (422)."""

from marshmallow import fields, validate, validates_schema

from ..common.schemas import CamelSchema
from ..purchases.schemas import check_date_range
from .export import FORMATS


class FormatQuerySchema(CamelSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))


class DayBookQuerySchema(FormatQuerySchema):
    date = fields.Date()


class RangeQuerySchema(FormatQuerySchema):
    date_from = fields.Date()
    date_to = fields.Date()

    @validates_schema
    def _ordered_range(self, data, **kwargs):
        check_date_range(data)


class RegisterQuerySchema(RangeQuerySchema):
    group_by = fields.String(load_default="day", validate=validate.OneOf(["day", "party", "variety"]))
