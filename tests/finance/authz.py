"""Ids the authorisation matrix needs for the payment and receipt routes."""

import sqlalchemy as sa

from ricemill.extensions import db
from ricemill.finance import service
from ricemill.finance.models import Receipt
from tests.authz_registry import register


def make_payment(mill, admin, **overrides):
    """A payment of 500 received in cash from a walk-in buyer (so it has a receipt)."""
    data = {"direction": "RECEIVED", "party_name": "Walk-in buyer", "amount": 500, "mode": "CASH"}
    data.update(overrides)
    return service.create_payment(mill=mill, data=data, actor=admin)


def receipt_of(payment) -> Receipt:
    return db.session.scalars(sa.select(Receipt).where(Receipt.payment_id == payment.id)).one()


register("payment_id", lambda mill, admin: make_payment(mill, admin).id)
register("receipt_id", lambda mill, admin: receipt_of(make_payment(mill, admin)).id)
