"""The seed's response envelope: {success, statusCode, message, data[, meta]}."""

from marshmallow import Schema, fields

from .schemas import CamelSchema

_cache: dict[tuple, type[Schema]] = {}


def ok(data=None, message: str = "Success", status: int = 200, meta: dict | None = None) -> dict:
    body = {"success": True, "statusCode": status, "message": message, "data": data}
    if meta is not None:
        body["meta"] = meta
    return body


def created(data=None, message: str = "Created successfully") -> dict:
    return ok(data, message, 201)


class PageMetaSchema(CamelSchema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    totals = fields.Dict(metadata={"description": "sums over every filtered row (all pages), where the list has them"})


def envelope(data_schema=None, *, many: bool = False, name: str | None = None) -> type[Schema]:
    """A response schema wrapping `data_schema` in the envelope (named, for the OpenAPI doc)."""
    key = (data_schema, many)
    if key in _cache:
        return _cache[key]
    if data_schema is None:
        data_field = fields.Raw(allow_none=True)
        base = "Empty"
    else:
        data_field = fields.Nested(data_schema, many=many)
        base = getattr(data_schema, "__name__", data_schema.__class__.__name__).removesuffix("Schema")
    attrs = {
        "success": fields.Boolean(),
        "statusCode": fields.Integer(),
        "message": fields.String(),
        "data": data_field,
    }
    if many:
        attrs["meta"] = fields.Nested(PageMetaSchema)
    schema_name = name or f"{base}{'List' if many else ''}Envelope"
    schema = type(schema_name, (Schema,), attrs)
    _cache[key] = schema
    return schema
