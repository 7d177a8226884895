"""A new farmer's first purchases arriving at once create one party, not one each."""

import threading

import pytest
import sqlalchemy as sa

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.parties.models import Party
from ricemill.purchases.models import PaddyPurchase
from tests.factories import auth_header, make_mill, make_user

THREADS = 8


@pytest.mark.committed
def test_concurrent_purchases_of_a_new_farmer_make_one_party(app):
    with app.app_context():
        mill = make_mill("Parties at once")
        mill_id = mill.id
        headers = [auth_header(make_user(Role.OPERATOR, mill)) for _ in range(THREADS)]
        db.session.remove()

    start = threading.Barrier(THREADS)
    statuses: list[int] = []
    lock = threading.Lock()

    def worker(n):
        client = app.test_client()
        start.wait()
        response = client.post(
            f"/api/v1/mills/{mill_id}/paddy-purchases",
            json={"farmerName": "Ramesh" if n % 2 else " RAMESH ", "farmerPhone": "98450 12345",
                  "grossWeightKg": 1000, "moisturePercent": 17, "ratePerQuintal": 2200},
            headers=headers[n],
        )  # fmt: skip
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [201] * THREADS
    with app.app_context():
        parties = db.session.scalars(sa.select(Party).where(Party.mill_id == mill_id)).all()
        assert len(parties) == 1
        linked = db.session.scalars(sa.select(PaddyPurchase.party_id).where(PaddyPurchase.mill_id == mill_id)).all()
        assert linked == [parties[0].id] * THREADS
        db.session.remove()
