"""Sales on the wire. amount, invoiceNo, paidAmount and paymentStatus are the server's (dump_only)."""

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.constants import MAX_LOT_KG
from ..common.dates import sane_date
from ..common.export import format_field
from ..common.fields import Bags, Name, Phone, Rate
from ..common.schemas import CamelSchema, DateRangeQuerySchema, Quantity, Text, Weight
from ..finance.types import PaymentStatus
from ..inventory.types import StockType


class SaleSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    mill_id = fields.UUID(dump_only=True)
    invoice_no = fields.Integer(dump_only=True)
    invoice_number = fields.String(dump_only=True)  # 2026-27/0001: the number within its financial year
    # The party (buyer) of the mill; without it the party is found by (name, phone) or created.
    party_id = fields.UUID()
    buyer_name = Name()
    buyer_phone = Phone()
    stock_type = fields.Enum(StockType, by_value=True, required=True)
    quantity_kg = Weight(required=True, maximum=MAX_LOT_KG, validate=[validate.Range(min=0, min_inclusive=False)])
    bags = Bags()
    rate_per_quintal = Rate(required=True)
    # GST rate of this sale: 0 by default (loose rice), 5 is common for packed rice.
    tax_rate_percent = Quantity(2, minimum=0, maximum=28)
    taxable_value = Quantity(2, dump_only=True)
    tax_amount = Quantity(2, dump_only=True)
    # The GST as invoiced, fixed when the sale is made: CGST + SGST (same state) or IGST; the
    # buyer's state and GSTIN then (a later change of the party does not change the invoice).
    cgst_amount = Quantity(2, dump_only=True)
    sgst_amount = Quantity(2, dump_only=True)
    igst_amount = Quantity(2, dump_only=True)
    buyer_state = fields.String(dump_only=True, allow_none=True)
    buyer_gstin = fields.String(dump_only=True, allow_none=True)
    amount = Quantity(2, dump_only=True)  # taxable value + tax
    sale_date = fields.Date(validate=sane_date)
    vehicle_number = Text(20, allow_none=True)
    paid_amount = Quantity(2, dump_only=True)
    payment_status = fields.Enum(PaymentStatus, by_value=True, dump_only=True)
    created_by_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)

    # Said with the other missing fields, but only when neither was sent: a sent one has its own error.
    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _named(self, data, original_data, partial=None, **kwargs):
        sent = original_data if isinstance(original_data, dict) else {}
        if partial or data.get("party_id") or data.get("buyer_name") or "partyId" in sent or "buyerName" in sent:
            return
        raise ValidationError("Missing data for required field.", field_name="buyerName")


class SaleUpdateSchema(SaleSchema):
    """Any writable field of a sale (used with partial=True; its own name in the OpenAPI doc)."""


class SaleListQuerySchema(DateRangeQuerySchema):
    format = format_field()
    buyer_name = Text(120)
    stock_type = fields.Enum(StockType, by_value=True)
    payment_status = fields.Enum(PaymentStatus, by_value=True)
