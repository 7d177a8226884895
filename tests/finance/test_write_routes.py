"""Every write route of purchases, sales and payments refuses a body of the wrong shape with a 422
envelope and writes nothing (the per-field cases live next to each route's tests)."""

import json

import pytest

from ricemill.auth.roles import Role
from ricemill.extensions import db
from ricemill.finance.models import Payment, Receipt
from ricemill.purchases.models import PaddyPurchase
from ricemill.sales.models import Sale
from tests.purchases import records
from tests.purchases.authz import make_purchase
from tests.sales.authz import make_sale

WRONG_SHAPES = [[1, 2], "purchase", None, 42, {"millId": "00000000-0000-0000-0000-000000000000"}]


@pytest.mark.parametrize("body", WRONG_SHAPES, ids=["list", "string", "null", "number", "only-millId"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "paddy-purchases"),
        ("PATCH", "paddy-purchases/{purchase}"),
        ("POST", "sales"),
        ("PATCH", "sales/{sale}"),
        ("POST", "payments"),
    ],
)
def test_wrong_shaped_bodies_are_422_and_write_nothing(client, mill, users, headers, method, path, body):
    admin = users[Role.MILL_ADMIN]
    purchase, sale = make_purchase(mill, admin), make_sale(mill, admin)
    db.session.commit()
    url = f"/api/v1/mills/{mill.id}/" + path.format(purchase=purchase.id, sale=sale.id)
    before = records.counts(PaddyPurchase, Sale, Payment, Receipt, mills=[mill])
    response = client.open(
        url, method=method, data=json.dumps(body), content_type="application/json", headers=headers[Role.MILL_ADMIN]
    )
    assert response.status_code == 422, response.get_json()
    envelope = response.get_json()
    assert envelope["success"] is False and envelope["statusCode"] == 422 and envelope["errors"]
    assert records.counts(PaddyPurchase, Sale, Payment, Receipt, mills=[mill]) == before
