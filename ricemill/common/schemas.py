"""Base schemas: camelCase on the wire, unknown fields refused, exact decimals."""

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from . import words
from .dates import check_date_range
from .text import Str, follows_text_rule

_INSTANCES: dict[type[Schema], Schema] = {}


def schema_instance(schema):
    """`schema` itself if it is not a Schema class, else the one shared instance of that class: building
    a schema (its fields bound and copied) costs more than loading or dumping a small document with it."""
    if not (isinstance(schema, type) and issubclass(schema, Schema)):
        return schema
    instance = _INSTANCES.get(schema)
    if instance is None:
        instance = _INSTANCES[schema] = schema()
    return instance


def camelcase(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class CamelSchema(Schema):
    """snake_case attributes, camelCase JSON keys; unknown keys raise (422).

    Text that is loaded goes through `common.text.Str` (the text rule): a plain `fields.String`
    taking input is a programming error, refused when the schema is first built.
    """

    TYPE_MAPPING = {**Schema.TYPE_MAPPING, str: Str}

    class Meta:
        unknown = RAISE
        ordered = True

    def on_bind_field(self, field_name, field_obj):
        if not follows_text_rule(field_obj):
            raise TypeError(
                f"{type(self).__name__}.{field_name}: input text must be a common.text.Str (Text, Name, ...), "
                "not a plain fields.String"
            )
        field_obj.data_key = camelcase(field_obj.data_key or field_name)
        _choices_in_words(field_obj)


def _choices_in_words(field_obj) -> None:
    """An enum field's or a choice's refusal names the choices by their labels ("Must be one of:
    Cash, Bank transfer, UPI, Cheque."), not by their codes; the codes are in /meta and the OpenAPI."""
    if isinstance(field_obj, fields.Enum):
        field_obj.choices_text = words.labels_text(member.value for member in field_obj.enum)
    for validator in field_obj.validators:
        if isinstance(validator, validate.OneOf):
            validator.choices_text = words.labels_text(validator.choices)


class Bounds(validate.Range):
    """An inclusive range whose refusal reads in its unit: "At most ₹10,00,000.00.", "Must not be negative."."""

    def __init__(self, minimum=None, maximum=None, *, unit: str | None = None):
        super().__init__(min=minimum, max=maximum)
        self.unit = unit

    def __call__(self, value):
        if (self.min is not None and value < self.min) or (self.max is not None and value > self.max):
            raise ValidationError(words.out_of_bounds(value, self.min, self.max, self.unit))
        return value


class Quantity(fields.Decimal):
    """An exact decimal in, a JSON number out. Strings, NaN and infinities are refused."""

    def __init__(self, places: int = 3, *, minimum=None, maximum=None, unit: str | None = None, **kwargs):
        validators = list(kwargs.pop("validate", []) or [])
        if minimum is not None or maximum is not None:
            validators.append(Bounds(minimum, maximum, unit=unit))
        kwargs.setdefault("rounding", ROUND_HALF_UP)  # the trade rounds half up, not to even
        super().__init__(places=places, allow_nan=False, validate=validators, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise ValidationError("Must be a number.")
        return super()._deserialize(value, attr, data, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return float(Decimal(value))


def Weight(**kwargs) -> Quantity:  # noqa: N802 - reads as a field type
    """Kilograms, 3 places, 0 .. 10,000 tonnes."""
    kwargs.setdefault("minimum", 0)
    kwargs.setdefault("maximum", 10_000_000)
    return Quantity(3, unit="kg", **kwargs)


def Money(**kwargs) -> Quantity:  # noqa: N802
    """Rupees, 2 places, 0 .. 1,000 crore."""
    kwargs.setdefault("minimum", 0)
    kwargs.setdefault("maximum", 10_000_000_000)
    return Quantity(2, unit="₹", **kwargs)


def Text(max_length: int = 200, *, required: bool = False, multiline: bool = False, **kwargs) -> Str:  # noqa: N802
    """Free text under the text rule, at most `max_length` characters (the column's String(n))."""
    validators = [validate.Length(min=1 if required else 0, max=max_length), *(kwargs.pop("validate", None) or [])]
    return Str(required=required, multiline=multiline, validate=validators, **kwargs)


class PageQuerySchema(CamelSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class DateRangeQuerySchema(PageQuerySchema):
    """page, perPage, dateFrom, dateTo (inclusive); dateFrom after dateTo is a 422 on every list."""

    date_from = fields.Date()
    date_to = fields.Date()

    @validates_schema
    def _ordered_range(self, data, **kwargs):
        check_date_range(data)
