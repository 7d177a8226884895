from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.export import export_list
from . import service
from .schemas import PaymentListQuerySchema, PaymentSchema, ReceiptListQuerySchema, ReceiptSchema

blp = Blueprint(
    "finance", __name__, url_prefix="/api/v1/mills", description="Payments made and received, and their receipts"
)


@blp.route("/<uuid:mill_id>/payments", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(PaymentListQuerySchema, location="query")
@blp.response(200, envelope(PaymentSchema, many=True))
def list_payments(query, mill_id):
    """List the mill's payments, newest first.

    Filters: dateFrom/dateTo (payment date, inclusive), direction, mode, purchaseId, saleId.
    """
    items, meta = service.list_payments(mill_id=mill_id, query=query)
    if meta is None:  # ?format=csv|xlsx: every filtered row, not one page
        return export_list(query["format"], "payments", items, PaymentSchema())
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/payments", methods=["POST"])
@mill_access(Permission.UPDATE)
@blp.arguments(PaymentSchema)
@blp.response(201, envelope(PaymentSchema))
def create_payment(data, mill_id):
    """Record a payment MADE (to a farmer or supplier) or RECEIVED (from a buyer).

    Linked to a purchase (MADE) or a sale (RECEIVED), it updates that document's paid amount and
    payment status; more than the balance is refused (409). partyName defaults to the document's
    farmer or buyer. A RECEIVED payment issues a receipt with the mill's next receipt number.
    """
    payment = service.create_payment(mill=g.mill, data=data, actor=g.user)
    return created(payment, "Payment recorded")


@blp.route("/<uuid:mill_id>/payments/<uuid:payment_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(PaymentSchema))
def get_payment(mill_id, payment_id):
    """Get one payment."""
    return ok(service.get_payment(mill_id=mill_id, payment_id=payment_id))


@blp.route("/<uuid:mill_id>/receipts", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(ReceiptListQuerySchema, location="query")
@blp.response(200, envelope(ReceiptSchema, many=True))
def list_receipts(query, mill_id):
    """List the mill's receipts, newest first.

    Filters: dateFrom/dateTo (receipt date, inclusive), partyName (contains, any case), paymentId.
    """
    items, meta = service.list_receipts(mill_id=mill_id, query=query)
    if meta is None:
        return export_list(query["format"], "receipts", items, ReceiptSchema())
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/receipts/<uuid:receipt_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(ReceiptSchema))
def get_receipt(mill_id, receipt_id):
    """Get one receipt (what a printed receipt shows)."""
    return ok(service.get_receipt(mill_id=mill_id, receipt_id=receipt_id))
