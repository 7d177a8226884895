"""Printed documents: invoice numbers per financial year, GST, amounts in words, letterhead."""

from datetime import date
from decimal import Decimal

import pytest

from ricemill.auth.roles import Role
from ricemill.common.printing import gst_split
from ricemill.common.words import rupees_in_words
from ricemill.extensions import db
from ricemill.inventory.stock import apply_movement
from tests.factories import auth_header, make_mill, make_user
from tests.parties.authz import make_party
from tests.purchases.authz import make_purchase


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("120600", "Rupees One Lakh Twenty Thousand Six Hundred Only"),
        ("123481.60", "Rupees One Lakh Twenty Three Thousand Four Hundred Eighty One and Sixty Paise Only"),
        ("10000000", "Rupees One Crore Only"),
        ("1", "Rupees One Only"),
    ],
)
def test_amounts_in_words_the_indian_way(amount, words):
    assert rupees_in_words(Decimal(amount)) == words


def test_gst_split():
    same = gst_split(Decimal("301.01"), Decimal(5), "Karnataka", "karnataka")
    assert (same["kind"], same["cgst"], same["sgst"], same["half_rate"]) == (
        "INTRA",
        Decimal("150.51"),
        Decimal("150.50"),
        Decimal("2.5"),
    )
    other = gst_split(Decimal("301.01"), Decimal(5), "Karnataka", "Tamil Nadu")
    assert (other["kind"], other["igst"]) == ("INTER", Decimal("301.01"))
    assert gst_split(0, 0, "Karnataka", None)["kind"] == "INTRA"  # a local buyer without a state


def _sale(client, mill, headers, **body):
    data = {"buyerName": "Venkat Traders", "stockType": "RICE", "quantityKg": 100, "ratePerQuintal": 4000, **body}
    response = client.post(f"/api/v1/mills/{mill.id}/sales", json=data, headers=headers[Role.MANAGER])
    assert response.status_code == 201, response.get_json()
    return response.get_json()["data"]


def test_invoice_numbers_restart_each_april_and_show_the_year(client, mill, headers):
    apply_movement(mill_id=mill.id, stock_type="RICE", change=10_000, reason="test stock")
    db.session.commit()
    march = [_sale(client, mill, headers, saleDate="2026-03-30") for _ in range(2)]
    april = _sale(client, mill, headers, saleDate="2026-04-01")
    assert [s["invoiceNumber"] for s in march] == ["2025-26/0001", "2025-26/0002"]
    assert (april["invoiceNo"], april["invoiceNumber"]) == (1, "2026-27/0001")
    assert _sale(client, mill, headers, saleDate="2026-03-31")["invoiceNumber"] == "2025-26/0003"
    moved = client.patch(
        f"/api/v1/mills/{mill.id}/sales/{april['id']}",
        json={"saleDate": "2026-03-31"},
        headers=headers[Role.MILL_ADMIN],
    )
    assert moved.status_code == 422 and moved.get_json()["errors"][0]["field"] == "saleDate"


def test_tax_rate_adds_tax_to_what_the_buyer_owes(client, mill, headers):
    apply_movement(mill_id=mill.id, stock_type="RICE", change=10_000, reason="test stock")
    db.session.commit()
    sale = _sale(client, mill, headers, quantityKg=3015, ratePerQuintal=4000, taxRatePercent=5)
    assert (sale["taxableValue"], sale["taxAmount"], sale["amount"]) == (120600.0, 6030.0, 126630.0)
    plain = _sale(client, mill, headers)
    assert (plain["taxRatePercent"], plain["taxAmount"], plain["amount"]) == (0.0, 0.0, 4000.0)
    bad = client.post(
        f"/api/v1/mills/{mill.id}/sales",
        json={"buyerName": "X", "stockType": "RICE", "quantityKg": 1, "ratePerQuintal": 4000, "taxRatePercent": 50},
        headers=headers[Role.MANAGER],
    )
    assert bad.status_code == 422 and bad.get_json()["errors"][0]["field"] == "taxRatePercent"


def test_invoice_page_with_letterhead_gst_and_words(client, users, headers):
    mill = make_mill("Lakshmi Rice Mill")
    # The mill settings page (another change) stores gstin/state in the settings.
    mill.address, mill.phone = "Kollur Road, Mandya", "08232 123456"
    mill.settings = {**mill.settings, "gstin": "29AAGCB7383J1Z4"}
    admin = make_user(Role.MILL_ADMIN, mill)
    buyer = make_party(mill, admin, kind="BUYER", name="Chennai Foods", phone=None, gstin="33AAPFU0939F1Z2")
    apply_movement(mill_id=mill.id, stock_type="RICE", change=10_000, reason="test stock")
    db.session.commit()
    h = auth_header(admin)
    response = client.post(
        f"/api/v1/mills/{mill.id}/sales",
        json={"partyId": str(buyer.id), "stockType": "RICE", "quantityKg": 3015, "ratePerQuintal": 4000,
              "taxRatePercent": 5, "saleDate": "2026-04-02"},
        headers=h,
    )  # fmt: skip
    sale = response.get_json()["data"]
    client.set_cookie("access_token_cookie", h["Authorization"].split()[1])
    page = client.get(f"/print/sales/{sale['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    expected = [
        "Lakshmi Rice Mill", "Kollur Road, Mandya", "GSTIN 29AAGCB7383J1Z4", "Karnataka", "Tax Invoice",
        "2026-27/0001", "Chennai Foods", "GSTIN 33AAPFU0939F1Z2", "Tamil Nadu", "1006", "₹1,20,600.00",
        "IGST @ 5%", "₹6,030.00", "₹1,26,630.00", "Rupees One Lakh Twenty Six Thousand Six Hundred Thirty Only",
    ]  # fmt: skip
    for text in expected:
        assert text in html, text
    assert "CGST" not in html
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "print-a4.css" in html and "print-80mm.css" in client.get(f"/print/sales/{sale['id']}?size=80mm").get_data(
        as_text=True
    )


def test_slip_page_and_other_mills_documents(client, mill, other_mill, users, headers):
    admin = users[Role.MILL_ADMIN]
    purchase = make_purchase(mill, admin, weigh_slip_no="W-42", vehicle_number="KA-11-AB-1234", bags=20,
                             moisture_percent=20, gross_weight_kg=5000, tare_weight_kg=1000)  # fmt: skip
    db.session.commit()
    client.set_cookie("access_token_cookie", headers[Role.OPERATOR]["Authorization"].split()[1])
    html = client.get(f"/print/purchases/{purchase.id}").get_data(as_text=True)
    expected = [
        "W-42", "KA-11-AB-1234", "Suresh", "5,000.000 kg", "1,000.000 kg", "20%", "144.578 kg", "3,855.422 kg",
        "₹2,200.00", "₹84,819.28", "Rupees Eighty Four Thousand Eight Hundred Nineteen and Twenty Eight Paise Only",
    ]  # fmt: skip
    for text in expected:
        assert text in html, text
    theirs = make_purchase(other_mill, make_user(Role.MILL_ADMIN, other_mill))
    db.session.commit()
    assert client.get(f"/print/purchases/{theirs.id}").status_code == 404
    assert client.get(f"/print/sales/{purchase.id}").status_code == 404


def test_receipts_carry_the_amount_in_words(client, mill, headers):
    response = client.post(
        f"/api/v1/mills/{mill.id}/payments",
        json={"direction": "RECEIVED", "partyName": "Walk-in", "amount": 120600, "mode": "CASH"},
        headers=headers[Role.MANAGER],
    )
    assert response.status_code == 201
    receipts = client.get(f"/api/v1/mills/{mill.id}/receipts", headers=headers[Role.OPERATOR]).get_json()["data"]
    assert receipts[0]["amountInWords"] == "Rupees One Lakh Twenty Thousand Six Hundred Only"
    assert date.fromisoformat(receipts[0]["receiptDate"])
