from marshmallow import ValidationError, fields, validate, validates_schema

from ..auth.schemas import MILL_ROLES
from ..common.constants import MAX_MOISTURE_PERCENT
from ..common.fields import Gstin, State, check_state_matches_gstin
from ..common.schemas import CamelSchema, PageQuerySchema, Quantity, Text
from ..common.text import Email, Str


def _valid_timezone(value: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Unknown time zone.") from None


class MillSettingsSchema(CamelSchema):
    standard_moisture_percent = Quantity(3, minimum=0, maximum=MAX_MOISTURE_PERCENT, unit="%")
    timezone = Text(64, validate=[validate.Length(min=1), _valid_timezone])
    # The letterhead of printed invoices and slips; the GST split compares the mill's state with the buyer's.
    gstin = Gstin(allow_none=True)
    state = State(allow_none=True)

    @validates_schema
    def _state_matches_gstin(self, data, **kwargs):
        check_state_matches_gstin(data)


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
    email = Email(required=True, validate=validate.Length(max=254))
    name = Text(120, required=True)
    phone = Text(20, allow_none=True)
    password = Str(required=True, load_only=True, validate=validate.Length(min=10, max=200))


class MillCreateSchema(CamelSchema):
    name = Text(120, required=True)
    code = Str(
        required=True,
        validate=validate.Regexp(r"^[A-Z0-9][A-Z0-9-]{1,19}$", error="2-20 capital letters, digits or '-'"),
    )
    address = Text(300, allow_none=True, multiline=True)
    phone = Text(20, allow_none=True)
    settings = fields.Nested(MillSettingsSchema)
    admin = fields.Nested(FirstAdminSchema, required=True)  # a mill nobody can run is never made


class MillUpdateSchema(CamelSchema):
    name = Text(120, validate=[validate.Length(min=1)])  # optional, never emptied
    address = Text(300, allow_none=True, multiline=True)
    phone = Text(20, allow_none=True)
    settings = fields.Nested(MillSettingsSchema)
    is_active = fields.Boolean()


class UserListQuerySchema(PageQuerySchema):
    role = Str(validate=validate.OneOf(MILL_ROLES))
    is_active = fields.Boolean()
