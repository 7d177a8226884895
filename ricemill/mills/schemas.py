from marshmallow import ValidationError, fields, validate

from ..auth.schemas import MILL_ROLES
from ..common.schemas import CamelSchema, Quantity, Text


def _valid_timezone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Unknown time zone.") from None


class MillSettingsSchema(CamelSchema):
    standard_moisture_percent = Quantity(3, minimum=0, maximum=40)
    timezone = fields.String(validate=[validate.Length(min=1, max=64), _valid_timezone])


class MillSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    name = fields.String(dump_only=True)
    code = fields.String(dump_only=True)
    address = fields.String(dump_only=True, allow_none=True)
    phone = fields.String(dump_only=True, allow_none=True)
    settings = fields.Dict(dump_only=True)
    is_active = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class FirstAdminSchema(CamelSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name = Text(120, required=True)
    phone = Text(20, allow_none=True)
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=200))


class MillCreateSchema(CamelSchema):
    name = Text(120, required=True)
    code = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{1,19}$", error="2-20 capital letters, digits or '-'"),
    )
    address = Text(300, allow_none=True)
    phone = Text(20, allow_none=True)
    settings = fields.Nested(MillSettingsSchema)
    admin = fields.Nested(FirstAdminSchema, required=True)  # a mill nobody can run is never made


class MillUpdateSchema(CamelSchema):
    name = fields.String(validate=validate.Length(min=1, max=120))  # optional, never emptied
    address = Text(300, allow_none=True)
    phone = Text(20, allow_none=True)
    settings = fields.Nested(MillSettingsSchema)
    is_active = fields.Boolean()


class UserListQuerySchema(CamelSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    role = fields.String(validate=validate.OneOf(MILL_ROLES))
    is_active = fields.Boolean()
