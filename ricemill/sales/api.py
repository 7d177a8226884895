from flask import g

from ..auth.access import mill_access
from ..auth.roles import Permission
from ..common.blueprint import Blueprint
from ..common.envelope import created, envelope, ok
from ..common.export import export_list
from . import service
from .schemas import SaleListQuerySchema, SaleSchema, SaleUpdateSchema

blp = Blueprint("sales", __name__, url_prefix="/api/v1/mills", description="Sales of rice and by-products, invoiced")


@blp.route("/<uuid:mill_id>/sales", methods=["GET"])
@mill_access(Permission.READ)
@blp.arguments(SaleListQuerySchema, location="query")
@blp.response(200, envelope(SaleSchema, many=True))
def list_sales(query, mill_id):
    """List the mill's sales, newest first.

    Filters: dateFrom/dateTo (sale date, inclusive), buyerName (contains, any case), stockType,
    paymentStatus.
    """
    items, meta = service.list_sales(mill_id=mill_id, query=query)
    if meta is None:  # ?format=csv|xlsx: every filtered row, not one page
        return export_list(query["format"], "sales", items, SaleSchema())
    return ok(items, meta=meta)


@blp.route("/<uuid:mill_id>/sales", methods=["POST"])
@mill_access(Permission.CREATE)
@blp.arguments(SaleSchema)
@blp.response(201, envelope(SaleSchema))
def create_sale(data, mill_id):
    """Record a sale.

    Takes the quantity out of the stock type's stock (409 when there is not enough) and gives the
    sale the mill's next invoice number. The server computes the amount.
    """
    sale = service.create_sale(mill=g.mill, data=data, actor=g.user)
    return created(sale, "Sale created")


@blp.route("/<uuid:mill_id>/sales/<uuid:sale_id>", methods=["GET"])
@mill_access(Permission.READ)
@blp.response(200, envelope(SaleSchema))
def get_sale(mill_id, sale_id):
    """Get one sale."""
    return ok(service.get_sale(mill_id=mill_id, sale_id=sale_id))


@blp.route("/<uuid:mill_id>/sales/<uuid:sale_id>", methods=["PATCH"])
@mill_access(Permission.UPDATE)
@blp.arguments(SaleUpdateSchema(partial=True))
@blp.response(200, envelope(SaleSchema))
def update_sale(data, mill_id, sale_id):
    """Update a sale.

    Stock follows a change of quantity or stock type; the amount is recomputed and may not fall
    below what has already been received (409). The invoice number stays.
    """
    sale = service.update_sale(mill=g.mill, sale_id=sale_id, data=data, actor=g.user)
    return ok(sale, "Sale updated")


@blp.route("/<uuid:mill_id>/sales/<uuid:sale_id>", methods=["DELETE"])
@mill_access(Permission.DELETE)
@blp.response(200, envelope())
def delete_sale(mill_id, sale_id):
    """Delete a sale and put its goods back in stock. Refused (409) when it has payments."""
    service.delete_sale(mill=g.mill, sale_id=sale_id, actor=g.user)
    return ok(None, "Sale deleted")
