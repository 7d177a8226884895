from marshmallow import fields, validate

from ..common.schemas import CamelSchema, Text
from ..common.text import Email, Str
from .roles import Role

MILL_ROLES = [Role.MILL_ADMIN.value, Role.MANAGER.value, Role.OPERATOR.value]


class LoginSchema(CamelSchema):
    email = Email(required=True, validate=validate.Length(max=254))
    password = Str(required=True, validate=validate.Length(min=1, max=200))


class LogoutSchema(CamelSchema):
    refresh_token = Str(validate=validate.Length(max=4096))


class UserSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    email = fields.Email(dump_only=True)
    name = fields.String(dump_only=True)
    phone = fields.String(dump_only=True, allow_none=True)
    role = fields.Enum(Role, by_value=True, dump_only=True)
    mill_id = fields.UUID(dump_only=True, allow_none=True)
    is_active = fields.Boolean(dump_only=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)


class TokensSchema(CamelSchema):
    access_token = fields.String(dump_only=True)
    refresh_token = fields.String(dump_only=True)


class LoginResultSchema(TokensSchema):
    user = fields.Nested(UserSchema)


class UserCreateSchema(CamelSchema):
    """A mill user. `role` is one of the mill roles (never SUPER_ADMIN); the mill comes from the URL."""

    email = Email(required=True, validate=validate.Length(max=254))
    name = Text(120, required=True)
    phone = Text(20, allow_none=True)
    role = Str(required=True, validate=validate.OneOf(MILL_ROLES))
    password = Str(required=True, load_only=True, validate=validate.Length(min=10, max=200))


class UserUpdateSchema(CamelSchema):
    email = Email(validate=validate.Length(max=254))
    name = Text(120, required=False)
    phone = Text(20, allow_none=True)
    role = Str(validate=validate.OneOf(MILL_ROLES))
    is_active = fields.Boolean()
    password = Str(load_only=True, validate=validate.Length(min=10, max=200))
