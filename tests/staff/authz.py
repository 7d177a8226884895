"""The authorisation matrix's factory for <staff_id>."""

from datetime import date
from decimal import Decimal

from ricemill.staff import service
from tests.authz_registry import register


def _make_staff(mill, admin):
    data = {"name": "Matrix Staff", "daily_wage": Decimal("500"), "joined_on": date(2024, 1, 1)}
    return service.create_staff(mill=mill, data=data, actor=admin).id


register("staff_id", _make_staff)
