"""The mill's reports: each is `{rows: [...], totals: {...}}` with flat rows, so that the JSON,
the CSV and the XLSX of a report are the same table.

Dates are the documents' own dates (purchase, sale, payment, movement dates); the stock ledger and
milling batches carry timestamps, read as dates where the mill is (its time zone).
"""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from ..common.listing import day_start, within_dates
from ..extensions import db
from ..finance.models import Payment, Receipt
from ..inventory.models import GoodsMovement, StockLedgerEntry
from ..inventory.types import StockType
from ..milling.models import BatchStatus, MillingBatch
from ..parties.models import Party
from ..purchases.models import PaddyPurchase
from ..sales.models import Sale

ZERO = Decimal("0")
KG = Decimal("0.001")
PAISE = Decimal("0.01")


# --- day book ------------------------------------------------------------------------------------


def day_book(*, mill, day: date | None = None) -> dict:
    """Every document of one day, in the order written, with the day's totals per kind."""
    day = day or mill.today()
    rows = []
    for p in db.session.scalars(
        sa.select(PaddyPurchase)
        .where(PaddyPurchase.mill_id == mill.id, PaddyPurchase.purchase_date == day)
        .order_by(PaddyPurchase.created_at, PaddyPurchase.id)
    ):
        rows.append(
            _row(p.created_at, "PURCHASE", p.id, p.weigh_slip_no, p.farmer_name, "PADDY", p.net_weight_kg, p.amount)
        )
    for s in db.session.scalars(
        sa.select(Sale).where(Sale.mill_id == mill.id, Sale.sale_date == day).order_by(Sale.created_at, Sale.id)
    ):
        rows.append(
            _row(s.created_at, "SALE", s.id, s.invoice_number, s.buyer_name, s.stock_type, s.quantity_kg, s.amount)
        )
    payments = db.session.execute(
        sa.select(Payment, Receipt.receipt_no)
        .outerjoin(Receipt, Receipt.payment_id == Payment.id)
        .where(Payment.mill_id == mill.id, Payment.payment_date == day)
        .order_by(Payment.created_at, Payment.id)
    )
    for pay, receipt_no in payments:
        ref = str(receipt_no) if receipt_no else pay.reference
        rows.append(
            _row(pay.created_at, f"PAYMENT_{pay.direction}", pay.id, ref, pay.party_name, None, None, pay.amount)
        )
    for g in db.session.scalars(
        sa.select(GoodsMovement)
        .where(GoodsMovement.mill_id == mill.id, GoodsMovement.movement_date == day)
        .order_by(GoodsMovement.created_at, GoodsMovement.id)
    ):
        kind = "INWARD" if g.direction == "IN" else "OUTWARD"
        rows.append(_row(g.created_at, kind, g.id, g.vehicle_number, g.party_name, g.stock_type, g.quantity_kg, None))
    rows.sort(key=lambda r: (r.pop("_at"), r["type"], str(r["documentId"])))
    totals = {}
    for kind in ("PURCHASE", "SALE", "PAYMENT_MADE", "PAYMENT_RECEIVED", "INWARD", "OUTWARD"):
        mine = [r for r in rows if r["type"] == kind]
        totals[kind] = {
            "count": len(mine),
            "quantityKg": sum((r["quantityKg"] or ZERO for r in mine), ZERO),
            "amount": sum((r["amount"] or ZERO for r in mine), ZERO),
        }
    return {"date": day, "rows": rows, "totals": totals}


def _row(at, kind, document_id, ref, party, stock_type, quantity, amount) -> dict:
    return {
        "_at": at,
        "type": kind,
        "documentId": document_id,
        "ref": ref,
        "party": party,
        "stockType": str(stock_type) if stock_type else None,
        "quantityKg": quantity,
        "amount": amount,
    }


# --- stock statement ----------------------------------------------------------------------------


def stock_statement(*, mill, date_from: date | None = None, date_to: date | None = None) -> dict:
    """Per stock type: opening, in, out, closing over the period, summed from the stock ledger."""
    at = StockLedgerEntry.created_at
    before = (at < day_start(mill.timezone, date_from)) if date_from is not None else sa.false()
    inside = sa.and_(sa.true(), *within_dates(at, date_from, date_to, timezone=mill.timezone))
    change = StockLedgerEntry.change

    def total(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, change), else_=0)), 0)

    stmt = (
        sa.select(
            StockLedgerEntry.stock_type,
            total(before),
            total(sa.and_(inside, change > 0)),
            -total(sa.and_(inside, change < 0)),
        )
        .where(StockLedgerEntry.mill_id == mill.id)
        .group_by(StockLedgerEntry.stock_type)
    )
    found = {row[0]: row[1:] for row in db.session.execute(stmt)}
    rows = []
    for stock_type in StockType:
        opening, inward, outward = (Decimal(v) for v in found.get(stock_type, (0, 0, 0)))
        rows.append(
            {
                "stockType": stock_type.value,
                "openingKg": opening,
                "inKg": inward,
                "outKg": outward,
                "closingKg": opening + inward - outward,
            }
        )
    return {"dateFrom": date_from, "dateTo": date_to, "rows": rows}


# --- registers ----------------------------------------------------------------------------------


def purchases_register(*, mill, date_from=None, date_to=None, group_by="day") -> dict:
    key = {
        "day": PaddyPurchase.purchase_date,
        "party": sa.func.coalesce(Party.name, PaddyPurchase.farmer_name),
        "variety": sa.func.coalesce(PaddyPurchase.variety, "—"),
    }[group_by]
    stmt = (
        sa.select(
            key.label("key"),
            sa.func.count().label("count"),
            sa.func.sum(PaddyPurchase.net_weight_kg),
            sa.func.sum(PaddyPurchase.amount),
            sa.func.sum(PaddyPurchase.paid_amount),
        )
        .select_from(PaddyPurchase)
        .outerjoin(Party, Party.id == PaddyPurchase.party_id)
        .where(PaddyPurchase.mill_id == mill.id, *within_dates(PaddyPurchase.purchase_date, date_from, date_to))
        .group_by(key)
        .order_by(key)
    )
    return _register(stmt, group_by, date_from, date_to, "netWeightKg")


def sales_register(*, mill, date_from=None, date_to=None, group_by="day") -> dict:
    """By day, party, or variety (for sales: the stock type sold)."""
    key = {
        "day": Sale.sale_date,
        "party": sa.func.coalesce(Party.name, Sale.buyer_name),
        "variety": sa.cast(Sale.stock_type, sa.String),
    }[group_by]
    stmt = (
        sa.select(
            key.label("key"),
            sa.func.count().label("count"),
            sa.func.sum(Sale.quantity_kg),
            sa.func.sum(Sale.amount),
            sa.func.sum(Sale.paid_amount),
        )
        .select_from(Sale)
        .outerjoin(Party, Party.id == Sale.party_id)
        .where(Sale.mill_id == mill.id, *within_dates(Sale.sale_date, date_from, date_to))
        .group_by(key)
        .order_by(key)
    )
    return _register(stmt, group_by, date_from, date_to, "quantityKg")


def _register(stmt, group_by, date_from, date_to, weight_key) -> dict:
    rows = []
    for key, count, weight, amount, paid in db.session.execute(stmt):
        rows.append(
            {
                group_by: key,
                "count": count,
                weight_key: Decimal(weight),
                "amount": Decimal(amount),
                "paidAmount": Decimal(paid),
                "balance": Decimal(amount) - Decimal(paid),
            }
        )
    totals = {
        "count": sum(r["count"] for r in rows),
        weight_key: sum((r[weight_key] for r in rows), ZERO),
        "amount": sum((r["amount"] for r in rows), ZERO),
        "paidAmount": sum((r["paidAmount"] for r in rows), ZERO),
        "balance": sum((r["balance"] for r in rows), ZERO),
    }
    return {"groupBy": group_by, "dateFrom": date_from, "dateTo": date_to, "rows": rows, "totals": totals}


# --- milling ------------------------------------------------------------------------------------


def milling_report(*, mill, date_from=None, date_to=None) -> dict:
    """Batches completed in the period (by the mill's date): outturn % and loss per batch, and the
    period's average weighted by paddy input (total rice / total paddy), which is what the
    mill's yield is."""
    batches = db.session.scalars(
        sa.select(MillingBatch)
        .where(
            MillingBatch.mill_id == mill.id,
            MillingBatch.status == BatchStatus.COMPLETED,
            *within_dates(MillingBatch.completed_at, date_from, date_to, timezone=mill.timezone),
        )
        .order_by(MillingBatch.completed_at, MillingBatch.id)
    ).all()
    rows = []
    for b in batches:
        rows.append(
            {
                "batchId": b.id,
                "completedAt": b.completed_at,
                "variety": b.variety,
                "paddyInputKg": b.paddy_input_kg,
                "riceKg": b.rice_kg,
                "brokenRiceKg": b.broken_rice_kg,
                "branKg": b.bran_kg,
                "huskKg": b.husk_kg,
                "outturnPercent": b.outturn_percent,
                "lossKg": b.loss_kg,
                "lossPercent": (b.loss_kg * 100 / b.paddy_input_kg).quantize(KG),
            }
        )
    paddy = sum((r["paddyInputKg"] for r in rows), ZERO)
    rice = sum((r["riceKg"] for r in rows), ZERO)
    loss = sum((r["lossKg"] for r in rows), ZERO)
    totals = {
        "batches": len(rows),
        "paddyInputKg": paddy,
        "riceKg": rice,
        "lossKg": loss,
        "outturnPercent": (rice * 100 / paddy).quantize(KG) if paddy else None,
        "lossPercent": (loss * 100 / paddy).quantize(KG) if paddy else None,
        "averageLossKg": (loss / len(rows)).quantize(KG) if rows else None,
    }
    return {"dateFrom": date_from, "dateTo": date_to, "rows": rows, "totals": totals}
