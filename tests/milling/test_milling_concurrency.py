"""Two concurrent completions of one batch: exactly one succeeds, the outputs are added once."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.models import Stock
from ricemill.milling.models import BatchStatus, MillingBatch
from ricemill.realtime.outbox.models import MillEvent
from tests.factories import auth_header, make_mill, make_user
from tests.inventory.helpers import mill_url, set_stock

OUTPUTS = {"RICE": 680, "BROKEN_RICE": 50, "BRAN": 80, "HUSK": 180}


@pytest.mark.committed
def test_concurrent_double_completion_succeeds_exactly_once(app):
    with app.app_context():
        mill = make_mill()
        set_stock(mill, "PADDY", Decimal("1000"))
        header = auth_header(make_user(Role.OPERATOR, mill))
        client = app.test_client()
        started = client.post(mill_url(mill, "/milling-batches"), json={"paddyInputKg": 1000}, headers=header)
        assert started.status_code == 201
        url = mill_url(mill, f"/milling-batches/{started.get_json()['data']['id']}/complete")
        mill_id = mill.id

    barrier = threading.Barrier(2)

    def complete(_):
        client = app.test_client()  # each request runs in its own app context, session and connection
        barrier.wait(timeout=30)
        return client.post(url, json={"outputs": OUTPUTS}, headers=header).status_code

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(complete, range(2)))
    assert statuses == [200, 409]

    with app.app_context():
        quantities = dict(
            db.session.execute(sa.select(Stock.stock_type, Stock.quantity).where(Stock.mill_id == mill_id)).all()
        )
        assert {str(k): v for k, v in quantities.items()} == {
            "PADDY": 0, "RICE": 680, "BROKEN_RICE": 50, "BRAN": 80, "HUSK": 180,
        }  # fmt: skip
        names = db.session.scalars(
            sa.select(MillEvent.name).where(MillEvent.mill_id == mill_id).order_by(MillEvent.seq)
        ).all()
        assert names.count("milling:completed") == 1
        assert names.count("stock:updated") == 1 + 4  # the start, then the four outputs once
        batch = db.session.scalar(sa.select(MillingBatch).where(MillingBatch.mill_id == mill_id))
        assert batch.status == BatchStatus.COMPLETED and batch.loss_kg == Decimal("10.000")
