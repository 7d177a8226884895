"""A mill's day in the pages (issue 11, the browser side): edit and delete, paging, search, dates
and totals, the server's limits before sending, a lost session keeping the form, the payment form by
direction, no toast for one's own write, notifications that link to their document, and the phone
and laptop layouts. Real Chromium against the real server (see conftest.py), at 360 and 1366 px."""

import os
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_mill, make_user

from .conftest import login, wait_live

pytestmark = [pytest.mark.committed, pytest.mark.browser]

PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
WIDTHS = pytest.mark.parametrize("screen", [PHONE, LAPTOP], ids=["360px", "1366px"])
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shots(tmp_path) -> Path:
    """docs/screenshots with UPDATE_SCREENSHOTS=1, else a throwaway folder."""
    out = SHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    return out


def _purchase(farmer: str, gross: float = 1300, day: str | None = None) -> dict:
    body = {"farmerName": farmer, "grossWeightKg": gross, "tareWeightKg": 50, "moisturePercent": 17,
            "ratePerQuintal": 2000}  # fmt: skip
    if day:
        body["purchaseDate"] = day
    return body


def _row(page, doc_id):
    return page.locator(f"#doc-list tr[data-id='{doc_id}']")


def _in_view(page, locator) -> bool:
    """The element is inside the window's width (not cut off, nothing to scroll sideways for)."""
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


@WIDTHS
def test_an_edit_reaches_a_second_page_live_and_a_delete_is_confirmed(seed, open_page, rest, screen):
    from playwright.sync_api import expect

    mill = make_mill("Edit Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Owner")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    body = {**_purchase("Suresh"), "vehicleNumber": "TS05 AB 1234"}
    purchase = rest(operator).post("/paddy-purchases", body)  # 1,250 kg → ₹25,000.00

    editing = open_page(owner, "/documents/purchases", **screen)
    watching = open_page(manager, "/documents/purchases", **screen)
    operating = open_page(operator, "/documents/purchases", **screen)
    for page in (editing, watching, operating):
        wait_live(page)
    expect(operating.locator("#doc-list button", has_text="Edit")).to_have_count(0)  # operators may not
    expect(_row(watching, purchase["id"])).to_contain_text("₹25,000.00")
    edit = _row(editing, purchase["id"]).locator("button", has_text="Edit")
    assert _in_view(editing, edit), "the row's Edit button is off-screen"
    edit.click()

    expect(editing.locator("#form-title")).to_have_text("Edit purchase · Suresh")
    expect(editing.locator("#farmerName")).to_have_value("Suresh")
    expect(editing.locator("#grossWeightKg")).to_have_value("1300")
    editing.fill("#farmerName", "Suresh Reddy")
    editing.fill("#grossWeightKg", "1550")  # 1,500 kg at the standard moisture → ₹30,000.00
    expect(editing.locator("#vehicleNumber")).to_have_value("TS05 AB 1234")
    editing.fill("#vehicleNumber", "")  # emptied: cleared on the server, not kept
    expect(editing.locator("#pv-amount")).to_have_text("₹30,000.00")
    with editing.expect_response(lambda r: r.request.method == "PATCH") as answer:
        editing.click("#doc-form button[type=submit]")
    assert answer.value.status == 200 and answer.value.url.endswith(purchase["id"])
    expect(editing.locator(".toast-success", has_text="Purchase updated")).to_be_visible()
    expect(editing.locator("#form-title")).to_have_text("New purchase")  # back to a new entry
    expect(editing.locator("#farmerName")).to_have_value("")
    saved = answer.value.json()["data"]
    assert (saved["farmerName"], saved["amount"], saved["vehicleNumber"]) == ("Suresh Reddy", 30000.0, None)

    # the other page of the mill shows the change live, without a reload
    live = {"timeout": 2000}
    expect(_row(watching, purchase["id"])).to_contain_text("Suresh Reddy", **live)
    expect(_row(watching, purchase["id"])).to_contain_text("₹30,000.00", **live)
    expect(watching.locator("#list-totals")).to_contain_text("₹30,000.00", **live)

    # delete: asked first (no: nothing happens), then done, with a toast
    dialogs = []

    def answer_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss() if len(dialogs) == 1 else dialog.accept()

    editing.on("dialog", answer_dialog)
    delete = _row(editing, purchase["id"]).locator("button", has_text="Delete")
    delete.click()
    assert dialogs == ["Delete this purchase of Suresh Reddy? Its stock movement is reversed."]
    expect(_row(watching, purchase["id"])).to_be_visible()
    delete.click()
    expect(editing.locator(".toast-success", has_text="Purchase deleted")).to_be_visible()
    expect(watching.locator("#doc-list tbody")).to_contain_text("Nothing yet.", **live)
    assert rest(owner).get("/paddy-purchases")["meta"]["total"] == 0


@WIDTHS
def test_paging_search_date_range_and_totals_of_the_filtered_rows(seed, open_page, rest, screen, tmp_path):
    from playwright.sync_api import expect

    mill = make_mill("Paging Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Owner")
    api = rest(owner)
    start = date.today() - timedelta(days=30)
    for n in range(25):  # 25 lots of 1,000 kg (₹20,000.00 each), one a day; 5 of them Ravi's
        farmer = "Ravi Teja" if n % 5 == 0 else f"Farmer {n:02d}"
        api.post("/paddy-purchases", _purchase(farmer, gross=1050, day=(start + timedelta(days=n)).isoformat()))

    page = open_page(owner, "/documents/purchases", **screen)
    wait_live(page)
    rows = page.locator("#doc-list tbody tr")
    expect(rows).to_have_count(20)
    expect(page.locator("#page-info")).to_have_text("Page 1 of 2")
    expect(page.locator("#list-totals")).to_have_text(
        "25 purchases · Net weight 25,000 kg (250 q) · Amount ₹5,00,000.00"
    )
    expect(page.locator("#page-prev")).to_be_disabled()
    page.click("#page-next")
    expect(page.locator("#page-info")).to_have_text("Page 2 of 2")
    expect(rows).to_have_count(5)
    expect(rows.first).to_contain_text(_date_text(start + timedelta(days=4)))  # the oldest five, newest first
    expect(page.locator("#page-next")).to_be_disabled()

    page.fill("#f-search", "ravi")  # search goes back to page 1 of what matches
    expect(page.locator("#list-totals")).to_have_text("5 purchases · Net weight 5,000 kg (50 q) · Amount ₹1,00,000.00")
    expect(rows).to_have_count(5)
    expect(page.locator("#page-info")).to_have_text("Page 1 of 1")
    for text in rows.all_inner_texts():
        assert "Ravi Teja" in text

    page.fill("#f-search", "")
    page.fill("#f-dateFrom", (start + timedelta(days=10)).isoformat())
    page.fill("#f-dateTo", (start + timedelta(days=12)).isoformat())
    expect(page.locator("#list-totals")).to_have_text("3 purchases · Net weight 3,000 kg (30 q) · Amount ₹60,000.00")
    expect(rows).to_have_count(3)
    page.fill("#f-dateFrom", (start + timedelta(days=20)).isoformat())  # after dateTo: the server says so
    expect(page.locator("#list-filter .form-error")).not_to_be_empty()
    page.fill("#f-dateFrom", "")
    page.fill("#f-dateTo", "")
    expect(page.locator("#list-totals")).to_contain_text("25 purchases")
    expect(page.locator("#list-filter .form-error")).to_be_empty()

    assert page.evaluate("document.documentElement.scrollWidth") <= screen["viewport"]["width"]
    page.evaluate("document.activeElement.blur()")
    if screen is PHONE:  # the list as cards: each row's amount, status and actions in view
        page.evaluate(
            "window.scrollTo(0, document.getElementById('list-filter').getBoundingClientRect().top + scrollY - 8)"
        )
        page.screenshot(path=str(_shots(tmp_path) / "purchases-phone.png"))
    else:
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(_shots(tmp_path) / "purchases.png"))


def _date_text(day: date) -> str:
    return f"{day.day:02d} {day.strftime('%b')} {day.year}"


def test_numbers_beyond_the_servers_limits_show_by_their_field_and_never_preview(seed, open_page):
    from playwright.sync_api import expect

    mill = make_mill("Limits Mill")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    page = open_page(operator, "/documents/purchases", **PHONE)
    wait_live(page)
    requests = []
    page.on("request", lambda r: r.method == "POST" and "/paddy-purchases" in r.url and requests.append(r))
    page.fill("#farmerName", "Suresh")
    page.fill("#grossWeightKg", "1300")
    page.fill("#tareWeightKg", "50")
    page.fill("#ratePerQuintal", "2200")
    page.fill("#moisturePercent", "150")
    error = page.locator(".field-error[data-error-for='moisturePercent']")
    expect(error).to_have_text("Must be at most 40%.")
    expect(page.locator("#moisturePercent")).to_have_attribute("aria-invalid", "true")
    for cell in ("#pv-net", "#pv-amount", "#pv-deduction"):
        expect(page.locator(cell)).to_have_text("–")  # never a negative net
    page.click("#doc-form button[type=submit]")
    expect(page.locator("#doc-form .form-error")).to_contain_text("Please correct the marked fields")
    assert requests == []  # nothing sent

    page.fill("#moisturePercent", "19")  # corrected: the error goes, the preview comes back
    expect(error).to_be_empty()
    expect(page.locator("#moisturePercent")).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator("#pv-net")).to_have_text("1,219.88 kg (12.20 q)")

    page.fill("#tareWeightKg", "1400")
    expect(page.locator(".field-error[data-error-for='tareWeightKg']")).to_have_text(
        "Must be less than the gross weight."
    )
    page.fill("#tareWeightKg", "50")
    expect(page.locator(".field-error[data-error-for='tareWeightKg']")).to_be_empty()

    # a server error by a field clears when that field is changed
    page.fill("#farmerName", "")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#doc-form button[type=submit]")
    assert answer.value.status == 422
    farmer_error = page.locator(".field-error[data-error-for='farmerName']")
    expect(farmer_error).not_to_be_empty()
    page.fill("#farmerName", "Suresh")
    expect(farmer_error).to_be_empty()
    expect(page.locator("#farmerName")).not_to_have_attribute("aria-invalid", "true")


@WIDTHS
def test_a_lost_session_keeps_the_typed_entry_for_after_the_login(seed, browser, live_server, screen, rest):
    from playwright.sync_api import expect

    mill = make_mill("Draft Mill")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    context = browser.new_context(base_url=live_server, locale="en-IN", timezone_id="Asia/Kolkata", **screen)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        login(page, operator.email, PASSWORD, next_path="/documents/purchases")
        wait_live(page)
        page.fill("#farmerName", "Weighbridge Suresh")
        page.fill("#grossWeightKg", "2450.5")
        page.fill("#moisturePercent", "18.5")
        page.fill("#ratePerQuintal", "2210")
        page.context.clear_cookies()  # the session is gone (revoked, expired): no refresh either
        page.click("#doc-form button[type=submit]")

        page.wait_for_url("**/login?ended=1**")
        expect(page.locator("#login-ended")).to_have_text(
            "Your session ended; log in again. What you were typing is kept."
        )
        page.fill("#email", operator.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready='1']")
        assert page.url.endswith("/documents/purchases")
        expect(page.locator("#farmerName")).to_have_value("Weighbridge Suresh")
        expect(page.locator("#grossWeightKg")).to_have_value("2450.5")
        expect(page.locator("#moisturePercent")).to_have_value("18.5")
        expect(page.locator(".toast", has_text="Draft restored")).to_be_visible()
        expect(page.locator("#pv-amount")).not_to_have_text("–")  # the preview follows the restored values
        with page.expect_response(lambda r: r.request.method == "POST" and "/paddy-purchases" in r.url) as answer:
            page.click("#doc-form button[type=submit]")
        assert answer.value.status == 201
        assert rest(operator).get("/paddy-purchases")["data"][0]["farmerName"] == "Weighbridge Suresh"
        page.reload()  # the draft was used once: not restored again
        page.wait_for_selector("body[data-ready='1']")
        expect(page.locator("#farmerName")).to_have_value("")
    finally:
        context.close()


@WIDTHS
def test_the_payment_form_shows_only_the_fields_of_its_direction(seed, open_page, rest, screen):
    from playwright.sync_api import expect

    mill = make_mill("Payment Mill")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    api = rest(manager)
    purchase = api.post("/paddy-purchases", _purchase("Suresh"))
    page = open_page(manager, "/documents/payments", **screen)
    wait_live(page)

    expect(page.locator("#direction")).to_have_value("RECEIVED")
    expect(page.locator("#saleId")).to_be_visible()
    expect(page.locator("#purchaseId")).to_be_hidden()
    page.select_option("#direction", "MADE")
    expect(page.locator("#purchaseId")).to_be_visible()
    expect(page.locator("#saleId")).to_be_hidden()
    expect(page.locator("label[for='purchaseId']")).to_have_text("For purchase")

    page.select_option("#purchaseId", purchase["id"])
    page.fill("#amount", "5000")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/payments")) as sent:
        page.click("#doc-form button[type=submit]")
    body = sent.value.post_data_json
    assert body["direction"] == "MADE" and body["purchaseId"] == purchase["id"] and "saleId" not in body
    expect(page.locator(".toast-success")).to_be_visible()
    expect(page.locator("#saleId")).to_be_visible()  # the form is back to a received payment
    expect(page.locator("#list-totals")).to_have_text("1 payment · Received ₹0.00 · Paid out ₹5,000.00")


def test_the_author_gets_no_toast_for_their_own_write_the_others_do(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Toast Mill")
    author = make_user(Role.OPERATOR, mill, name="Ravi")
    other = make_user(Role.MANAGER, mill, name="Lakshmi")
    rest(author).post("/inwards", {"stockType": "HUSK", "quantityKg": 100})
    writing = open_page(author, "/documents/sales")
    watching = open_page(other, "/documents/sales")
    for page in (writing, watching):
        wait_live(page)
    writing.fill("#buyerName", "Gupta Traders")
    writing.select_option("#stockType", "HUSK")
    writing.fill("#quantityKg", "50")
    writing.fill("#ratePerQuintal", "100")
    writing.click("#doc-form button[type=submit]")
    expect(writing.locator(".toast-success", has_text="Sale created")).to_be_visible()  # the form's answer
    expect(watching.locator(".toast", has_text="Sale to Gupta Traders: ₹50.00")).to_be_visible(timeout=2000)
    # the author's page got the notification too (its bell counts it) but shows no toast for it
    expect(writing.locator("#bell-count")).to_have_text("1", timeout=2000)
    expect(writing.locator(".toast", has_text="Sale to Gupta Traders")).to_have_count(0)


def test_notifications_read_as_title_text_time_and_link_to_their_document(seed, open_page, rest, tmp_path):
    from playwright.sync_api import expect

    mill = make_mill("Notice Mill")
    reader = make_user(Role.MANAGER, mill, name="Lakshmi")
    writer = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(writer)
    purchase = api.post("/paddy-purchases", _purchase("Suresh"))
    api.post("/paddy-purchases", _purchase("Narayana"))
    page = open_page(reader, "/notifications", **PHONE)
    wait_live(page)
    first = page.locator("#notif-list li").last  # the oldest: Suresh's
    expect(first.locator(".notif-title strong")).to_have_text("New purchase")
    text = "Purchase from Suresh: ₹25,000.00 for 1,250 kg (12.5 q) of paddy, by Ravi"  # party, amount, weight
    expect(first.locator(".notif-text")).to_have_text(text)
    expect(first.locator(".notif-title time")).not_to_be_empty()
    page.screenshot(path=str(_shots(tmp_path) / "notifications-phone.png"), full_page=True)
    first.locator("a", has_text="Open").click()
    page.wait_for_selector("body[data-ready='1']")
    assert page.url.endswith(f"/documents/purchases?id={purchase['id']}")
    rows = page.locator("#doc-list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Suresh")
    page.locator("#list-totals button", has_text="Show all").click()
    expect(rows).to_have_count(2)


def test_phone_nav_menu_cards_with_actions_and_admin_not_cut_on_a_laptop(seed, open_page, rest, tmp_path):
    from playwright.sync_api import expect

    mill = make_mill("Phone Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Owner")
    api = rest(owner)
    api.post("/paddy-purchases", _purchase("Suresh Reddy of Miryalaguda", gross=12345.678))
    batch = api.post("/milling-batches", {"variety": "Sona Masoori", "paddyInputKg": 1000})

    phone = open_page(owner, "/documents/purchases", **PHONE)
    wait_live(phone)
    nav = phone.locator("#main-nav")
    expect(nav).to_be_hidden()
    phone.click("#nav-toggle")
    expect(nav.locator("a", has_text="Attendance")).to_be_visible()
    expect(nav.locator("a", has_text="Stock")).to_be_visible()
    phone.click("#nav-toggle")
    expect(nav).to_be_hidden()
    row = phone.locator("#doc-list tbody tr").first
    for cell in (row.locator("td[data-label='Amount']"), row.locator("td[data-label='Payment']"),
                 row.locator("button", has_text="Delete")):  # fmt: skip
        expect(cell).to_be_visible()
        assert _in_view(phone, cell)
    phone.goto("/milling")
    phone.wait_for_selector("body[data-ready='1']")
    complete = phone.locator(f"#batch-list tr[data-id='{batch['id']}'] button")
    expect(complete).to_be_visible()
    assert _in_view(phone, complete), "milling's Complete is off-screen"

    admin = make_user(Role.SUPER_ADMIN, name="Platform Admin")
    laptop = open_page(admin, "/admin", **LAPTOP)
    header = laptop.locator("#mill-list th", has_text="Active")
    expect(laptop.locator("#mill-list tbody tr").first).to_be_visible()
    assert header.evaluate("th => th.scrollWidth <= th.clientWidth")
    wrap = laptop.locator("#mill-list").locator("xpath=..")
    assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth"), "the mills table is cut at 1366 px"
    assert _in_view(laptop, header)
    # figures live: a new mill counts at once, and this connected page counts itself
    expect(laptop.locator("#platform-stats")).to_contain_text(re.compile(r"[1-9][0-9]* connections? now"), timeout=5000)
    before = int(laptop.locator("#platform-stats").get_attribute("data-mills"))
    laptop.fill("#mill-name", "Third Mill")
    laptop.fill("#mill-code", "THIRD-1")
    laptop.fill("[name='admin.name']", "Third Owner")
    laptop.fill("[name='admin.email']", "owner@third.test")
    laptop.fill("[name='admin.password']", "a long enough password")
    laptop.click("#mill-form button[type=submit]")
    expect(laptop.locator("#platform-stats")).to_have_attribute("data-mills", str(before + 1), timeout=2000)
    laptop.screenshot(path=str(_shots(tmp_path) / "admin.png"))
