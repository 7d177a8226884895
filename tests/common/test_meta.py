"""GET /api/v1/meta and the pages' #rm-meta: one source for defaults, units and enumerations."""

import html
import json
import re

from ricemill.common import constants
from ricemill.finance.types import PaymentMode
from ricemill.inventory.types import StockType
from ricemill.meta.service import build_meta
from ricemill.purchases.service import moisture_deduction_kg


def test_meta_is_public_and_carries_the_constants(client):
    response = client.get("/api/v1/meta")
    assert response.status_code == 200
    meta = response.get_json()["data"]
    assert meta["millDefaults"] == {
        "standardMoisturePercent": constants.DEFAULT_STANDARD_MOISTURE_PERCENT,
        "timezone": constants.DEFAULT_TIMEZONE,
    }
    assert meta["units"]["weight"] == "kg" and meta["units"]["weightPlaces"] == 3
    assert [o["value"] for o in meta["stockTypes"]] == StockType.values()
    assert {o["value"]: o["label"] for o in meta["stockTypes"]}["BROKEN_RICE"] == "Broken rice"
    assert [o["value"] for o in meta["paymentModes"]] == PaymentMode.values()
    assert meta["limits"]["maxLotKg"] == constants.MAX_LOT_KG


def test_meta_is_in_the_openapi_document_without_security(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/meta"]["get"]
    assert operation["security"] == []


def test_the_meta_moisture_constants_reproduce_the_servers_formula():
    """The page preview computes W × (M − S) / (100 − S) rounded half up to `places`: same as the server."""
    meta = build_meta()
    places = meta["moisture"]["places"]
    standard = meta["millDefaults"]["standardMoisturePercent"]
    for weight, moisture in [(1000, 20), (1234.567, 22.5), (999, 17), (50, 40)]:
        page = 0.0 if moisture <= standard else weight * (moisture - standard) / (100 - standard)
        assert round(page + 1e-9, places) == float(moisture_deduction_kg(weight, moisture, standard))


def test_pages_carry_the_same_meta_as_json(client):
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'<script id="rm-meta" type="application/json">(.*?)</script>', page, re.S)
    assert found, "base.html renders #rm-meta"
    assert json.loads(html.unescape(found.group(1))) == client.get("/api/v1/meta").get_json()["data"]


def test_page_selects_take_their_options_and_labels_from_the_meta(client, mill):
    from ricemill.auth.roles import Role
    from tests.factories import PASSWORD, make_user

    user = make_user(Role.MANAGER, mill)
    assert client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/"}).status_code == 302
    stock = client.get("/stock").get_data(as_text=True)
    assert '<option value="BROKEN_RICE" >Broken rice</option>' in stock
    milling = client.get("/milling").get_data(as_text=True)
    assert "Broken rice (kg)" in milling
    payments = client.get("/documents/payments").get_data(as_text=True)
    assert ">Bank transfer</option>" in payments
