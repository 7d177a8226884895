"""Which committed domain events become notifications, decided in one table.

Payloads are read by their contract (each domain's events.py, docs/realtime.md): the actor is the
event's `...By` field, `{id, name}`, always there.

Domain services only `publish()` events. At commit, the outbox hands this module the pending
events (`notify_for_events`, an outbox commit hook) and the notifications are stored in the same
transaction, then emitted after commit by `NotificationService`. So a rolled-back purchase notifies
nobody, and a committed one notifies every active user of its mill.

| event | type | title | message | data |
|---|---|---|---|---|
| `purchase:created` | success | New Purchase | "{name} created a new purchase" (the seed's) | {purchaseId} |
| `sale:created` | success | New Sale | "{name} created a new sale" | {saleId} |
| `payment:received` | success | Payment Received | "{name} received ₹{amount} from {party}" | {paymentId} |
| `payment:made` | info | Payment Made | "{name} paid ₹{amount} to {party}" | {paymentId} |
| `milling:completed`, outturn outside 64–72 % | warning | Unusual outturn | "Batch of {kg} kg {variety} gave
  {p}% rice (typical 64–72%)" | {batchId, outturnPercent} |
| `stock:low-alert` (one per mill per commit, all its low stocks) | warning | Low stock | "PADDY is low: 120 kg
  (minimum 500 kg)" | {stocks: [{stockType, currentQuantity, minLevel, severity}]} |
| `staff:left` | info | Staff left | "{staff} left the mill" | {staffId} |

Everything goes to the mill (`send_to_mill`). Updates, deletions, stock movements, inward/outward,
receipts, attendance and `staff:joined` are in the activity feed already and notify nobody: a
notification is for what someone would want to be told about, not for every write.
"""

from decimal import Decimal

from sqlalchemy.orm import Session

from ..common.formatting import kg_text
from ..inventory.low_stock import low_stock_summary
from ..realtime.events import SERVER_EVENTS as E
from . import service

TYPICAL_OUTTURN = (Decimal("64"), Decimal("72"))


def _name(payload: dict, key: str) -> str:
    """The actor's name: every domain event carries its actor as `{id, name}` (docs/realtime.md)."""
    return payload[key]["name"]


def _doc_id(payload: dict, key: str):
    return payload[key]["id"]


def _amount(value) -> str:
    return f"{Decimal(str(value or 0)):,.2f}"


def _purchase_created(p: dict) -> dict:
    return {
        "type": "success",
        "title": "New Purchase",
        "message": f"{_name(p, 'createdBy')} created a new purchase",
        "data": {"purchaseId": _doc_id(p, "purchase")},
    }


def _sale_created(p: dict) -> dict:
    return {
        "type": "success",
        "title": "New Sale",
        "message": f"{_name(p, 'createdBy')} created a new sale",
        "data": {"saleId": _doc_id(p, "sale")},
    }


def _payment_received(p: dict) -> dict:
    payment = p["payment"]
    return {
        "type": "success",
        "title": "Payment Received",
        "message": f"{_name(p, 'receivedBy')} received ₹{_amount(payment.get('amount'))}"
        f" from {payment.get('partyName') or 'a buyer'}",
        "data": {"paymentId": payment.get("id")},
    }


def _payment_made(p: dict) -> dict:
    payment = p["payment"]
    return {
        "type": "info",
        "title": "Payment Made",
        "message": f"{_name(p, 'madeBy')} paid ₹{_amount(payment.get('amount'))}"
        f" to {payment.get('partyName') or 'a supplier'}",
        "data": {"paymentId": payment.get("id")},
    }


def _milling_completed(p: dict) -> dict | None:
    batch = p["batch"]
    outturn = batch.get("outturnPercent")
    if outturn is None:
        return None
    outturn = Decimal(str(outturn))
    low, high = TYPICAL_OUTTURN
    if low <= outturn <= high:
        return None
    return {
        "type": "warning",
        "title": "Unusual outturn",
        "message": f"Batch of {kg_text(batch.get('paddyInputKg') or 0)} kg"
        f" {batch.get('variety') or 'paddy'} gave {outturn:.2f}% rice (typical {low}–{high}%)",
        "data": {"batchId": batch.get("id"), "outturnPercent": float(outturn)},
    }


def _staff_left(p: dict) -> dict:
    staff = p["staff"]
    return {
        "type": "info",
        "title": "Staff left",
        "message": f"{staff.get('name') or 'A staff member'} left the mill",
        "data": {"staffId": staff.get("id")},
    }


def _low_stock(payloads: list[dict]) -> dict:
    stocks = [{key: p[key] for key in ("stockType", "currentQuantity", "minLevel", "severity")} for p in payloads]
    parts = [low_stock_summary(s["stockType"], s["currentQuantity"], s["minLevel"]) for s in stocks]
    return {"type": "warning", "title": "Low stock", "message": "; ".join(parts)[:500], "data": {"stocks": stocks}}


# One notification per event.
PER_EVENT = {
    E["PURCHASE_CREATED"]: _purchase_created,
    E["SALE_CREATED"]: _sale_created,
    E["PAYMENT_RECEIVED"]: _payment_received,
    E["PAYMENT_MADE"]: _payment_made,
    E["MILLING_COMPLETED"]: _milling_completed,
    E["STAFF_LEFT"]: _staff_left,
}


def notifications_for(events) -> list[tuple]:
    """(mill_id, notification) for the given pending events, in event order; low stock grouped per mill."""
    out: list[tuple] = []
    low: dict = {}
    for item in events:
        if item.name == E["STOCK_LOW_ALERT"]:
            if item.mill_id not in low:
                low[item.mill_id] = []
                out.append((item.mill_id, low[item.mill_id]))  # placeholder, filled below
            low[item.mill_id].append(item.payload)
            continue
        rule = PER_EVENT.get(item.name)
        notification = rule(item.payload) if rule else None
        if notification is not None and (item.actor or {}).get("id"):
            # the pages toast others' writes, not the author's own (it already saw its form's answer)
            notification["data"] = {**(notification.get("data") or {}), "actorId": item.actor["id"]}
        if notification is not None:
            out.append((item.mill_id, notification))
    return [(mill_id, _low_stock(n) if isinstance(n, list) else n) for mill_id, n in out]


def notify_for_events(session: Session, events) -> None:
    """Outbox commit hook: store (and queue for emit) the notifications the events call for."""
    for mill_id, notification in notifications_for(events):
        service.send_to_mill(mill_id, notification, session=session)
