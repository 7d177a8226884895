"""Paddy purchases: the moisture arithmetic, the PADDY stock they bring in, and their events.

Every function flushes and never commits: the request owns the transaction, so a refused stock
movement or a failed check leaves nothing written and no event recorded.
"""

import uuid
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..common import words
from ..common.constants import KG
from ..common.errors import Conflict, Invalid
from ..common.listing import date_range, equal, equal_any_case, search_filter_sort_paginate, substring
from ..common.tenancy import get_mill_document
from ..common.writes import insert_new
from ..extensions import db
from ..finance.models import Payment
from ..finance.money import amount_for, set_amount
from ..inventory.stock import Movement, apply_movement, moving_after
from ..inventory.types import StockType
from ..parties import service as parties
from ..parties.types import PartyKind
from .events import publish_purchase_created, publish_purchase_deleted, publish_purchase_updated
from .models import PaddyPurchase

HUNDRED = Decimal(100)

_WRITABLE = (
    "farmer_name", "farmer_phone", "village", "variety", "bags", "gross_weight_kg", "tare_weight_kg",
    "moisture_percent", "rate_per_quintal", "vehicle_number", "weigh_slip_no", "purchase_date",
)  # fmt: skip


def moisture_deduction_kg(weight_kg, moisture_percent, standard_percent) -> Decimal:
    """kg lost to drying: W × (M − M_std) / (100 − M_std) above the standard, else nothing.

    1,000 kg at 20% with a 17% standard loses 1000 × 3 / 83 = 36.145 kg.
    """
    weight, moisture, standard = Decimal(weight_kg), Decimal(moisture_percent), Decimal(standard_percent)
    if moisture <= standard:
        return Decimal("0.000")
    return (weight * (moisture - standard) / (HUNDRED - standard)).quantize(KG, ROUND_HALF_UP)


def _compute(purchase: PaddyPurchase) -> None:
    """Fill the computed fields from the weighed ones (server-side only)."""
    gross, tare = purchase.gross_weight_kg, purchase.tare_weight_kg
    if tare >= gross:
        raise Invalid(errors=[{"field": "tareWeightKg", "message": "Must be less than the gross weight."}])
    weight = Decimal(gross) - Decimal(tare)
    purchase.moisture_deduction_kg = moisture_deduction_kg(
        weight, purchase.moisture_percent, purchase.standard_moisture_percent
    )
    purchase.net_weight_kg = (weight - purchase.moisture_deduction_kg).quantize(KG)
    amount = amount_for(purchase.net_weight_kg, purchase.rate_per_quintal)
    if amount <= 0:
        raise Invalid(errors=[{"field": "grossWeightKg", "message": "The lot is too small to be worth anything."}])
    set_amount(purchase, amount, paid_word="paid")


def create_purchase(*, mill, data: dict, actor) -> PaddyPurchase:
    """Record a weighed lot, add its net weight to PADDY stock, publish `purchase:created`.

    The farmer is `partyId` (404 when not the mill's), else found by (name, phone) or created.
    """
    by_name = data.get("party_id") is None and parties.has_name(data.get("farmer_name"))
    if not by_name:
        data = _with_party(mill, data, actor)
    purchase = PaddyPurchase(
        id=uuid.uuid4(),
        mill_id=mill.id,
        created_by_id=actor.id,
        standard_moisture_percent=Decimal(str(mill.standard_moisture_percent)),
        paid_amount=Decimal("0.00"),
        **{key: data[key] for key in _WRITABLE if key in data},
    )
    purchase.tare_weight_kg = purchase.tare_weight_kg or Decimal("0")
    purchase.purchase_date = purchase.purchase_date or mill.today()
    _compute(purchase)
    movement = Movement(
        mill_id=mill.id,
        stock_type=StockType.PADDY,
        change=purchase.net_weight_kg,
        reason=f"Purchase from {purchase.farmer_name}",
        actor=actor,
        ref_type="purchase",
        ref_id=purchase.id,
    )
    if by_name:
        _insert_with_farmer(purchase, movement, mill, data, actor)
    else:
        purchase.party_id = data["party_id"]
        _insert_and_move(purchase, movement)
    publish_purchase_created(
        purchase,
        actor,
        (
            f"{actor.name} recorded a purchase of {words.kg_q(purchase.net_weight_kg)} from {purchase.farmer_name}"
            f" for {words.money(purchase.amount)}"
        ),
    )
    return purchase


def _insert_with_farmer(purchase: PaddyPurchase, movement: Movement, mill, data: dict, actor) -> None:
    """Insert the purchase with the party its farmer's name and phone are, and move its paddy into
    stock: for a farmer the mill knows, all in the purchase's own INSERT ... SELECT (one statement,
    as a mill's regulars are most purchases); a new farmer is created first (as
    `parties.find_or_create` would), then the purchase and its movement."""
    identity = {"mill": mill, "kind": PartyKind.FARMER, "name": data["farmer_name"], "phone": data.get("farmer_phone")}
    params = parties.identity_params(**identity) | movement.params
    row = insert_new(purchase, completed_from=parties.PARTY_ID_BY_IDENTITY, params=params, along=moving_after)
    if row is not None:
        _moved(movement, row)
        return
    party = parties.create_missing(**identity, actor=actor, village=data.get("village"))
    purchase.party_id = party.id
    _insert_and_move(purchase, movement)


def _insert_and_move(purchase: PaddyPurchase, movement: Movement) -> None:
    """The purchase and its stock movement in one statement."""
    _moved(movement, insert_new(purchase, params=movement.params, along=moving_after))


def _moved(movement: Movement, row) -> None:
    movement.recorded(row.ledger_id, row.ledger_created_at, row.ledger_quantity_after, row.ledger_min_stock_level)


def _with_party(mill, data: dict, actor) -> dict:
    """`data` with its party's id, and the farmer's name, phone and village from the party when absent."""
    party = parties.resolve(
        mill=mill,
        party_id=data.get("party_id"),
        kind=PartyKind.FARMER,
        name=data.get("farmer_name"),
        phone=data.get("farmer_phone"),
        village=data.get("village"),
        actor=actor,
    )
    data = {**data, "party_id": party.id}
    if not data.get("farmer_name"):
        data["farmer_name"] = party.name
        data.setdefault("farmer_phone", party.phone)
        data.setdefault("village", party.village)
    return data


def get_purchase(*, mill_id, purchase_id, for_update: bool = False) -> PaddyPurchase:
    return get_mill_document(PaddyPurchase, mill_id, purchase_id, for_update=for_update, label="Purchase")


def update_purchase(*, mill, purchase_id, data: dict, actor) -> PaddyPurchase:
    """Change a purchase; the PADDY stock moves by the change in net weight, in one movement."""
    if not data:
        raise Invalid("Nothing to update", errors=[{"field": "_schema", "message": "No fields given."}])
    purchase = get_purchase(mill_id=mill.id, purchase_id=purchase_id, for_update=True)
    old_net = purchase.net_weight_kg
    if "party_id" in data or "farmer_name" in data or "farmer_phone" in data:
        # A new party, or a new name/phone: the purchase follows the party that name is.
        base = (
            {} if "party_id" in data else {"farmer_name": purchase.farmer_name, "farmer_phone": purchase.farmer_phone}
        )
        data = _with_party(mill, {**base, **data}, actor)
        purchase.party_id = data["party_id"]
    for key in _WRITABLE:
        if key in data:
            setattr(purchase, key, data[key])
    _compute(purchase)
    difference = purchase.net_weight_kg - old_net
    if difference:
        apply_movement(
            mill_id=mill.id,
            stock_type=StockType.PADDY,
            change=difference,
            reason="purchase updated",
            actor=actor,
            ref_type="purchase",
            ref_id=purchase.id,
        )
    db.session.flush()
    publish_purchase_updated(purchase, actor, f"{actor.name} updated the purchase from {purchase.farmer_name}")
    return purchase


def delete_purchase(*, mill, purchase_id, actor) -> None:
    """Delete a purchase and take its paddy back out of stock.

    Refused (409) once it has payments, or when its paddy is no longer in stock (already milled or sold).
    """
    purchase = get_purchase(mill_id=mill.id, purchase_id=purchase_id, for_update=True)
    if db.session.scalar(sa.select(sa.exists().where(Payment.purchase_id == purchase.id))):
        raise Conflict("This purchase has payments and cannot be deleted")
    apply_movement(
        mill_id=mill.id,
        stock_type=StockType.PADDY,
        change=-purchase.net_weight_kg,
        reason="purchase deleted",
        actor=actor,
        ref_type="purchase",
        ref_id=purchase.id,
    )
    db.session.delete(purchase)
    db.session.flush()
    publish_purchase_deleted(
        purchase,
        actor,
        (f"{actor.name} deleted the purchase of {words.kg_q(purchase.net_weight_kg)} from {purchase.farmer_name}"),
    )


# --- list ----------------------------------------------------------------------------------------

_LIST_FILTERS = {
    **date_range(PaddyPurchase.purchase_date),
    "farmer_name": substring(PaddyPurchase.farmer_name),
    "village": equal_any_case(PaddyPurchase.village),
    "payment_status": equal(PaddyPurchase.payment_status),
}


def list_purchases(*, mill_id, query: dict) -> tuple[list[PaddyPurchase], dict]:
    """A page of the mill's purchases, newest first (query: page, perPage and the filters above)."""
    return search_filter_sort_paginate(
        sa.select(PaddyPurchase).where(PaddyPurchase.mill_id == mill_id),
        query,
        filters=_LIST_FILTERS,
        sort=(PaddyPurchase.purchase_date.desc(), PaddyPurchase.created_at.desc(), PaddyPurchase.id.desc()),
        sums={"netWeightKg": lambda c: c.net_weight_kg, "amount": lambda c: c.amount},
    )
