"""The mill's books as pages: parties and their ledgers, reports, printed documents.

Thin shells like every page: data comes from the REST API in the browser (parties.js, party.js,
reports.js), live on the socket events of what they show. Print pages are rendered on the server
(amounts in words, Indian rupee formatting) so the printed paper does not depend on a script.
"""

from flask import Blueprint

from .pages import _page, _render

bp = Blueprint("books", __name__)


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
