"""Receipt numbers stay gapless, and a sale is never overpaid, when payments arrive at once."""

import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.finance.models import Payment, Receipt
from ricemill.sales.models import Sale
from tests.factories import auth_header, make_mill, make_user
from tests.purchases import records
from tests.sales.authz import make_sale

THREADS = 10
PAYMENTS_PER_THREAD = 3
# Each thread pays the one sale (amount 4,000.00) 3 × 200 and also takes one walk-in payment:
# 30 × 200 = 6,000 against 4,000, so exactly 20 of the sale's payments fit and 10 are refused.


@pytest.mark.committed
def test_concurrent_payments_get_gapless_receipts_and_never_overpay(app):
    with app.app_context():
        mill = make_mill("Receipts")
        admin = make_user(Role.MILL_ADMIN, mill)
        sale = make_sale(mill, admin)
        db.session.commit()
        mill_id, sale_id = mill.id, sale.id
        headers = [auth_header(make_user(Role.MANAGER, mill)) for _ in range(THREADS)]
        db.session.remove()

    start = threading.Barrier(THREADS)
    statuses: list[tuple[str, int]] = []
    lock = threading.Lock()

    def worker(n):
        client = app.test_client()
        start.wait()
        for i in range(PAYMENTS_PER_THREAD):
            response = client.post(
                f"/api/v1/mills/{mill_id}/payments",
                json={"direction": "RECEIVED", "amount": 200, "mode": "CASH", "saleId": str(sale_id)},
                headers=headers[n],
            )
            with lock:
                statuses.append(("sale", response.status_code))
            if i == 0:
                response = client.post(
                    f"/api/v1/mills/{mill_id}/payments",
                    json={"direction": "RECEIVED", "amount": 50, "mode": "UPI", "partyName": f"Walk-in {n}"},
                    headers=headers[n],
                )
                with lock:
                    statuses.append(("walk-in", response.status_code))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    sale_statuses = sorted(code for kind, code in statuses if kind == "sale")
    assert sale_statuses == [201] * 20 + [409] * 10
    assert [code for kind, code in statuses if kind == "walk-in"] == [201] * THREADS
    with app.app_context():
        numbers = db.session.scalars(sa.select(Receipt.receipt_no).where(Receipt.mill_id == mill_id)).all()
        assert sorted(numbers) == list(range(1, 20 + THREADS + 1))
        assert records.count(Payment) == records.count(Receipt) == 20 + THREADS
        sale = db.session.get(Sale, sale_id)
        assert (sale.paid_amount, sale.payment_status) == (Decimal("4000.00"), "PAID")
        names = [e.name for e in records.events(mill_id)]
        assert names.count("receipt:created") == 30 and names.count("sale:updated") == 20
        db.session.remove()
