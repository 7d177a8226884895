"""Report queries. Every report takes `format` (json, csv, xlsx); a date range must be ordered (422)."""

from marshmallow import fields, validate

from ..common.export import FORMATS
from ..common.schemas import CamelSchema, DateRangeQuerySchema
from ..common.text import Str


class FormatQuerySchema(CamelSchema):
    format = Str(load_default="json", validate=validate.OneOf(FORMATS))


class DayBookQuerySchema(FormatQuerySchema):
    date = fields.Date()


class RangeQuerySchema(DateRangeQuerySchema, FormatQuerySchema):
    """dateFrom, dateTo: ordered and inclusive (the one range rule); a report is not paged."""


class RegisterQuerySchema(RangeQuerySchema):
    group_by = Str(load_default="day", validate=validate.OneOf(["day", "party", "variety"]))
