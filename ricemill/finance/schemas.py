"""Payments and receipts on the wire. A payment's receipt, and a receipt's number, are the server's."""

from marshmallow import ValidationError, fields, validate, validates_schema

from ..common.dates import sane_date
from ..common.export import format_field
from ..common.fields import Name
from ..common.schemas import CamelSchema, DateRangeQuerySchema, Money, Quantity, Text
from ..common.words import rupees_in_words
from .types import PaymentDirection, PaymentMode

MAX_PAYMENT = 1_000_000_000  # 100 crore rupees: far above any single payment of a mill


class PaymentSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    mill_id = fields.UUID(dump_only=True)
    direction = fields.Enum(PaymentDirection, by_value=True, required=True)
    # The party paid or paying; else the linked purchase's or sale's, else found by name or created.
    party_id = fields.UUID()
    party_name = Name(allow_none=True)
    amount = Money(required=True, maximum=MAX_PAYMENT, validate=[validate.Range(min=0, min_inclusive=False)])
    mode = fields.Enum(PaymentMode, by_value=True, required=True)
    reference = Text(80, allow_none=True)
    purchase_id = fields.UUID(allow_none=True)
    sale_id = fields.UUID(allow_none=True)
    payment_date = fields.Date(validate=sane_date)
    notes = Text(500, allow_none=True, multiline=True)
    created_by_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)

    @validates_schema
    def _one_document_in_the_right_direction(self, data, **kwargs):
        purchase_id, sale_id, direction = data.get("purchase_id"), data.get("sale_id"), data.get("direction")
        if purchase_id and sale_id:
            raise ValidationError("Link a purchase or a sale, not both.", field_name="saleId")
        if purchase_id and direction == PaymentDirection.RECEIVED:
            raise ValidationError(
                "A payment for a purchase is made to the farmer, not received.", field_name="purchaseId"
            )
        if sale_id and direction == PaymentDirection.MADE:
            raise ValidationError("A payment for a sale is received from the buyer, not made.", field_name="saleId")


class ReceiptSchema(CamelSchema):
    id = fields.UUID(dump_only=True)
    mill_id = fields.UUID(dump_only=True)
    receipt_no = fields.Integer(dump_only=True)
    payment_id = fields.UUID(dump_only=True)
    party_name = fields.String(dump_only=True)
    amount = Quantity(2, dump_only=True)
    amount_in_words = fields.Method("_in_words", dump_only=True)  # "Rupees ... Only", as printed
    receipt_date = fields.Date(dump_only=True)
    created_by_id = fields.UUID(dump_only=True, allow_none=True)
    created_at = fields.DateTime(dump_only=True)

    def _in_words(self, receipt) -> str:
        return rupees_in_words(receipt.amount)


class PaymentListQuerySchema(DateRangeQuerySchema):
    format = format_field()
    direction = fields.Enum(PaymentDirection, by_value=True)
    mode = fields.Enum(PaymentMode, by_value=True)
    purchase_id = fields.UUID()
    sale_id = fields.UUID()


class ReceiptListQuerySchema(DateRangeQuerySchema):
    format = format_field()
    party_name = Text(120)
    payment_id = fields.UUID()
