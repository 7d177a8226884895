"""Ids of real inward/outward documents for the authorisation matrix."""

from decimal import Decimal

from ricemill.inventory import service
from ricemill.inventory.types import Direction
from tests.authz_registry import register, register_static


def _goods(mill, admin, direction, quantity="100"):
    data = {"stock_type": "RICE", "quantity_kg": Decimal(quantity), "party_name": "Matrix"}
    return service.create_goods_movement(mill=mill, direction=direction, data=data, actor=admin).id


def _outward(mill, admin):
    _goods(mill, admin, Direction.IN)
    return _goods(mill, admin, Direction.OUT, "10")


register("inward_id", lambda mill, admin: _goods(mill, admin, Direction.IN))
register("outward_id", _outward)
register_static("stock_type", "PADDY")
