"""The mill's books as pages: parties and their ledgers, reports, printed documents.

Thin shells like every page: data comes from the REST API in the browser (parties.js, party.js,
reports.js), live on the socket events of what they show. Print pages are rendered on the server
(amounts in words, Indian rupee formatting) so the printed paper does not depend on a script.
"""

from flask import Blueprint, g, request

from ..common import printing, words
from ..common.errors import NotFound
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..parties.models import Party
from ..purchases.models import PaddyPurchase
from ..sales.models import Sale
from .pages import _page, _page_headers, _render

bp = Blueprint("books", __name__)
# The same headers as every page: CSP (own scripts and styles only), no framing, no caching.
bp.after_request(_page_headers)


@bp.get("/parties")
@_page
def parties():
    return _render("parties.html", page="parties")


@bp.get("/parties/<uuid:party_id>")
@_page
def party(party_id):
    return _render("party.html", page="parties", party_id=str(party_id))


REPORTS = {
    "day-book": "Day book",
    "stock-statement": "Stock statement",
    "purchases": "Purchase register",
    "sales": "Sales register",
    "milling": "Milling",
}


@bp.get("/reports")
@bp.get("/reports/<name>")
@_page
def reports(name: str = "day-book"):
    if name not in REPORTS:
        return _render("error.html", message="No such report"), 404
    return _render("reports.html", page="reports", report=name, reports=REPORTS)


# --- printed documents ----------------------------------------------------------------------------

PRINT_SIZES = ("a4", "80mm")


def _size() -> str:
    size = request.args.get("size", "a4").lower()
    return size if size in PRINT_SIZES else "a4"


@bp.get("/print/sales/<uuid:sale_id>")
@_page
def print_invoice(sale_id):
    """The sales tax invoice of a sale (A4, or 80 mm thermal with ?size=80mm)."""
    try:
        sale = get_mill_document(Sale, g.mill.id, sale_id, label="Sale")
    except NotFound:
        return _render("error.html", message="No such sale"), 404
    party = db_get(Party, sale.party_id)
    mill = printing.mill_letterhead(g.mill)
    return _render(
        "print_invoice.html",
        size=_size(),
        sale=sale,
        party=party,
        mill=mill,
        hsn=printing.HSN_RICE,
        gst=stored_split(sale, mill["state"]),
        money=words.money,
        words=words.rupees_in_words(sale.amount),
    )


@bp.get("/print/purchases/<uuid:purchase_id>")
@_page
def print_slip(purchase_id):
    """The weighbridge slip / purchase voucher of a purchase (A4, or 80 mm with ?size=80mm)."""
    try:
        purchase = get_mill_document(PaddyPurchase, g.mill.id, purchase_id, label="Purchase")
    except NotFound:
        return _render("error.html", message="No such purchase"), 404
    return _render(
        "print_slip.html",
        size=_size(),
        p=purchase,
        party=db_get(Party, purchase.party_id),
        mill=printing.mill_letterhead(g.mill),
        money=words.money,
        words=words.rupees_in_words(purchase.amount),
    )


def stored_split(sale, mill_state) -> dict:
    """The GST split stored on the sale when it was made (never recomputed from today's party); a
    sale without tax is shown as inter- or intra-state by the buyer's state stored with it."""
    rate = sale.tax_rate_percent
    if sale.igst_amount:
        return {"kind": "INTER", "igst": sale.igst_amount, "cgst": None, "sgst": None, "rate": rate, "half_rate": None}
    if sale.cgst_amount or sale.sgst_amount:
        return {"kind": "INTRA", "igst": None, "cgst": sale.cgst_amount, "sgst": sale.sgst_amount, "rate": rate,
                "half_rate": rate / 2}  # fmt: skip
    return printing.gst_split(0, rate, mill_state, sale.buyer_state)


def db_get(model, row_id):
    return db.session.get(model, row_id) if row_id else None
