"""Reports: day book, stock statement, purchase and sales registers, milling. Each answers JSON
(`{rows, totals}` in the envelope) or, with `?format=csv|xlsx`, the same rows as a file."""

from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import envelope, ok
from ..common.export import Column, export, json_value
from . import service
from .schemas import DayBookQuerySchema, RangeQuerySchema, RegisterQuerySchema

blp = Blueprint("reports", __name__, url_prefix="/api/v1/mills", description="Reports, as JSON, CSV or XLSX")

DAY_BOOK = [
    Column("type", "Entry"), Column("ref", "Ref"), Column("party", "Party"), Column("stockType", "Stock type"),
    Column("quantityKg", "Quantity (kg)", "kg"), Column("amount", "Amount (₹)", "money"),
    Column("documentId", "Document id"),
]  # fmt: skip
STOCK = [
    Column("stockType", "Stock type"), Column("openingKg", "Opening (kg)", "kg"), Column("inKg", "In (kg)", "kg"),
    Column("outKg", "Out (kg)", "kg"), Column("closingKg", "Closing (kg)", "kg"),
]  # fmt: skip
MILLING = [
    Column("completedAt", "Completed", "datetime"), Column("variety", "Variety"),
    Column("paddyInputKg", "Paddy in (kg)", "kg"), Column("riceKg", "Rice (kg)", "kg"),
    Column("brokenRiceKg", "Broken rice (kg)", "kg"), Column("branKg", "Bran (kg)", "kg"),
    Column("huskKg", "Husk (kg)", "kg"), Column("outturnPercent", "Outturn %", "number"),
    Column("lossKg", "Loss (kg)", "kg"), Column("lossPercent", "Loss %", "number"), Column("batchId", "Batch id"),
]  # fmt: skip
GROUP_HEADERS = {"day": ("Date", "date"), "party": ("Party", "text"), "variety": ("Variety", "text")}


def register_columns(group_by: str, weight_key: str, weight_header: str) -> list[Column]:
    header, kind = GROUP_HEADERS[group_by]
    return [
        Column(group_by, header, kind), Column("count", "Documents", "int"), Column(weight_key, weight_header, "kg"),
        Column("amount", "Amount (₹)", "money"), Column("paidAmount", "Paid (₹)", "money"),
        Column("balance", "Balance (₹)", "money"),
    ]  # fmt: skip


def answer(report: dict, fmt: str, name: str, columns: list[Column]):
    if fmt == "json":
        return ok(json_value(report))
    return export(fmt, name, columns, report["rows"])


@blp.route("/<uuid:mill_id>/reports/day-book", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(DayBookQuerySchema, location="query")
@blp.response(200, envelope())
def day_book(query, mill_id):
    """Every document of one day (default: the mill's today) with each kind's count, kg and amount."""
    report = service.day_book(mill=g.mill, day=query.get("date"))
    return answer(report, query["format"], f"day-book-{report['date'].isoformat()}", DAY_BOOK)


@blp.route("/<uuid:mill_id>/reports/stock-statement", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(RangeQuerySchema, location="query")
@blp.response(200, envelope())
def stock_statement(query, mill_id):
    """Per stock type: opening, in, out and closing kg over dateFrom..dateTo (the mill's dates),
    summed from the stock ledger, so the closing is the ledger's balance at the end of dateTo."""
    report = service.stock_statement(mill=g.mill, date_from=query.get("date_from"), date_to=query.get("date_to"))
    return answer(report, query["format"], "stock-statement", STOCK)


@blp.route("/<uuid:mill_id>/reports/purchases", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(RegisterQuerySchema, location="query")
@blp.response(200, envelope())
def purchases_register(query, mill_id):
    """Purchase register grouped by day, party or variety: documents, net kg, amount, paid, balance."""
    report = service.purchases_register(
        mill=g.mill, date_from=query.get("date_from"), date_to=query.get("date_to"), group_by=query["group_by"]
    )
    columns = register_columns(query["group_by"], "netWeightKg", "Net weight (kg)")
    return answer(report, query["format"], f"purchases-by-{query['group_by']}", columns)


@blp.route("/<uuid:mill_id>/reports/sales", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(RegisterQuerySchema, location="query")
@blp.response(200, envelope())
def sales_register(query, mill_id):
    """Sales register grouped by day, party or variety (the stock type sold)."""
    report = service.sales_register(
        mill=g.mill, date_from=query.get("date_from"), date_to=query.get("date_to"), group_by=query["group_by"]
    )
    columns = register_columns(query["group_by"], "quantityKg", "Quantity (kg)")
    return answer(report, query["format"], f"sales-by-{query['group_by']}", columns)


@blp.route("/<uuid:mill_id>/reports/milling", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(RangeQuerySchema, location="query")
@blp.response(200, envelope())
def milling(query, mill_id):
    """Batches completed in the period: outturn % and loss per batch; totals carry the period's
    outturn and loss weighted by paddy input, and the average loss per batch."""
    report = service.milling_report(mill=g.mill, date_from=query.get("date_from"), date_to=query.get("date_to"))
    return answer(report, query["format"], "milling", MILLING)
