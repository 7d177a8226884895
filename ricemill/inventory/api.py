"""Stock (levels, ledger, minimums, adjustments) and inward/outward goods of a mill."""

from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.errors import NotFound
from ..common.export import export_list
from ..common.tenancy import get_mill_document
from . import service
from .models import GoodsMovement
from .schemas import (
    AdjustmentCreateSchema,
    AdjustmentSchema,
    GoodsMovementCreateSchema,
    GoodsMovementQuerySchema,
    InwardSchema,
    LedgerEntrySchema,
    LedgerQuerySchema,
    MinimumLevelSchema,
    OutwardSchema,
    StockDetailEnvelope,
    StockSchema,
)
from .types import Direction

blp = Blueprint(
    "inventory", __name__, url_prefix="/api/v1/mills", description="Stock, its ledger, adjustments, inward/outward"
)


# --- stock -------------------------------------------------------------------------------------
# `/stock/adjustments` is a static path, so Werkzeug matches it before `/stock/<stock_type>`.


@blp.route("/<uuid:mill_id>/stock", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(StockSchema, many=True))
def list_stock(mill_id):
    """Every stock type of the mill: quantity, minimum, low flag and severity."""
    items = service.list_stock(mill=g.mill)
    return ok(items, meta={"page": 1, "per_page": len(items), "total": len(items)})


@blp.route("/<uuid:mill_id>/stock/adjustments", methods=["POST"])
@mill_access(Permission.UPDATE)
@blp.arguments(AdjustmentCreateSchema)
@blp.response(201, envelope(AdjustmentSchema))
def create_adjustment(data, mill_id):
    """A signed manual correction (counted stock, spoilage) with its reason.

    Refused with 409, nothing written, when it would take the stock below zero.
    """
    adjustment = service.create_adjustment(mill=g.mill, data=data, actor=g.user)
    return created(adjustment, "Stock adjusted")


@blp.route("/<uuid:mill_id>/stock/<stock_type>", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(LedgerQuerySchema, location="query")
@blp.response(200, StockDetailEnvelope)
def get_stock(query, mill_id, stock_type):
    """One stock with its ledger, newest first, paged (page, perPage, dateFrom, dateTo)."""
    stock_type = service.parse_stock_type(stock_type)
    stock = service.get_stock(mill=g.mill, stock_type=stock_type)
    entries, meta = service.list_ledger(mill=g.mill, stock_type=stock_type, query=query)
    if meta is None:  # ?format=csv|xlsx: the ledger's every entry in the range, not one page
        return export_list(query["format"], f"stock-ledger-{stock_type.value.lower()}", entries, LedgerEntrySchema())
    stock.ledger = entries  # a plain attribute for StockDetailSchema, not a mapped relationship
    return ok(stock, meta=meta)


@blp.route("/<uuid:mill_id>/stock/<stock_type>", methods=["PATCH"])
@mill_access(Permission.UPDATE)
@blp.arguments(MinimumLevelSchema)
@blp.response(200, envelope(StockSchema))
def set_minimum_level(data, mill_id, stock_type):
    """Set the minimum stock level (0 = no alert); alerts at once if the stock is now low."""
    stock_type = service.parse_stock_type(stock_type)
    stock = service.set_minimum_level(mill=g.mill, stock_type=stock_type, minimum=data["min_stock_level"], actor=g.user)
    return ok(stock, "Minimum stock level updated")


# --- inward / outward goods --------------------------------------------------------------------


def _list_goods(direction, query):
    items, meta = service.list_goods(mill=g.mill, direction=direction, query=query)
    if meta is None:  # ?format=csv|xlsx: every filtered row, not one page
        schema = InwardSchema() if direction == Direction.IN else OutwardSchema()
        return export_list(query["format"], f"{direction.value.lower()}wards", items, schema)
    return ok(items, meta=meta)


def _create_goods(direction, data, message):
    movement = service.create_goods_movement(mill=g.mill, direction=direction, data=data, actor=g.user)
    return created(movement, message)


def _get_goods(direction, mill_id, movement_id, label):
    movement = get_mill_document(GoodsMovement, mill_id, movement_id, label=label)
    if movement.direction != direction:  # an outward's id under /inwards is simply not an inward
        raise NotFound(f"{label} not found")
    return ok(movement)


@blp.route("/<uuid:mill_id>/inwards", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(GoodsMovementQuerySchema, location="query")
@blp.response(200, envelope(InwardSchema, many=True))
def list_inwards(query, mill_id):
    """Goods received, newest first; filters dateFrom, dateTo, stockType, partyName (contains)."""
    return _list_goods(Direction.IN, query)


@blp.route("/<uuid:mill_id>/inwards", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(GoodsMovementCreateSchema)
@blp.response(201, envelope(InwardSchema))
def create_inward(data, mill_id):
    """Record goods received: adds quantityKg to the stock type (`inward:created`, `stock:updated`)."""
    return _create_goods(Direction.IN, data, "Inward recorded")


@blp.route("/<uuid:mill_id>/inwards/<uuid:inward_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(InwardSchema))
def get_inward(mill_id, inward_id):
    """One inward."""
    return _get_goods(Direction.IN, mill_id, inward_id, "Inward")


@blp.route("/<uuid:mill_id>/outwards", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(GoodsMovementQuerySchema, location="query")
@blp.response(200, envelope(OutwardSchema, many=True))
def list_outwards(query, mill_id):
    """Goods sent out, newest first; filters dateFrom, dateTo, stockType, partyName (contains)."""
    return _list_goods(Direction.OUT, query)


@blp.route("/<uuid:mill_id>/outwards", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(GoodsMovementCreateSchema)
@blp.response(201, envelope(OutwardSchema))
def create_outward(data, mill_id):
    """Record goods sent out: takes quantityKg from the stock type; 409, nothing written, when short."""
    return _create_goods(Direction.OUT, data, "Outward recorded")


@blp.route("/<uuid:mill_id>/outwards/<uuid:outward_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(OutwardSchema))
def get_outward(mill_id, outward_id):
    """One outward."""
    return _get_goods(Direction.OUT, mill_id, outward_id, "Outward")
