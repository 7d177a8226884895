from marshmallow import Schema, fields


class OptionSchema(Schema):
    value = fields.String()
    label = fields.String()


class MetaSchema(Schema):
    """Wire names as keys (the service builds the camelCase dict)."""

    millDefaults = fields.Dict(metadata={"description": "standardMoisturePercent, timezone of a new mill"})  # noqa: N815
    units = fields.Dict(metadata={"description": "weight unit, decimal places, kg per quintal"})
    moisture = fields.Dict(metadata={"description": "the moisture deduction formula and its rounding"})
    limits = fields.Dict(metadata={"description": "upper bounds the API enforces"})
    stockTypes = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    millingOutputs = fields.List(fields.String())  # noqa: N815
    paymentModes = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    paymentDirections = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    paymentStatuses = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    attendanceStatuses = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    batchStatuses = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    staffStatuses = fields.List(fields.Nested(OptionSchema))  # noqa: N815
    roles = fields.List(fields.Nested(OptionSchema))
