"""Ids the authorisation matrix needs for the purchase routes."""

from ricemill.purchases import service
from tests.authz_registry import register


def make_purchase(mill, admin, **overrides):
    data = {"farmer_name": "Suresh", "gross_weight_kg": 1000, "moisture_percent": 17, "rate_per_quintal": 2200}
    data.update(overrides)
    return service.create_purchase(mill=mill, data=data, actor=admin)


register("purchase_id", lambda mill, admin: make_purchase(mill, admin).id)
