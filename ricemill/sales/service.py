"""Sales: stock going out, gapless invoice numbers, and their events.

Functions flush and never commit. The invoice number comes from the mill's counter row, locked
until the request commits: a refused sale rolls its number back, so numbers stay gapless.
"""

import uuid
from decimal import Decimal

import sqlalchemy as sa

from ..common import printing, words
from ..common.errors import Conflict, Invalid
from ..common.listing import date_range, equal, search_filter_sort_paginate, substring
from ..common.tenancy import get_mill_document
from ..extensions import db
from ..finance.models import Payment
from ..finance.money import amount_for, rupees, set_amount
from ..inventory.stock import apply_movement
from ..inventory.types import StockType
from ..mills.models import next_sequence_value
from ..parties import service as parties
from ..parties.types import PartyKind
from .events import publish_sale_created, publish_sale_deleted, publish_sale_updated
from .models import Sale, fy_start_of

_WRITABLE = (
    "buyer_name", "buyer_phone", "stock_type", "quantity_kg", "bags", "rate_per_quintal", "sale_date", "vehicle_number",
    "tax_rate_percent",
)  # fmt: skip


def _compute(sale: Sale) -> None:
    """Taxable value = quantity x rate; tax at the sale's rate; amount (what the buyer owes) = both."""
    taxable = amount_for(sale.quantity_kg, sale.rate_per_quintal)
    if taxable <= 0:
        raise Invalid(errors=[{"field": "quantityKg", "message": "The sale is too small to be worth anything."}])
    sale.tax_rate_percent = Decimal(sale.tax_rate_percent or 0)
    sale.taxable_value = taxable
    sale.tax_amount = rupees(taxable * sale.tax_rate_percent / 100)
    set_amount(sale, taxable + sale.tax_amount, paid_word="received")


def _split_tax(sale: Sale, mill) -> None:
    """The sale's GST as CGST + SGST or IGST, by the mill's state and the buyer's state stored on
    the sale (`_take_buyer`), so the invoice prints what was charged."""
    split = printing.gst_split(sale.tax_amount, sale.tax_rate_percent, printing.mill_letterhead(mill)["state"],
                               sale.buyer_state)  # fmt: skip
    zero = Decimal("0.00")
    sale.cgst_amount = split["cgst"] if split["cgst"] is not None else zero
    sale.sgst_amount = split["sgst"] if split["sgst"] is not None else zero
    sale.igst_amount = split["igst"] if split["igst"] is not None else zero


def _take_buyer(sale: Sale, party) -> None:
    """The buyer's state and GSTIN as they are when the sale is made (or moved to another party)."""
    sale.buyer_state = party.state if party is not None else None
    sale.buyer_gstin = party.gstin if party is not None else None


def _move(sale: Sale, change, reason: str, actor) -> None:
    apply_movement(
        mill_id=sale.mill_id,
        stock_type=sale.stock_type,
        change=change,
        reason=reason,
        actor=actor,
        ref_type="sale",
        ref_id=sale.id,
    )


def create_sale(*, mill, data: dict, actor) -> Sale:
    """Take the goods out of stock (409 when there is not enough), then number the invoice.

    The buyer is `partyId` (404 when not the mill's), else found by (name, phone) or created.
    """
    data = _with_party(mill, data, actor)
    sale = Sale(
        id=uuid.uuid4(),
        mill_id=mill.id,
        created_by_id=actor.id,
        paid_amount=Decimal("0.00"),
        party_id=data["party_id"],
        **{key: data[key] for key in _WRITABLE if key in data},
    )
    sale.stock_type = StockType(sale.stock_type)
    sale.sale_date = sale.sale_date or mill.today()
    _compute(sale)
    _take_buyer(sale, data["party"])
    _split_tax(sale, mill)
    # Stock first: a refused sale never takes the invoice counter's lock.
    _move(sale, -Decimal(sale.quantity_kg), f"Sale to {sale.buyer_name}", actor)
    # Gapless per financial year: the year's own counter, locked until commit.
    sale.invoice_no = next_sequence_value(mill.id, f"invoice-{fy_start_of(sale.sale_date)}")
    db.session.add(sale)
    db.session.flush()
    publish_sale_created(
        sale,
        actor,
        (
            f"{actor.name} sold {words.kg_q(sale.quantity_kg)} of {words.label(sale.stock_type)} to {sale.buyer_name}"
            f" for {words.money(sale.amount)} (invoice {sale.invoice_no})"
        ),
    )
    return sale


def _with_party(mill, data: dict, actor) -> dict:
    """`data` with its party's id, and the buyer's name and phone from the party when absent."""
    party = parties.resolve(
        mill=mill,
        party_id=data.get("party_id"),
        kind=PartyKind.BUYER,
        name=data.get("buyer_name"),
        phone=data.get("buyer_phone"),
        actor=actor,
    )
    data = {**data, "party_id": party.id, "party": party}
    if not data.get("buyer_name"):
        data["buyer_name"] = party.name
        data.setdefault("buyer_phone", party.phone)
    return data


def get_sale(*, mill_id, sale_id, for_update: bool = False) -> Sale:
    return get_mill_document(Sale, mill_id, sale_id, for_update=for_update, label="Sale")


def update_sale(*, mill, sale_id, data: dict, actor) -> Sale:
    """Change a sale. A new quantity moves the difference; a new stock type returns the old goods
    and takes the new ones. The invoice number never changes."""
    if not data:
        raise Invalid("Nothing to update", errors=[{"field": "_schema", "message": "No fields given."}])
    sale = get_sale(mill_id=mill.id, sale_id=sale_id, for_update=True)
    old_type, old_quantity = StockType(sale.stock_type), Decimal(sale.quantity_kg)
    if "party_id" in data or "buyer_name" in data or "buyer_phone" in data:
        # A new party, or a new name/phone: the sale follows the party that name is.
        base = {} if "party_id" in data else {"buyer_name": sale.buyer_name, "buyer_phone": sale.buyer_phone}
        data = _with_party(mill, {**base, **data}, actor)
        if data["party_id"] != sale.party_id:
            _take_buyer(sale, data["party"])
        sale.party_id = data["party_id"]
    if "sale_date" in data and fy_start_of(data["sale_date"]) != fy_start_of(sale.sale_date):
        raise Invalid(
            errors=[
                {"field": "saleDate", "message": "Not in the invoice's financial year (its number is that year's)."}
            ]
        )
    for key in _WRITABLE:
        if key in data:
            setattr(sale, key, data[key])
    sale.stock_type = StockType(sale.stock_type)
    new_quantity = Decimal(sale.quantity_kg)
    _compute(sale)
    _split_tax(sale, mill)
    if sale.stock_type != old_type:
        # Two stocks are locked: always in the StockType order (as milling does), so that two
        # requests touching the same pair cannot deadlock. The stocks are independent, so the
        # order changes nothing else.
        movements = sorted(
            [(old_type, old_quantity), (sale.stock_type, -new_quantity)], key=lambda m: list(StockType).index(m[0])
        )
        for stock_type, change in movements:
            apply_movement(
                mill_id=sale.mill_id,
                stock_type=stock_type,
                change=change,
                reason="sale updated",
                actor=actor,
                ref_type="sale",
                ref_id=sale.id,
            )
    elif new_quantity != old_quantity:
        _move(sale, old_quantity - new_quantity, "sale updated", actor)
    db.session.flush()
    publish_sale_updated(sale, actor, f"{actor.name} updated invoice {sale.invoice_no} to {sale.buyer_name}")
    return sale


def delete_sale(*, mill, sale_id, actor) -> None:
    """Delete a sale and put its goods back in stock; refused (409) once it has payments."""
    sale = get_sale(mill_id=mill.id, sale_id=sale_id, for_update=True)
    if db.session.scalar(sa.select(sa.exists().where(Payment.sale_id == sale.id))):
        raise Conflict("This sale has payments and cannot be deleted")
    _move(sale, Decimal(sale.quantity_kg), "sale deleted", actor)
    db.session.delete(sale)
    db.session.flush()
    publish_sale_deleted(sale, actor, f"{actor.name} deleted invoice {sale.invoice_no} to {sale.buyer_name}")


# --- list ----------------------------------------------------------------------------------------

_LIST_FILTERS = {
    **date_range(Sale.sale_date),
    "buyer_name": substring(Sale.buyer_name),
    "stock_type": equal(Sale.stock_type),
    "payment_status": equal(Sale.payment_status),
}


def list_sales(*, mill_id, query: dict) -> tuple[list[Sale], dict]:
    """A page of the mill's sales, newest first (query: page, perPage and the filters above)."""
    return search_filter_sort_paginate(
        sa.select(Sale).where(Sale.mill_id == mill_id),
        query,
        filters=_LIST_FILTERS,
        sort=(Sale.sale_date.desc(), Sale.created_at.desc(), Sale.invoice_no.desc()),
        sums={"quantityKg": lambda c: c.quantity_kg, "amount": lambda c: c.amount},
    )
