"""Paddy purchases on the wire. Computed fields are dump_only, so a body that sends them is refused (422)."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.schemas import CamelSchema, DateRangeQuerySchema, Money, Quantity, Text, Weight
from ..finance.types import PaymentStatus
from ..reports.export import format_field

# Sane bounds: no truck lot weighs more than this, no rate is quoted above this per quintal.
MAX_LOT_KG = 1_000_000
MAX_RATE_PER_QUINTAL = 1_000_000
MAX_BAGS = 100_000
EARLIEST_DATE = date(2000, 1, 1)


def sane_date(value: date) -> None:
    """Not before 2000 and not after tomorrow (UTC; covers every time zone's today)."""
    latest = datetime.now(UTC).date() + timedelta(days=1)
    if not EARLIEST_DATE <= value <= latest:
        raise ValidationError(f"Must be between {EARLIEST_DATE.isoformat()} and {latest.isoformat()}.")


def Name(max_length: int = 120, **kwargs) -> fields.String:  # noqa: N802
    """A person's or firm's name: length-limited and not just spaces."""
    validators = [validate.Length(min=1, max=max_length), validate.Regexp(r"\s*\S", error="Must not be blank.")]
    return fields.String(validate=validators, **kwargs)


def Phone(**kwargs) -> fields.String:  # noqa: N802 - reads as a field type
    """An Indian or international phone number: digits, spaces and dashes, optional leading +."""
    return fields.String(
        validate=validate.Regexp(r"^\+?[0-9][0-9 -]{5,18}$", error="Not a valid phone number."),
        allow_none=True,
        **kwargs,
    )


def Rate(**kwargs) -> Quantity:  # noqa: N802
    """Rupees per quintal: more than 0, at most MAX_RATE_PER_QUINTAL."""
    return Money(validate=[validate.Range(min=0, min_inclusive=False)], maximum=MAX_RATE_PER_QUINTAL, **kwargs)


def Bags(**kwargs) -> fields.Integer:  # noqa: N802
    return fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0, max=MAX_BAGS), **kwargs)


class PurchaseSchema(CamelSchema):
    """A paddy purchase. Writable fields are those without dump_only; the rest the server computes."""

    id = fields.UUID(dump_only=True)
    mill_id = fields.UUID(dump_only=True)
    # The party (farmer) of the mill; without it the party is found by (name, phone) or created.
    party_id = fields.UUID()
    farmer_name = Name()
    farmer_phone = Phone()
    village = Text(120, allow_none=True)
    variety = Text(60, allow_none=True)
    bags = Bags()
    gross_weight_kg = Weight(required=True, maximum=MAX_LOT_KG, validate=[validate.Range(min=0, min_inclusive=False)])
    tare_weight_kg = Weight(maximum=MAX_LOT_KG, load_default=Decimal("0"))
    moisture_percent = Quantity(3, minimum=0, maximum=40, required=True)
    standard_moisture_percent = Quantity(3, dump_only=True)
    moisture_deduction_kg = Quantity(3, dump_only=True)
    net_weight_kg = Quantity(3, dump_only=True)
    rate_per_quintal = Rate(required=True)
    amount = Quantity(2, dump_only=True)
    vehicle_number = Text(20, allow_none=True)
    weigh_slip_no = Text(40, allow_none=True)
    purchase_date = fields.Date(validate=sane_date)
    paid_amount = Quantity(2, dump_only=True)
    payment_status = fields.Enum(PaymentStatus, by_value=True, dump_only=True)
    created_by_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _named(self, data, partial=None, **kwargs):
        if not partial and not data.get("party_id") and not data.get("farmer_name"):
            raise ValidationError("Missing data for required field.", field_name="farmerName")

    @validates_schema
    def _gross_above_tare(self, data, **kwargs):
        gross, tare = data.get("gross_weight_kg"), data.get("tare_weight_kg")
        if gross is not None and tare is not None and tare >= gross:
            raise ValidationError("Must be less than the gross weight.", field_name="tareWeightKg")


class PurchaseUpdateSchema(PurchaseSchema):
    """Any writable field; the server checks gross > tare against the merged purchase."""

    # No load_default on update: an absent tare keeps the stored one.
    tare_weight_kg = Weight(maximum=MAX_LOT_KG)


class PurchaseListQuerySchema(DateRangeQuerySchema):
    format = format_field()
    farmer_name = Text(120)
    village = Text(120)
    payment_status = fields.Enum(PaymentStatus, by_value=True)

    @validates_schema
    def _ordered_range(self, data, **kwargs):
        check_date_range(data)


def check_date_range(data: dict) -> None:
    start, end = data.get("date_from"), data.get("date_to")
    if start and end and start > end:
        raise ValidationError("Must not be after dateTo.", field_name="dateFrom")
