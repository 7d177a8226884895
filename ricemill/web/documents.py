"""What each document page shows: its REST path, form fields, list columns and live events.

One declarative table instead of one template per document; field names are the API's camelCase
keys (docs/domain.md), so a 422's `errors[].field` lands next to the input of the same name.
"""

from ..finance.types import PaymentMode
from ..inventory.types import StockType

STOCK_TYPES = StockType.values()
PAYMENT_MODES = PaymentMode.values()


def field(name, label, kind="text", *, required=False, **extra):
    return {"name": name, "label": label, "kind": kind, "required": required, **extra}


def column(key, label, fmt="text"):
    return {"key": key, "label": label, "fmt": fmt}


def _goods(kind: str, title: str, *, default_type: str) -> dict:
    """Inward and outward goods: one shape, two directions."""
    return {
        "title": title,
        "singular": kind,
        "entity": kind,
        "path": f"{kind}s",
        "events": [f"{kind.upper()}_CREATED"],
        "permission": "CREATE",
        "fields": [
            field("stockType", "Stock type", "select", required=True, options=STOCK_TYPES, default=default_type),
            field("quantityKg", "Quantity (kg)", "number", required=True, step="0.001"),
            field("bags", "Bags", "int"),
            field("partyName", "Party", maxlength=120),
            field("vehicleNumber", "Vehicle number", maxlength=20),
            field("notes", "Notes", "textarea", maxlength=500),
            field("date", "Date", "date", today=True),
        ],
        "columns": [
            column("date", "Date", "date"),
            column("stockType", "Type", "status"),
            column("quantityKg", "Quantity", "kg"),
            column("partyName", "Party"),
            column("vehicleNumber", "Vehicle"),
        ],
        "search": {"param": "partyName", "label": "Party"},
        "totals": [column("quantityKg", "Quantity", "kg")],
    }


DOCUMENTS = {
    "purchases": {
        "title": "Paddy purchases",
        "singular": "purchase",
        "entity": "purchase",
        "path": "paddy-purchases",
        "events": ["PURCHASE_CREATED", "PURCHASE_UPDATED", "PURCHASE_DELETED", "PAYMENT_MADE"],
        "permission": "CREATE",
        "fields": [
            field("farmerName", "Farmer name", required=True, maxlength=120),
            field("farmerPhone", "Farmer phone", "tel", maxlength=20),
            field("village", "Village", maxlength=120),
            field("variety", "Variety", maxlength=60),
            field("bags", "Bags", "int"),
            field("grossWeightKg", "Gross weight (kg)", "number", required=True, step="0.001"),
            field("tareWeightKg", "Tare weight (kg)", "number", step="0.001"),
            field("moisturePercent", "Moisture (%)", "number", required=True, step="0.01"),
            field("ratePerQuintal", "Rate per quintal (₹)", "number", required=True, step="0.01"),
            field("vehicleNumber", "Vehicle number", maxlength=20),
            field("weighSlipNo", "Weigh slip no.", maxlength=40),
            field("purchaseDate", "Date", "date", today=True),
        ],
        "columns": [
            column("purchaseDate", "Date", "date"),
            column("farmerName", "Farmer"),
            column("netWeightKg", "Net weight", "kg"),
            column("moistureDeductionKg", "Moisture cut", "kg"),
            column("ratePerQuintal", "Rate/q", "money"),
            column("amount", "Amount", "money"),
            column("paymentStatus", "Payment", "status"),
        ],
        "preview": "purchase",
        "print": {"path": "purchases", "label": "Slip"},  # /print/purchases/<id>: the weighbridge slip
        "deletable": True,
        "editable": True,
        "search": {"param": "farmerName", "label": "Farmer"},
        "totals": [column("netWeightKg", "Net weight", "kg"), column("amount", "Amount", "money")],
    },
    "sales": {
        "title": "Sales",
        "singular": "sale",
        "entity": "sale",
        "path": "sales",
        "events": ["SALE_CREATED", "SALE_UPDATED", "SALE_DELETED", "PAYMENT_RECEIVED"],
        "permission": "CREATE",
        "fields": [
            field("buyerName", "Buyer name", required=True, maxlength=120),
            field("buyerPhone", "Buyer phone", "tel", maxlength=20),
            field("stockType", "Stock type", "select", required=True, options=STOCK_TYPES, default="RICE"),
            field("quantityKg", "Quantity (kg)", "number", required=True, step="0.001"),
            field("bags", "Bags", "int"),
            field("ratePerQuintal", "Rate per quintal (₹)", "number", required=True, step="0.01"),
            field("vehicleNumber", "Vehicle number", maxlength=20),
            field("saleDate", "Date", "date", today=True),
        ],
        "columns": [
            column("invoiceNo", "Invoice", "int"),
            column("saleDate", "Date", "date"),
            column("buyerName", "Buyer"),
            column("stockType", "Type", "status"),
            column("quantityKg", "Quantity", "kg"),
            column("amount", "Amount", "money"),
            column("paymentStatus", "Payment", "status"),
        ],
        "preview": "sale",
        "print": {"path": "sales", "label": "Invoice"},  # /print/sales/<id>: the tax invoice
        "deletable": True,
        "editable": True,
        "search": {"param": "buyerName", "label": "Buyer"},
        "totals": [column("quantityKg", "Quantity", "kg"), column("amount", "Amount", "money")],
    },
    "inwards": _goods("inward", "Inward goods", default_type="PADDY"),
    "outwards": _goods("outward", "Outward goods", default_type="RICE"),
    "payments": {
        "title": "Payments",
        "singular": "payment",
        "entity": "payment",
        "path": "payments",
        "events": ["PAYMENT_RECEIVED", "PAYMENT_MADE", "RECEIPT_CREATED", "PURCHASE_CREATED", "SALE_CREATED"],
        "permission": "UPDATE",
        "fields": [
            field("direction", "Direction", "select", required=True, options=["RECEIVED", "MADE"], default="RECEIVED"),
            field("amount", "Amount (₹)", "number", required=True, step="0.01"),
            field("mode", "Mode", "select", required=True, options=PAYMENT_MODES, default="CASH"),
            # optional links: the page fills these with the documents that still have a balance
            # only the one of the chosen direction is shown (and sent)
            field("saleId", "For sale", "select", options=[], source="sales", when={"direction": "RECEIVED"}),
            field(
                "purchaseId", "For purchase", "select", options=[], source="paddy-purchases", when={"direction": "MADE"}
            ),
            field("partyName", "Party (default: the document's)", maxlength=120),
            field("reference", "Reference", maxlength=80),
            field("paymentDate", "Date", "date", today=True),
        ],
        "columns": [
            column("paymentDate", "Date", "date"),
            column("direction", "Direction", "status"),
            column("partyName", "Party"),
            column("mode", "Mode", "status"),
            column("amount", "Amount", "money"),
        ],
        "filters": [{"param": "direction", "label": "Direction", "options": ["RECEIVED", "MADE"]}],
        "totals": [column("received", "Received", "money"), column("made", "Paid out", "money")],
    },
    "staff": {
        "title": "Staff",
        "singular": "staff member",
        "entity": "staff",
        "path": "staff",
        "events": ["STAFF_JOINED", "STAFF_LEFT"],
        "permission": "UPDATE",
        "fields": [
            field("name", "Name", required=True, maxlength=120),
            field("phone", "Phone", "tel", maxlength=20),
            field("designation", "Designation", maxlength=60),
            field("dailyWage", "Daily wage (₹)", "number", required=True, step="0.01"),
            field("joinedOn", "Joined on", "date", today=True),
        ],
        "columns": [
            column("name", "Name"),
            column("designation", "Designation"),
            column("phone", "Phone"),
            column("dailyWage", "Daily wage", "money"),
            column("joinedOn", "Joined", "date"),
            column("status", "Status", "status"),
        ],
        "row_action": "leave",
        "filters": [{"param": "status", "label": "Status", "options": ["ACTIVE", "LEFT"]}],
        "undated": True,  # no date range filter
    },
}
