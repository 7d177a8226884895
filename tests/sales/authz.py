"""Ids the authorisation matrix needs for the sale routes."""

from ricemill.inventory.stock import apply_movement
from ricemill.sales import service
from tests.authz_registry import register


def make_sale(mill, admin, *, stock=True, **overrides):
    """A sale of 100 kg RICE at 4,000/quintal (amount 4,000.00); `stock` first adds the rice it needs."""
    data = {"buyer_name": "Venkat Traders", "stock_type": "RICE", "quantity_kg": 100, "rate_per_quintal": 4000}
    data.update(overrides)
    if stock:
        apply_movement(mill_id=mill.id, stock_type=data["stock_type"], change=data["quantity_kg"], reason="test stock")
    return service.create_sale(mill=mill, data=data, actor=admin)


register("sale_id", lambda mill, admin: make_sale(mill, admin).id)
