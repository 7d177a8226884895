from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.schemas import CamelSchema
from ..common.text import Str


class PasswordChangeSchema(CamelSchema):
    current_password = Str(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = Str(required=True, load_only=True, validate=validate.Length(min=10, max=200))

    @validates_schema
    def _differs(self, data, **kwargs):
        if data.get("current_password") and data.get("current_password") == data.get("new_password"):
            raise ValidationError("Choose a password different from the current one.", "newPassword")


class PasswordChangedSchema(CamelSchema):
    """Bearer clients get their new pair here; the pages get it as cookies instead."""

    access_token = fields.String(dump_only=True)
    refresh_token = fields.String(dump_only=True)
