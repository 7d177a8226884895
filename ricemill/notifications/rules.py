"""Which committed domain events become notifications, decided in one table.

Payloads are read by their contract (each domain's events.py, docs/realtime.md): the actor is the
event's `...By` field, `{id, name}`, always there.

Domain services only `publish()` events. At commit, the outbox hands this module the pending
events (`notify_for_events`, an outbox commit hook) and the notifications are stored in the same
transaction, then emitted after commit by `NotificationService`. So a rolled-back purchase notifies
nobody, and a committed one notifies every active user of its mill.

Every title and text is built with `common/words.py` (labels, Indian grouping, kg with quintals):
one line of title, one line of text naming the party and the amount.

| event | type | title | message |
|---|---|---|---|
| `purchase:created` | success | New purchase | "Purchase from Ramaiah: ₹92,736.60 for 4,215.3 kg (42.2 q) of
  paddy, by Ravi" |
| `sale:created` | success | New sale | "Sale to Ravi Traders: ₹1,20,600.00 for 3,000 kg (30 q) of Rice,
  invoice 12, by Meena" |
| `payment:received` | success | Payment received | "Payment from Gupta: ₹1,250.50 (UPI), received by Meena" |
| `payment:made` | info | Payment made | "Payment to Suresh: ₹900.00 (Cash), paid by Meena" |
| `milling:completed`, outturn outside 64–72 % | warning | Unusual outturn | "Batch of 10,000 kg (100 q) of Sona
  Masoori gave 58.2% rice (typical 64–72%)" |
| `stock:low-alert` (one per mill per commit, all its low stocks) | warning | Low stock | "Paddy is low: 120 kg
  left, minimum 500 kg" |
| `staff:left` | info | Staff left | "Kumar left the mill (recorded by Meena)" |

`data` carries the machine fields: the document's id (`purchaseId`, `saleId`, `paymentId`, `batchId`,
`staffId`; `stocks` for low stock), `entity: {type, id}` (as `activity:new` has it), `url` (the page
that shows the document; `?id=<id>` asks that page to open it) and `actorId` (who did it, so that
a page need not toast its own user's write; none for low stock).

Everything goes to the mill (`send_to_mill`). Updates, deletions, stock movements, inward/outward,
receipts, attendance and `staff:joined` are in the activity feed already and notify nobody: a
notification is for what someone would want to be told about, not for every write.
"""

from decimal import Decimal

from sqlalchemy.orm import Session

from ..common import words
from ..inventory.low_stock import low_stock_summary
from ..realtime.events import SERVER_EVENTS as E
from . import service

TYPICAL_OUTTURN = (Decimal("64"), Decimal("72"))

# The page that shows each kind of document (web/pages.py, web/documents.py); `?id=<id>` asks it
# to open that one. The notifications layer cannot import the web layer, so the paths are here.
_PAGES = {
    "purchase": "/documents/purchases",
    "sale": "/documents/sales",
    "payment": "/documents/payments",
    "staff": "/documents/staff",
    "batch": "/milling",
    "stock": "/stock",
}


def _actor(payload: dict, key: str) -> dict:
    """The actor: every domain event carries it as `{id, name}` (docs/realtime.md)."""
    return payload[key]


def _link(kind: str, doc_id, **machine) -> dict:
    """The notification's `data`: the machine fields, the entity and the page to open (the author's
    `actorId` is added for every rule in `notifications_for`)."""
    url = _PAGES[kind] + (f"?id={doc_id}" if doc_id and kind not in ("batch", "stock") else "")
    return {**machine, "entity": {"type": kind, "id": str(doc_id) if doc_id is not None else None}, "url": url}


def _purchase_created(p: dict) -> dict:
    purchase, actor = p["purchase"], _actor(p, "createdBy")
    farmer = purchase.get("farmerName") or "a farmer"
    amount, weight = words.money(purchase.get("amount") or 0), words.kg_q(purchase.get("netWeightKg") or 0)
    return {
        "type": "success",
        "title": "New purchase",
        "message": f"Purchase from {farmer}: {amount} for {weight} of paddy, by {actor['name']}",
        "data": _link("purchase", purchase["id"], purchaseId=purchase["id"]),
    }


def _sale_created(p: dict) -> dict:
    sale, actor = p["sale"], _actor(p, "createdBy")
    buyer = sale.get("buyerName") or "a buyer"
    amount, weight = words.money(sale.get("amount") or 0), words.kg_q(sale.get("quantityKg") or 0)
    invoice = f", invoice {sale['invoiceNo']}" if sale.get("invoiceNo") is not None else ""
    return {
        "type": "success",
        "title": "New sale",
        "message": f"Sale to {buyer}: {amount} for {weight} of {words.label(sale.get('stockType'))}{invoice},"
        f" by {actor['name']}",
        "data": _link("sale", sale["id"], saleId=sale["id"]),
    }


def _payment_received(p: dict) -> dict:
    payment, actor = p["payment"], _actor(p, "receivedBy")
    return {
        "type": "success",
        "title": "Payment received",
        "message": f"Payment from {payment.get('partyName') or 'a buyer'}: {words.money(payment.get('amount') or 0)}"
        f" ({words.label(payment.get('mode'))}), received by {actor['name']}",
        "data": _link("payment", payment.get("id"), paymentId=payment.get("id")),
    }


def _payment_made(p: dict) -> dict:
    payment, actor = p["payment"], _actor(p, "madeBy")
    return {
        "type": "info",
        "title": "Payment made",
        "message": f"Payment to {payment.get('partyName') or 'a supplier'}: {words.money(payment.get('amount') or 0)}"
        f" ({words.label(payment.get('mode'))}), paid by {actor['name']}",
        "data": _link("payment", payment.get("id"), paymentId=payment.get("id")),
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
        "message": f"Batch of {words.kg_q(batch.get('paddyInputKg') or 0)} of {batch.get('variety') or 'paddy'}"
        f" gave {words.percent(outturn)} rice (typical {low}–{high}%)",
        "data": _link("batch", batch.get("id"), batchId=batch.get("id"), outturnPercent=float(outturn)),
    }


def _staff_left(p: dict) -> dict:
    staff, actor = p["staff"], _actor(p, "removedBy")
    return {
        "type": "info",
        "title": "Staff left",
        "message": f"{staff.get('name') or 'A staff member'} left the mill (recorded by {actor['name']})",
        "data": _link("staff", staff.get("id"), staffId=staff.get("id")),
    }


def _low_stock(payloads: list[dict]) -> dict:
    stocks = [{key: p[key] for key in ("stockType", "currentQuantity", "minLevel", "severity")} for p in payloads]
    parts = [low_stock_summary(s["stockType"], s["currentQuantity"], s["minLevel"]) for s in stocks]
    return {
        "type": "warning",
        "title": "Low stock",
        "message": "; ".join(parts)[:500],
        "data": _link("stock", stocks[0]["stockType"], stocks=stocks),
    }


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
    """Outbox commit hook: store (and queue for emit) the notifications the events call for, in the
    statement that stores the events (one round trip for both)."""
    for mill_id, notification in notifications_for(events):
        service.send_to_mill(mill_id, notification, session=session, with_events=True)
