"""`meta.totals` of the document lists: sums over every row the filters select, on all pages,
never another mill's."""

from ricemill.auth.roles import Role
from tests.factories import auth_header, make_mill, make_user


def _post(client, mill, path, body, headers):
    response = client.post(f"/api/v1/mills/{mill.id}{path}", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def _meta(client, mill, path, headers, **query):
    response = client.get(f"/api/v1/mills/{mill.id}{path}", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["meta"]


def _purchase(farmer, gross, day):
    # moisture at the standard (17%): net = gross, amount = net / 100 × 2,000
    return {"farmerName": farmer, "grossWeightKg": gross, "moisturePercent": 17, "ratePerQuintal": 2000,
            "purchaseDate": day}  # fmt: skip


def test_purchase_totals_cover_every_page_of_the_filtered_rows(client, mill, headers):
    h = headers[Role.MILL_ADMIN]
    _post(client, mill, "/paddy-purchases", _purchase("Ravi", 1000, "2026-11-01"), h)
    _post(client, mill, "/paddy-purchases", _purchase("Ravindra", 500.5, "2026-11-02"), h)
    _post(client, mill, "/paddy-purchases", _purchase("Suresh", 300, "2026-11-03"), h)
    other = make_mill("Other")
    _post(client, other, "/paddy-purchases", _purchase("Ravi", 9999, "2026-11-02"), auth_header(
        make_user(Role.MILL_ADMIN, other)))  # fmt: skip

    meta = _meta(client, mill, "/paddy-purchases", h, perPage=1)
    assert meta["total"] == 3
    assert meta["totals"] == {"netWeightKg": 1800.5, "amount": 36010.0}
    meta = _meta(client, mill, "/paddy-purchases", h, farmerName="ravi", page=2, perPage=1)
    assert meta["totals"] == {"netWeightKg": 1500.5, "amount": 30010.0}
    meta = _meta(client, mill, "/paddy-purchases", h, dateFrom="2026-11-02", dateTo="2026-11-03")
    assert meta["totals"] == {"netWeightKg": 800.5, "amount": 16010.0}
    meta = _meta(client, mill, "/paddy-purchases", h, farmerName="nobody")
    assert meta == {"page": 1, "perPage": 20, "total": 0, "totals": {"netWeightKg": 0.0, "amount": 0.0}}


def test_sale_payment_and_goods_totals(client, mill, headers):
    h = headers[Role.MILL_ADMIN]
    _post(client, mill, "/inwards", {"stockType": "RICE", "quantityKg": 1000, "partyName": "Gupta"}, h)
    _post(client, mill, "/inwards", {"stockType": "BRAN", "quantityKg": 250, "partyName": "Rao"}, h)
    sale = _post(client, mill, "/sales", {"buyerName": "Gupta Traders", "stockType": "RICE", "quantityKg": 400,
                                         "ratePerQuintal": 4000}, h)  # fmt: skip
    _post(client, mill, "/sales", {"buyerName": "Rao", "stockType": "RICE", "quantityKg": 100,
                                   "ratePerQuintal": 4000}, h)  # fmt: skip
    purchase = _post(client, mill, "/paddy-purchases", _purchase("Ravi", 1000, "2026-11-01"), h)
    _post(client, mill, "/payments", {"direction": "RECEIVED", "amount": 5000, "mode": "CASH", "saleId": sale["id"]}, h)
    _post(client, mill, "/payments", {"direction": "MADE", "amount": 1500, "mode": "UPI",
                                      "purchaseId": purchase["id"]}, h)  # fmt: skip

    assert _meta(client, mill, "/sales", h)["totals"] == {"quantityKg": 500.0, "amount": 20000.0}
    assert _meta(client, mill, "/sales", h, buyerName="gupta")["totals"] == {"quantityKg": 400.0, "amount": 16000.0}
    assert _meta(client, mill, "/inwards", h)["totals"] == {"quantityKg": 1250.0}
    assert _meta(client, mill, "/inwards", h, partyName="RAO")["totals"] == {"quantityKg": 250.0}
    assert _meta(client, mill, "/payments", h)["totals"] == {"received": 5000.0, "made": 1500.0}
    assert _meta(client, mill, "/payments", h, direction="MADE")["totals"] == {"received": 0.0, "made": 1500.0}
