"""Ids of real milling batches for the authorisation matrix."""

from decimal import Decimal

from ricemill.inventory import service as inventory
from ricemill.inventory.types import Direction
from ricemill.milling import service
from tests.authz_registry import register


def _batch(mill, admin):
    paddy = {"stock_type": "PADDY", "quantity_kg": Decimal("1000"), "party_name": "Matrix"}
    inventory.create_goods_movement(mill=mill, direction=Direction.IN, data=paddy, actor=admin)
    return service.start_batch(mill=mill, data={"paddy_input_kg": Decimal("500")}, actor=admin).id


register("batch_id", _batch)
