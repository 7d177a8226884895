"""The words on the pages (issue 11): no enum code (PADDY, RECEIVED, UPI, MILL_ADMIN...), no code in
lower case where a label belongs ("upi", "in progress") and no ISO date reaches a person, on any page
of a seeded mill (documents, stock, milling, attendance, notifications, a receipt, users, settings,
parties, reports), at 360 and 1366 px. Real Chromium against the real server (see conftest.py)."""

import re
from datetime import timedelta

import pytest

from ricemill.auth.roles import Role
from ricemill.common import words
from ricemill.meta.service import build_meta
from tests.factories import make_mill, make_user

from .conftest import wait_live

pytestmark = [pytest.mark.committed, pytest.mark.browser]

PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# A weight of 100 kg or more to the gram ("1,38,757.347 kg"): people read it to 100 g (common.words.kg)
GRAMS_ON_A_LOT = re.compile(r"\b(?:\d{1,3},)?(?:\d{2},)*\d{3}\.\d{2,3}\s?kg")


def _codes() -> dict[str, str]:
    """Every enum code a page could show (the meta's lists), with the label people read instead."""
    codes = {}
    for options in build_meta().values():
        if isinstance(options, list):
            codes.update({o["value"]: o["label"] for o in options if isinstance(o, dict)})
    from ricemill.parties.types import PartyKind

    codes.update({kind.value: words.label(kind) for kind in PartyKind})
    expected = {"PADDY", "UPI", "RECEIVED", "MADE", "PARTIAL", "HALF_DAY", "IN_PROGRESS", "LEFT", "MILL_ADMIN"}
    assert expected <= set(codes)
    return codes


def _seed_mill(rest):
    """A mill with a bit of everything: lots, sales, both payment directions (UPI, a receipt),
    inward and outward goods, milling running and done, staff (one left), attendance, a low stock."""
    mill = make_mill("Sri Lakshmi Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Srinivas")
    api = rest(owner)
    today = mill.today()
    yesterday = (today - timedelta(days=1)).isoformat()
    lot = {"farmerName": "Suresh Reddy", "grossWeightKg": 5050, "tareWeightKg": 50, "moisturePercent": 18,
           "ratePerQuintal": 2200, "purchaseDate": yesterday}  # fmt: skip
    purchase = api.post("/paddy-purchases", lot)
    api.post("/paddy-purchases", {**lot, "farmerName": "Narayana", "purchaseDate": today.isoformat()})
    api.post("/inwards", {"stockType": "RICE", "quantityKg": 3000, "partyName": "Own godown", "date": yesterday})
    sale = api.post("/sales", {"buyerName": "Gupta Traders", "stockType": "RICE", "quantityKg": 1200,
                               "ratePerQuintal": 3950})  # fmt: skip
    api.post("/outwards", {"stockType": "RICE", "quantityKg": 100, "partyName": "Sample"})
    received = api.post("/payments", {"direction": "RECEIVED", "amount": 20000, "mode": "UPI", "saleId": sale["id"],
                                      "reference": "UTR 5512"})  # fmt: skip
    api.post("/payments", {"direction": "MADE", "amount": 50000, "mode": "BANK", "purchaseId": purchase["id"]})
    batch = api.post("/milling-batches", {"variety": "Sona Masoori", "paddyInputKg": 2000})
    api.post(f"/milling-batches/{batch['id']}/complete",
             {"outputs": {"RICE": 1340, "BROKEN_RICE": 80, "BRAN": 160, "HUSK": 400}}, expect=200)  # fmt: skip
    api.post("/milling-batches", {"variety": "BPT 5204", "paddyInputKg": 1000})
    staff = [api.post("/staff", {"name": n, "designation": "Loader", "dailyWage": 550}) for n in ("Venkat", "Raju")]
    api.post(f"/staff/{staff[1]['id']}/leave", {"leftOn": today.isoformat()}, expect=200)
    api.post("/attendance", {"date": today.isoformat(), "entries": [{"staffId": staff[0]["id"], "status": "HALF_DAY"}]},
             expect=200)  # fmt: skip
    api.http.patch(f"{api.mill}/stock/BRAN", json={"minStockLevel": 500}, timeout=10)
    receipt = api.get("/receipts")["data"][0]
    assert receipt["paymentId"] == received["id"]
    return owner, receipt


# Text a person reads: the visible text, the choices of each select, and the labels read aloud.
_READ_TEXT = """() => {
  const texts = [document.body.innerText];
  document.querySelectorAll('option').forEach((o) => texts.push(o.textContent));
  document.querySelectorAll('[aria-label]').forEach((el) => texts.push(el.getAttribute('aria-label')));
  return texts;
}"""
# Each element whose own whole text is one word or phrase: a cell, a badge, a definition.
_LEAVES = """() => [...document.querySelectorAll('main *')]
  .filter((el) => el.children.length === 0 && el.offsetParent !== null)
  .map((el) => el.textContent.trim()).filter(Boolean)"""


_NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def _settle(page, in_flight: set, quiet_ms: int = 150) -> None:
    """Every request the page made has finished and none started for `quiet_ms`: Playwright's
    "networkidle" with a shorter window (its 500 ms on each of 18 pages was a large part of the
    browser tests' time; on this server a page's follow-up requests start within milliseconds)."""
    quiet = 0
    for _ in range(400):
        page.wait_for_timeout(25)  # also lets Playwright deliver the request events
        quiet = 0 if in_flight else quiet + 25
        if quiet >= quiet_ms:
            return
    raise AssertionError(f"requests still in flight: {[r.url for r in in_flight]}")


def _problems(page, codes: dict[str, str]) -> list[str]:
    found = []
    raw = [code for code, label in codes.items() if code != label]  # "UPI" is its own label
    upper = re.compile(r"\b(" + "|".join(map(re.escape, raw)) + r")\b")
    for text in page.evaluate(_READ_TEXT):
        around = lambda m, text=text: repr(text[max(0, m.start() - 40) : m.end() + 40])  # noqa: E731
        found += [f"code {m.group(0)!r} in {around(m)}" for m in upper.finditer(text)]
        found += [f"ISO date in {around(m)}" for m in ISO_DATE.finditer(text)]
        found += [f"a lot to the gram in {around(m)}" for m in GRAMS_ON_A_LOT.finditer(text)]
    lowered = {code.replace("_", " ").lower(): label for code, label in codes.items()}
    for text in page.evaluate(_LEAVES):
        if text in lowered and text != lowered[text]:
            found.append(f"{text!r} where {lowered[text]!r} belongs")
    return found


def test_no_page_shows_an_enum_code_or_an_iso_date(seed, open_page, rest):
    """Each page is read at 360 px, then at 1366 px (the same page resized: the pages lay themselves
    out by CSS alone, no script reads the width), for one load per page."""
    from playwright.sync_api import expect

    owner, receipt = _seed_mill(rest)
    codes = _codes()
    page = open_page(owner, "/", **PHONE)
    wait_live(page)
    waits = {
        "/": "#feed li",
        "/documents/purchases": "#doc-list tbody tr[data-id]",
        "/documents/sales": "#doc-list tbody tr[data-id]",
        "/documents/inwards": "#doc-list tbody tr[data-id]",
        "/documents/outwards": "#doc-list tbody tr[data-id]",
        "/documents/payments": "#receipt-list tbody tr[data-id]",
        "/documents/staff": "#doc-list tbody tr[data-id]",
        "/stock": "#ledger tbody tr td:not(.empty)",
        "/milling": "#batch-list tbody tr[data-id]",
        "/attendance": "#att-grid tbody tr",
        "/notifications": "#notif-list li",
        f"/receipts/{receipt['id']}": "#r-mode:not(:text('…'))",
        "/users": "#user-list tbody tr[data-id]",
        "/settings": "#minimum-fields .field",
        "/parties": "#parties-table tbody tr[data-id]",
        "/reports": "#report-table tbody tr td:not(.empty)",
        "/reports/stock-statement": "#report-table tbody tr td:not(.empty)",
        "/reports/milling": "#report-table tbody tr td:not(.empty)",
    }
    in_flight = set()
    page.on("request", lambda request: in_flight.add(request))
    page.on("requestfinished", lambda request: in_flight.discard(request))
    page.on("requestfailed", lambda request: in_flight.discard(request))
    problems = {}
    for path, ready in waits.items():
        page.goto(path)
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator(ready).first).to_be_visible()
        _settle(page, in_flight)
        for screen in (PHONE, LAPTOP):
            page.set_viewport_size(screen["viewport"])
            page.evaluate(_NEXT_FRAME)  # laid out again at this width
            problems[f"{path} at {screen['viewport']['width']} px"] = _problems(page, codes)
        page.set_viewport_size(PHONE["viewport"])
        if path.startswith("/receipts/"):
            expect(page.locator("#r-mode")).to_have_text("UPI · UTR 5512")
    page.goto("/documents/payments")
    page.wait_for_selector("body[data-ready='1']")
    expect(page.locator("#doc-list tbody tr[data-id]").first).to_be_visible()
    modes = page.locator("#doc-list td[data-label='Mode']").all_inner_texts()
    assert sorted(modes) == ["Bank transfer", "UPI"]
    assert {path: found for path, found in problems.items() if found} == {}


@pytest.mark.parametrize("screen", [PHONE, LAPTOP], ids=["360px", "1366px"])
def test_a_stock_refusal_is_said_once_on_the_form(seed, open_page, rest, screen):
    from playwright.sync_api import expect

    mill = make_mill("Refusal Mill")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    rest(operator).post("/inwards", {"stockType": "RICE", "quantityKg": 8191.311})
    page = open_page(operator, "/documents/sales", **screen)
    wait_live(page)
    page.fill("#buyerName", "Gupta Traders")
    page.select_option("#stockType", "RICE")
    page.fill("#quantityKg", "9000")
    page.fill("#ratePerQuintal", "3950")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/sales")) as answer:
        page.click("#doc-form button[type=submit]")
    assert answer.value.status == 409
    envelope = answer.value.json()
    assert envelope["errors"][0]["field"] == "stock"  # a machine detail beside the words
    said = "Not enough Rice in stock: 8,191.3 kg available, 9,000 kg needed"
    assert envelope["message"] == said
    expect(page.locator("#doc-form .form-error")).to_have_text(said)  # once: not "… · stock: 8,191.3 kg of …"
    expect(page.locator("#buyerName")).to_have_value("Gupta Traders")  # the entry stays to correct

    # a 422's loose error (its field has no place on the form) still follows the generic message
    page.evaluate("document.querySelector('.field-error[data-error-for=bags]').dataset.errorFor = 'gone'")
    page.fill("#quantityKg", "100")
    page.fill("#bags", "2.5")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/sales")) as answer:
        page.click("#doc-form button[type=submit]")
    assert answer.value.status == 422
    expect(page.locator("#doc-form .form-error")).to_have_text(re.compile(r"^Validation failed · bags: \w"))
