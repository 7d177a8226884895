"""Paddy purchases on the wire. Computed fields are dump_only, so a body that sends them is refused (422)."""

from decimal import Decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.constants import MAX_LOT_KG, MAX_MOISTURE_PERCENT
from ..common.dates import sane_date
from ..common.export import format_field
from ..common.fields import Bags, Name, Phone, Rate
from ..common.schemas import CamelSchema, DateRangeQuerySchema, Quantity, Text, Weight
from ..finance.types import PaymentStatus


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
    moisture_percent = Quantity(3, minimum=0, maximum=MAX_MOISTURE_PERCENT, unit="%", required=True)
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

    # Said with the other missing fields, but only when neither was sent: a sent one has its own error.
    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _named(self, data, original_data, partial=None, **kwargs):
        sent = original_data if isinstance(original_data, dict) else {}
        if partial or data.get("party_id") or data.get("farmer_name") or "partyId" in sent or "farmerName" in sent:
            return
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
