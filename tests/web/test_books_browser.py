"""The parties and ledger pages in headless Chromium against the real server (see conftest.py)."""

import re

import pytest

from ricemill.auth.roles import Role
from tests.factories import make_mill, make_user

from .conftest import wait_live

pytestmark = [pytest.mark.committed, pytest.mark.browser]


def test_a_payment_updates_the_partys_balance_live_on_another_page(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Ledger Mill")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    watcher = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(manager)
    # 5,612.8 kg net at ₹2,200 a quintal: ₹1,23,481.60 owed to Ramesh
    body = {"farmerName": "Ramesh", "farmerPhone": "98450 12345", "grossWeightKg": 5612.8, "moisturePercent": 17}
    purchase = api.post("/paddy-purchases", {**body, "ratePerQuintal": 2200})
    party_id = purchase["partyId"]

    parties = open_page(watcher, "/parties")
    ledger = open_page(watcher, f"/parties/{party_id}")
    wait_live(parties)
    wait_live(ledger)
    row = parties.locator(f"#parties-table tr[data-id='{party_id}']")
    expect(row).to_contain_text("-₹1,23,481.60")
    expect(ledger.locator("#closing")).to_have_text("-₹1,23,481.60")

    api.post("/payments", {"direction": "MADE", "amount": 23481.60, "mode": "CASH", "purchaseId": purchase["id"]})
    expect(row).to_contain_text("-₹1,00,000.00", timeout=2000)
    expect(ledger.locator("#closing")).to_have_text("-₹1,00,000.00", timeout=2000)
    expect(ledger.locator("#ledger-table tbody tr")).to_have_count(2)

    # "Whom we owe" lists him; "Who owes us" does not.
    parties.check("input[name=owing][value=us]")
    expect(parties.locator(f"#parties-table tr[data-id='{party_id}']")).to_have_count(0)
    parties.check("input[name=owing][value=them]")
    expect(parties.locator(f"#parties-table tr[data-id='{party_id}']")).to_have_count(1)


def test_report_pages_load_and_the_day_book_follows_a_new_purchase(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Report Mill")
    manager = make_user(Role.MANAGER, mill)
    watcher = make_user(Role.OPERATOR, mill)
    api = rest(manager)
    page = open_page(watcher, "/reports/day-book")
    wait_live(page)
    expect(page.locator("#report-table tbody")).to_contain_text("Nothing yet.")
    api.post("/paddy-purchases", {"farmerName": "Ramesh", "grossWeightKg": 1000, "moisturePercent": 17,
                                  "ratePerQuintal": 2200})  # fmt: skip
    expect(page.locator("#report-table tbody tr").first).to_contain_text("Ramesh", timeout=2000)
    expect(page.locator("#report-totals")).to_contain_text("₹22,000.00")
    for name in ("stock-statement", "purchases", "sales", "milling"):
        page.click(f"nav.tabs a[href*='/reports/{name}']")
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#report-table")).to_have_attribute("data-rows", re.compile(r"\d+"))
    page.click("nav.tabs a[href*='/reports/purchases']")
    page.wait_for_selector("body[data-ready='1']")
    page.select_option("select[name=groupBy]", "party")
    page.click("#report-filters button[type=submit]")
    expect(page.locator("#report-table thead")).to_contain_text("Party")
    expect(page.locator("#report-table tbody tr").first).to_contain_text("Ramesh")
    expect(page.locator("#export-csv")).to_have_attribute("href", re.compile("groupBy=party.*format=csv"))


def test_invoice_and_slip_at_print_size(seed, open_page, rest, tmp_path):
    """The tax invoice and the weighbridge slip as printed on A4 and on an 80 mm roll (print media,
    96 dpi); docs/screenshots/{invoice,slip}-*.png are rewritten with UPDATE_SCREENSHOTS=1."""
    import os
    from pathlib import Path

    from playwright.sync_api import expect

    from ricemill.extensions import db

    mill = make_mill("Sri Lakshmi Rice Mill")
    mill.address, mill.phone = "Kollur Road, Mandya 571401", "08232 245 678"
    mill.settings = {**mill.settings, "gstin": "29AAGCB7383J1Z4"}
    db.session.commit()
    owner = make_user(Role.MILL_ADMIN, mill, name="Srinivas")
    api = rest(owner)
    api.post("/inwards", {"stockType": "RICE", "quantityKg": 10000})
    buyer = api.post("/parties", {"kind": "BUYER", "name": "Chennai Foods Pvt Ltd", "address": "12 Anna Salai, Chennai",
                                  "gstin": "33AAPFU0939F1Z2", "phone": "044 2345 6789"})  # fmt: skip
    sale = api.post("/sales", {"partyId": buyer["id"], "stockType": "RICE", "quantityKg": 3015, "bags": 60,
                               "ratePerQuintal": 4000, "taxRatePercent": 5,
                               "vehicleNumber": "KA-11-B-4521"})  # fmt: skip
    purchase = api.post("/paddy-purchases", {"farmerName": "Ramesh Gowda", "farmerPhone": "98450 12345",
                                              "village": "Kollur", "variety": "Sona Masoori", "bags": 55,
                                              "grossWeightKg": 5000, "tareWeightKg": 1000, "moisturePercent": 20,
                                              "ratePerQuintal": 2200, "vehicleNumber": "KA-11-AB-1234",
                                              "weighSlipNo": "W-0042"})  # fmt: skip
    out = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        out = tmp_path
    out.mkdir(parents=True, exist_ok=True)

    sizes = {"a4": {"width": 794, "height": 1123}, "80mm": {"width": 302, "height": 900}}
    for size, viewport in sizes.items():
        page = open_page(owner, "/parties", viewport=viewport)
        page.emulate_media(media="print")
        words = "Rupees One Lakh Twenty Six Thousand Six Hundred Thirty Only"
        for name, path, must in (
            ("invoice", f"/print/sales/{sale['id']}?size={size}", words),
            ("slip", f"/print/purchases/{purchase['id']}?size={size}", "3,855.422 kg"),
        ):
            page.goto(path)
            expect(page.locator("#words" if name == "invoice" else "#net")).to_contain_text(must)
            expect(page.locator(".toolbar")).to_be_hidden()  # print media: no screen controls
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name} at {size} is {width} px wide"
            page.screenshot(path=str(out / f"{name}-{size}.png"), full_page=True)
            assert (out / f"{name}-{size}.png").stat().st_size > 10_000


def test_purchase_and_sale_lists_link_to_their_slip_and_invoice(seed, open_page, rest):
    """Each row of the purchase and sale lists (and the one-document view, ?id=) prints its slip or
    invoice; a payment received has a receipt that reads its amount in words."""
    from playwright.sync_api import expect

    mill = make_mill("Print Link Mill")
    manager = make_user(Role.MANAGER, mill)
    operator = make_user(Role.OPERATOR, mill)
    api = rest(manager)
    api.post("/inwards", {"stockType": "RICE", "quantityKg": 1000})
    purchase = api.post("/paddy-purchases", {"farmerName": "Ramesh", "grossWeightKg": 1000, "moisturePercent": 17,
                                              "ratePerQuintal": 2200})  # fmt: skip
    sale = api.post("/sales", {"buyerName": "Anand Traders", "stockType": "RICE", "quantityKg": 100,
                               "ratePerQuintal": 4000})  # fmt: skip

    page = open_page(operator, "/documents/purchases")  # an operator reads and prints; no edit, no delete
    link = page.locator(f"#doc-list a.print-link[href*='/print/purchases/{purchase['id']}']")
    expect(link).to_have_text("Slip")
    link.click()
    expect(page.locator("#net")).to_contain_text("kg")

    page = open_page(operator, f"/documents/sales?id={sale['id']}")
    link = page.locator(f"#doc-list a.print-link[href*='/print/sales/{sale['id']}']")
    expect(link).to_have_text("Invoice")
    link.click()
    expect(page.locator("#words")).to_have_text("Rupees Four Thousand Only")

    payment = api.post("/payments", {"direction": "RECEIVED", "amount": 1250.5, "mode": "CASH", "saleId": sale["id"]})
    receipt_id = next(r["id"] for r in api.get("/receipts")["data"] if r["paymentId"] == payment["id"])
    page = open_page(operator, f"/receipts/{receipt_id}")
    expect(page.locator("#r-words")).to_have_text("Rupees One Thousand Two Hundred Fifty and Fifty Paise Only")


def test_parties_page_sums_live_and_edits_a_party(seed, open_page, rest):
    """The sums owed to the mill and by it follow a new purchase live; Edit fills the form and saves
    a PATCH (the row and the ledger link follow)."""
    from playwright.sync_api import expect

    mill = make_mill("Sums Mill")
    manager = make_user(Role.MANAGER, mill)
    api = rest(manager)
    buyer = api.post("/parties", {"kind": "BUYER", "name": "Anand Traders", "openingBalance": 1500})
    page = open_page(manager, "/parties")
    wait_live(page)
    expect(page.locator("#owed-to-us")).to_have_text("₹1,500.00")
    expect(page.locator("#we-owe")).to_have_text("₹0.00")
    api.post("/paddy-purchases", {"farmerName": "Ramesh", "grossWeightKg": 1000, "moisturePercent": 17,
                                  "ratePerQuintal": 2200})  # fmt: skip
    expect(page.locator("#we-owe")).to_have_text("₹22,000.00", timeout=2000)

    row = page.locator(f"#parties-table tr[data-id='{buyer['id']}']")
    row.get_by_role("button", name="Edit").click()
    expect(page.locator("#party-form-title")).to_have_text("Edit party · Anand Traders")
    expect(page.locator("#party-form [name=openingBalance]")).to_have_value("1500")
    page.fill("#party-form [name=village]", "Hosur")
    page.fill("#party-form [name=openingBalance]", "2000")
    page.click("#party-form button[type=submit]")
    expect(row).to_contain_text("Hosur", timeout=2000)
    expect(page.locator("#owed-to-us")).to_have_text("₹2,000.00")
    expect(page.locator("#party-form-title")).to_have_text("New party")
    got = api.get(f"/parties/{buyer['id']}")["data"]
    assert (got["village"], got["openingBalance"], got["kind"]) == ("Hosur", 2000.0, "BUYER")
