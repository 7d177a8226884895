from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.export import export_list
from . import service
from .schemas import PurchaseListQuerySchema, PurchaseSchema, PurchaseUpdateSchema

blp = Blueprint(
    "purchases", __name__, url_prefix="/api/v1/mills", description="Paddy purchases: weighed lots bought from farmers"
)


@blp.route("/<uuid:mill_id>/paddy-purchases", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(PurchaseListQuerySchema, location="query")
@blp.response(200, envelope(PurchaseSchema, many=True))
def list_purchases(query, mill_id):
    """List the mill's paddy purchases, newest first.

    Filters: dateFrom/dateTo (purchase date, inclusive), farmerName (contains, any case),
    village (any case), paymentStatus.
    """
    items, meta = service.list_purchases(mill_id=mill_id, query=query)
    if meta is None:  # ?format=csv|xlsx: every filtered row, not one page
        return export_list(query["format"], "purchases", items, PurchaseSchema())
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/paddy-purchases", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(PurchaseSchema)
@blp.response(201, envelope(PurchaseSchema))
def create_purchase(data, mill_id):
    """Record a paddy purchase.

    The server computes the moisture deduction (against the mill's standard moisture), the net
    weight and the amount, and adds the net weight to PADDY stock.
    """
    purchase = service.create_purchase(mill=g.mill, data=data, actor=g.user)
    return created(purchase, "Purchase created")


@blp.route("/<uuid:mill_id>/paddy-purchases/<uuid:purchase_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(PurchaseSchema))
def get_purchase(mill_id, purchase_id):
    """Get one paddy purchase."""
    return ok(service.get_purchase(mill_id=mill_id, purchase_id=purchase_id))


@blp.route("/<uuid:mill_id>/paddy-purchases/<uuid:purchase_id>", methods=["PATCH"])
@mill_access(Permission.UPDATE)
@blp.arguments(PurchaseUpdateSchema(partial=True))
@blp.response(200, envelope(PurchaseSchema))
def update_purchase(data, mill_id, purchase_id):
    """Update a paddy purchase.

    Computed fields are recomputed; PADDY stock moves by the change in net weight. The amount may
    not fall below what has already been paid (409).
    """
    purchase = service.update_purchase(mill=g.mill, purchase_id=purchase_id, data=data, actor=g.user)
    return ok(purchase, "Purchase updated")


@blp.route("/<uuid:mill_id>/paddy-purchases/<uuid:purchase_id>", methods=["DELETE"])
@mill_access(Permission.DELETE)
@blp.response(200, envelope())
def delete_purchase(mill_id, purchase_id):
    """Delete a paddy purchase and take its net weight back out of PADDY stock.

    Refused (409) when it has payments or when that paddy is no longer in stock.
    """
    service.delete_purchase(mill=g.mill, purchase_id=purchase_id, actor=g.user)
    return ok(None, "Purchase deleted")
