"""Invoice numbers stay gapless when many requests create sales at once and some of them fail."""

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.inventory.stock import apply_movement
from ricemill.sales.models import Sale
from tests.factories import auth_header, make_mill, make_user
from tests.purchases import records

THREADS = 10
SALES_PER_THREAD = 3
STOCK_KG = 1000
SALE_KG = 50  # 30 attempts × 50 kg = 1,500 kg against 1,000 kg: exactly 20 fit


@pytest.mark.committed
def test_concurrent_sales_get_gapless_unique_invoice_numbers(app):
    with app.app_context():
        mill = make_mill("Invoices")
        apply_movement(mill_id=mill.id, stock_type="RICE", change=STOCK_KG, reason="opening stock")
        db.session.commit()
        mill_id = mill.id
        headers = [auth_header(make_user(Role.OPERATOR, mill)) for _ in range(THREADS)]
        db.session.remove()

    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(n):
        client = app.test_client()
        start.wait()
        for i in range(SALES_PER_THREAD):
            response = client.post(
                f"/api/v1/mills/{mill_id}/sales",
                json={
                    "buyerName": f"Buyer {n}-{i}",
                    "stockType": "RICE",
                    "quantityKg": SALE_KG,
                    "ratePerQuintal": 4000,
                },
                headers=headers[n],
            )
            with lock:
                statuses.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 20 + [409] * 10
    with app.app_context():
        numbers = db.session.scalars(sa.select(Sale.invoice_no).where(Sale.mill_id == mill_id)).all()
        assert sorted(numbers) == list(range(1, 21))
        assert records.stock(mill_id, "RICE") == 0 == records.ledger_sum(mill_id, "RICE")
        events = [e.name for e in records.events(mill_id)]
        assert events.count("sale:created") == 20
        assert [e.seq for e in records.events(mill_id)] == list(range(1, len(events) + 1))
        # the next sale after the failures gets the next number
        apply_movement(mill_id=mill_id, stock_type="RICE", change=Decimal(10), reason="more stock")
        db.session.commit()
        response = app.test_client().post(
            f"/api/v1/mills/{mill_id}/sales",
            json={"buyerName": "Late", "stockType": "RICE", "quantityKg": 10, "ratePerQuintal": 4000},
            headers=headers[0],
        )
        assert response.get_json()["data"]["invoiceNo"] == 21
        db.session.remove()
