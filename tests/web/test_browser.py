"""The pages in real headless Chromium against the real server process (see conftest.py)."""

import re

import pytest

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_mill, make_user

from .conftest import login, wait_live

pytestmark = [pytest.mark.committed, pytest.mark.browser]


def test_login_and_a_refused_login(seed, browser, live_server):
    mill = make_mill("Login Mill")
    user = make_user(Role.OPERATOR, mill, name="Ravi")
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto("/")
        assert "/login" in page.url  # a page that needs a login sends you to it
        page.fill("#email", user.email)
        page.fill("#password", "not the password")
        page.click("button[type=submit]")
        assert page.locator("#login-error").inner_text() == "Invalid email or password"
        assert "/login" in page.url

        login(page, user.email, PASSWORD)
        assert page.locator("h1").inner_text() == "Today at Login Mill"
        wait_live(page)
        page.click("#logout")
        page.wait_for_url("**/login")
        page.goto("/")
        assert "/login" in page.url
    finally:
        context.close()


def _purchase(farmer: str, gross: float = 1300, moisture: float = 17) -> dict:
    return {
        "farmerName": farmer,
        "grossWeightKg": gross,
        "tareWeightKg": 50,
        "moisturePercent": moisture,
        "ratePerQuintal": 2200,
    }


def test_a_purchase_reaches_the_other_user_of_the_mill_live_and_nobody_else(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Sri Lakshmi")
    other = make_mill("Annapurna")
    recorder = make_user(Role.OPERATOR, mill, name="Ravi")
    watcher = make_user(Role.MANAGER, mill, name="Lakshmi")
    outsider = make_user(Role.MILL_ADMIN, other, name="Outsider")

    watching = open_page(watcher, "/")
    outside = open_page(outsider, "/")
    recording = open_page(recorder, "/documents/purchases")
    for page in (watching, outside, recording):
        wait_live(page)
    paddy = "#stock-table tr[data-stock-type='PADDY'] td:nth-child(2)"
    expect(watching.locator(paddy)).to_have_attribute("data-quantity", "0")
    expect(watching.locator("#stat-purchases-amount")).to_have_text("₹0.00")

    # The form previews what the server will compute: 1,250 kg at 19% moisture (standard 17%)
    # loses 1,250 × 2 / 83 = 30.12 kg; 1,219.88 kg at ₹2,200/q is ₹26,837.36.
    recording.fill("#farmerName", "Suresh")
    recording.fill("#grossWeightKg", "1300")
    recording.fill("#tareWeightKg", "50")
    recording.fill("#moisturePercent", "19")
    recording.fill("#ratePerQuintal", "2200")
    expect(recording.locator("#pv-deduction")).to_have_text("30.12 kg (0.30 q)")
    expect(recording.locator("#pv-net")).to_have_text("1,219.88 kg (12.20 q)")
    expect(recording.locator("#pv-amount")).to_have_text("₹26,837.36")
    with recording.expect_response(
        lambda r: r.url.endswith("/paddy-purchases") and r.request.method == "POST"
    ) as answer:
        recording.click("button[type=submit]")
    assert answer.value.status == 201
    saved = answer.value.json()["data"]
    assert saved["netWeightKg"] == 1219.88 and saved["amount"] == 26837.36

    # Within 2 s, without a reload: the toast, the feed entry, the new stock, the dashboard numbers.
    live = {"timeout": 2000}
    expect(watching.locator(".toast", has_text="Purchase from Suresh")).to_be_visible(**live)
    expect(watching.locator("#feed li").first).to_contain_text("Suresh", **live)
    expect(watching.locator(paddy)).to_have_text("1,219.9 kg12.2 q", **live)  # kg, then quintals below
    expect(watching.locator("#stat-purchases-amount")).to_have_text("₹26,837.36", **live)
    expect(watching.locator("#bell-count")).to_have_text("1", **live)
    # the recorder's own list shows it too
    expect(recording.locator("#doc-list tbody tr").first).to_contain_text("Suresh", **live)

    # The other mill's user, open all along, saw none of it. The barrier: a purchase in their own mill,
    # made after; a delivery of Sri Lakshmi's would have come before it.
    marker_api = rest(make_user(Role.OPERATOR, other, name="Marker"))
    marker_api.post("/paddy-purchases", _purchase("Annapurna Farmer"))  # 1,250 kg net at ₹2,200/q
    current = marker_api.get("/activity?limit=1")["data"][0]["seq"]
    outside.wait_for_function("(n) => RM.live.lastSeq === n", arg=current)
    expect(outside.locator("#feed")).to_contain_text("Annapurna Farmer")
    expect(outside.locator(".toast", has_text="Ravi")).to_have_count(0)
    assert "Suresh" not in outside.locator("#feed").inner_text()
    expect(outside.locator(paddy)).to_have_attribute("data-quantity", "1250")
    expect(outside.locator("#stat-purchases-amount")).to_have_text("₹27,500.00")


def test_the_typing_indicator_appears_for_the_other_user_and_clears(seed, open_page):
    from playwright.sync_api import expect

    mill = make_mill("Typing Mill")
    typist = make_user(Role.OPERATOR, mill, name="Ravi")
    watcher = make_user(Role.MANAGER, mill, name="Lakshmi")
    watching = open_page(watcher, "/")
    typing = open_page(typist, "/documents/sales")
    wait_live(watching)
    wait_live(typing)

    typing.fill("#buyerName", "Gupta Traders")
    expect(watching.locator("#typing")).to_have_text("Ravi is creating a sale…", timeout=2000)
    expect(typing.locator("#typing")).to_have_text("")  # never yourself
    # stopping (idle: 4 s by default, here 50 ms from the next keystroke) clears it for the others
    typing.evaluate("document.body.dataset.typingIdleMs = '50'")
    typing.press("#buyerName", "s")
    expect(watching.locator("#typing")).to_have_text("", timeout=2000)
    # and so does the explicit stop: a reset form (as after a save) says at once that typing ended
    typing.evaluate("document.body.dataset.typingIdleMs = '600000'")
    typing.fill("#buyerName", "Balaji Stores")
    expect(watching.locator("#typing")).to_have_text("Ravi is creating a sale…", timeout=2000)
    typing.evaluate("document.getElementById('doc-form').reset()")
    expect(watching.locator("#typing")).to_have_text("", timeout=2000)


def test_a_page_that_lost_its_connection_catches_up_on_reconnect(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Replay Mill")
    watcher = make_user(Role.MANAGER, mill, name="Lakshmi")
    writer = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(writer)
    api.post("/paddy-purchases", _purchase("Before"))

    listing = open_page(watcher, "/documents/purchases")
    dashboard = open_page(watcher, "/")
    for page in (listing, dashboard):
        wait_live(page)
        expect(page.locator("#conn")).to_have_text("Live")
    expect(listing.locator("#doc-list tbody tr")).to_have_count(1)

    for page in (listing, dashboard):
        page.evaluate("RM.pause()")
        expect(page.locator("#conn")).to_have_attribute("data-state", "offline")
    api.post("/paddy-purchases", _purchase("Missed One"))
    api.post("/paddy-purchases", _purchase("Missed Two", gross=2050))
    current = api.get("/activity?limit=1")["data"][0]["seq"]

    # The dashboard comes back first and catches up: the barrier. Had the listing not really been cut
    # off, it would have had the two purchases live long before.
    dashboard.evaluate("RM.resume()")
    expect(dashboard.locator("#conn")).to_have_attribute("data-state", "live")
    expect(dashboard.locator("#feed")).to_contain_text("Missed One", timeout=3000)
    dashboard.wait_for_function("(n) => RM.live.lastSeq === n", arg=current)
    expect(listing.locator("#doc-list tbody tr")).to_have_count(1)  # really cut off

    listing.evaluate("RM.resume()")
    expect(listing.locator("#conn")).to_have_attribute("data-state", "live")
    expect(listing.locator("#doc-list tbody tr")).to_have_count(3, timeout=3000)
    expect(listing.locator("#doc-list tbody")).to_contain_text("Missed Two")
    # 1,250 + 1,250 + 2,000 kg of paddy
    paddy = "#stock-table tr[data-stock-type='PADDY'] td:nth-child(2)"
    expect(dashboard.locator(paddy)).to_have_attribute("data-quantity", "4500", timeout=3000)
    assert listing.evaluate("RM.live.lastSeq") == current
    assert dashboard.evaluate("RM.live.lastSeq") == current


def _submit_expecting_422(page, form: str, fills: dict, fields: list[str]) -> None:
    """Fill a form by input name, submit, and see the server's field errors next to the inputs."""
    from playwright.sync_api import expect

    for name, value in fills.items():
        target = page.locator(f"{form} [name='{name}']")
        if target.evaluate("el => el.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    with page.expect_response(lambda r: "/api/v1/" in r.url and r.request.method in ("POST", "PATCH")) as answer:
        page.click(f"{form} button[type=submit]")
    assert answer.value.status == 422, answer.value.text()
    sent = {error["field"] for error in answer.value.json()["errors"]}
    for field in fields:
        assert field in sent, f"{form}: the server did not refuse {field}: {sent}"
        slot = page.locator(f"{form} .field-error[data-error-for='{field}']")
        expect(slot).not_to_be_empty()
        expect(page.locator(f"{form} [name='{field}']")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"{form} .form-error")).to_contain_text("Validation failed")


def test_every_form_shows_the_servers_field_errors_and_writes_nothing(seed, open_page, rest):
    mill = make_mill("Form Mill")
    admin = make_user(Role.MILL_ADMIN, mill, name="Owner")
    api = rest(admin)
    api.post("/paddy-purchases", _purchase("Stock for milling", gross=5050))
    batch = api.post("/milling-batches", {"paddyInputKg": 1000})

    def totals():
        """Every document list's total, the stock levels and the PADDY ledger: what a form could change."""
        lists = ["paddy-purchases", "sales", "inwards", "outwards", "milling-batches", "staff"]
        snapshot = {path: api.get(f"/{path}?perPage=1")["meta"]["total"] for path in lists}
        snapshot["stock"] = [(s["stockType"], s["quantity"], s["minStockLevel"]) for s in api.get("/stock")["data"]]
        snapshot["ledger"] = api.get("/stock/PADDY")["meta"]["total"]
        snapshot["batch"] = api.get(f"/milling-batches/{batch['id']}")["data"]["status"]
        return snapshot

    before = totals()
    page = open_page(admin, "/documents/purchases")
    cases = [
        # (numbers beyond the API's bounds never leave the page: see test_pages_day.py)
        ("/documents/purchases", "#doc-form", {"grossWeightKg": "1300", "moisturePercent": "19"},
         ["farmerName", "ratePerQuintal"]),
        ("/documents/sales", "#doc-form", {"quantityKg": "5"}, ["buyerName", "ratePerQuintal"]),
        ("/documents/inwards", "#doc-form", {"quantityKg": "0"}, ["quantityKg"]),
        ("/documents/outwards", "#doc-form", {"quantityKg": "-1", "bags": "-2"}, ["quantityKg", "bags"]),
        ("/documents/staff", "#doc-form", {"dailyWage": "-10"}, ["name", "dailyWage"]),
        ("/milling", "#start-form", {"paddyInputKg": "0"}, ["paddyInputKg"]),
        ("/stock", "#min-form", {"minStockLevel": "-5"}, ["minStockLevel"]),
        ("/stock", "#adjust-form", {"change": "0"}, ["change", "reason"]),
    ]  # fmt: skip
    for path, form, fills, fields in cases:
        page.goto(path)
        page.wait_for_selector("body[data-ready='1']")
        _submit_expecting_422(page, form, fills, fields)

    # completing a batch with a negative output
    page.goto("/milling")
    page.wait_for_selector("body[data-ready='1']")
    page.click(f"#batch-list tr[data-id='{batch['id']}'] button")
    _submit_expecting_422(
        page, "#complete-form", {"outputs.RICE": "-5", "outputs.BRAN": "50", "outputs.HUSK": "200"}, ["outputs.RICE"]
    )
    assert totals() == before


def test_platform_forms_show_field_errors(seed, open_page, rest):
    from ricemill.mills.models import Mill

    admin = make_user(Role.SUPER_ADMIN, name="Platform Admin")
    from ricemill.extensions import db

    count = db.session.query(Mill).count()
    page = open_page(admin, "/admin")
    _submit_expecting_422(
        page,
        "#mill-form",
        {"name": "New Mill", "code": "bad code", "admin.name": "Owner", "admin.email": "owner@new.test",
         "admin.password": "short"},
        ["code", "admin.password"],
    )  # fmt: skip
    _submit_expecting_422(page, "#broadcast-form", {"message": "Hello"}, ["title"])
    db.session.rollback()
    assert db.session.query(Mill).count() == count


def test_a_received_payment_prints_its_receipt_in_indian_rupees(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Receipt Mill")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    watcher = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(manager)
    api.post("/inwards", {"stockType": "RICE", "quantityKg": 10000})
    # 5,612.8 kg at ₹2,200 a quintal: ₹1,23,481.60
    sale = api.post("/sales", {"buyerName": "Gupta Traders", "stockType": "RICE", "quantityKg": 5612.8,
                               "ratePerQuintal": 2200})  # fmt: skip
    assert sale["amount"] == 123481.60

    watching = open_page(watcher, "/documents/payments")
    paying = open_page(manager, "/documents/payments")
    wait_live(watching)
    paying.select_option("#direction", "RECEIVED")
    paying.select_option("#saleId", sale["id"])
    paying.fill("#amount", "123481.60")
    paying.select_option("#mode", "UPI")
    paying.fill("#reference", "UPI-881")
    paying.click("#doc-form button[type=submit]")

    row = watching.locator("#receipt-list tbody tr").first
    expect(row).to_contain_text("Gupta Traders", timeout=2000)
    expect(row).to_contain_text("₹1,23,481.60")
    expect(watching.locator("#doc-list tbody tr").first).to_contain_text("₹1,23,481.60")
    row.locator("a").click()
    watching.wait_for_selector("body[data-ready='1']")
    expect(watching.locator("#r-no")).to_have_text("1")
    expect(watching.locator("#r-party")).to_have_text("Gupta Traders")
    expect(watching.locator("#r-amount")).to_have_text("₹1,23,481.60")
    expect(watching.locator("#r-mode")).to_have_text("UPI · UPI-881")
    # the sale is now paid, so it is no longer offered for payment
    expect(paying.locator(f"#saleId option[value='{sale['id']}']")).to_have_count(0, timeout=2000)


def test_milling_and_attendance_from_the_pages_live(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Milling Mill")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(manager)
    api.post("/paddy-purchases", _purchase("Suresh", gross=2050))
    staff = api.post("/staff", {"name": "Venkat", "dailyWage": 600})
    helper = api.post("/staff", {"name": "Mallesh", "dailyWage": 550})

    mine = open_page(operator, "/milling")
    theirs = open_page(manager, "/milling")
    wait_live(theirs)
    mine.fill("#variety", "Sona Masoori")
    mine.fill("#paddyInputKg", "1000")
    mine.click("#start-form button[type=submit]")
    row = theirs.locator("#batch-list tbody tr").first
    expect(row).to_contain_text("In progress", timeout=2000)
    row.locator("button").click()
    theirs.fill("[name='outputs.RICE']", "680")
    theirs.fill("[name='outputs.BROKEN_RICE']", "40")
    theirs.fill("[name='outputs.BRAN']", "60")
    theirs.fill("[name='outputs.HUSK']", "200")
    expect(theirs.locator("#pv-outturn")).to_have_text("68.00%")
    expect(theirs.locator("#pv-loss")).to_have_text("20 kg (0.20 q)")
    theirs.click("#complete-form button[type=submit]")
    done = mine.locator("#batch-list tbody tr").first
    expect(done).to_contain_text("Completed", timeout=2000)
    expect(done).to_contain_text("68.00%")

    marking = open_page(manager, "/attendance")
    seeing = open_page(operator, "/attendance")
    wait_live(seeing)
    marking.check(f"input[name='att-{staff['id']}'][value='PRESENT']")
    expect(seeing.locator(f"input[name='att-{staff['id']}'][value='PRESENT']")).to_be_checked(timeout=2000)
    expect(seeing.locator("#att-summary")).to_have_text("1 of 2 present")
    marking.click("#att-all")
    expect(seeing.locator(f"input[name='att-{helper['id']}'][value='PRESENT']")).to_be_checked(timeout=2000)
    expect(seeing.locator("#att-summary")).to_have_text("2 of 2 present")


def test_the_platform_admin_creates_a_mill_sees_every_mill_live_and_broadcasts(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Busy Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Owner")
    admin = make_user(Role.SUPER_ADMIN, name="Platform Admin")
    platform = open_page(admin, "/admin")
    owners_page = open_page(owner, "/")
    wait_live(owners_page)
    expect(platform.locator("#mill-list")).to_contain_text("Busy Mill")
    # platform:stats on the /admin namespace: the figures at once, then pushed when connections change
    figures = r"^\d+ mills? · \d+ users? · {} connections? now \(\d+ users? online\)$"
    expect(platform.locator("#platform-stats")).to_have_text(re.compile(figures.format(r"\d+")), timeout=2000)
    expect(platform.locator("#platform-stats")).to_have_text(re.compile(figures.format(r"[1-9]\d*")), timeout=8000)

    platform.fill("[name='name']", "Godavari Rice Mill")
    platform.fill("[name='code']", "GODAVARI")
    platform.fill("[name='admin.name']", "Godavari Owner")
    platform.fill("[name='admin.email']", "owner@godavari.test")
    platform.fill("[name='admin.password']", "a long enough password")
    platform.click("#mill-form button[type=submit]")
    expect(platform.locator("#mill-list")).to_contain_text("Godavari Rice Mill", timeout=2000)

    # the platform admin also opens that mill's own dashboard (mill picked from the list)
    platform_mill = platform.context.new_page()
    platform_mill.goto("/admin")
    platform_mill.click("#mill-list a:text('Busy Mill')")
    platform_mill.wait_for_selector("body[data-ready='1']")
    wait_live(platform_mill)
    expect(platform_mill.locator("h1")).to_have_text("Today at Busy Mill")
    rest(owner).post("/paddy-purchases", _purchase("Narayana"))
    expect(platform.locator("#admin-feed")).to_contain_text("Narayana", timeout=2000)
    expect(platform_mill.locator("#feed")).to_contain_text("Narayana", timeout=2000)
    platform_mill.click("nav a:text('Purchases')")  # the mill stays picked from page to page
    expect(platform_mill.locator("#doc-list tbody")).to_contain_text("Narayana")

    platform.select_option("[name='type']", "warning")
    platform.fill("[name='title']", "Maintenance")
    platform.fill("[name='message']", "The service restarts at 22:00")
    platform.click("#broadcast-form button[type=submit]")
    expect(owners_page.locator(".toast", has_text="The service restarts at 22:00")).to_be_visible(timeout=2000)

    # the new mill's first admin can log in and sees their own, empty mill
    from ricemill.auth.service import find_user_by_email

    godavari_owner = find_user_by_email("owner@godavari.test")
    first = open_page(godavari_owner, "/", password="a long enough password")
    expect(first.locator("h1")).to_have_text("Today at Godavari Rice Mill")


def _demo_month(api, mill) -> None:
    """A month of a small mill's work over its REST API: purchases, sales, milling, staff."""
    from datetime import timedelta

    today = mill.today()
    farmers = ["Suresh Reddy", "Narayana", "Venkatesh", "Srinivas Rao", "Ramulu", "Anjaiah"]
    for day in range(29, -1, -1):
        when = (today - timedelta(days=day)).isoformat()
        for n in range(1 + (day % 3)):
            gross = 1800 + ((day * 7 + n * 13) % 20) * 90
            api.post("/paddy-purchases", {
                "farmerName": farmers[(day + n) % len(farmers)], "village": "Miryalaguda", "variety": "Sona Masoori",
                "bags": int(gross // 75), "grossWeightKg": gross, "tareWeightKg": 40,
                "moisturePercent": 16 + (day + n) % 5, "ratePerQuintal": 2180 + (day % 4) * 20, "purchaseDate": when,
            })  # fmt: skip
        if day % 2 == 0:
            api.post("/inwards", {"stockType": "RICE", "quantityKg": 1500, "partyName": "Own godown", "date": when})
            api.post("/sales", {
                "buyerName": ["Gupta Traders", "Sri Sai Agencies", "Balaji Stores"][day % 3], "stockType": "RICE",
                "quantityKg": 900 + (day % 5) * 110, "ratePerQuintal": 3950, "saleDate": when,
            })  # fmt: skip
    batch = api.post("/milling-batches", {"variety": "Sona Masoori", "paddyInputKg": 4000})
    api.post(f"/milling-batches/{batch['id']}/complete",
             {"outputs": {"RICE": 2720, "BROKEN_RICE": 160, "BRAN": 280, "HUSK": 800}}, expect=200)  # fmt: skip
    api.post("/milling-batches", {"variety": "BPT 5204", "paddyInputKg": 3000})
    staff = [api.post("/staff", {"name": name, "designation": role, "dailyWage": wage}) for name, role, wage in [
        ("Venkat", "Operator", 650), ("Mallesh", "Loader", 550), ("Lakshmi", "Accountant", 800),
        ("Raju", "Driver", 700), ("Yadaiah", "Loader", 550)]]  # fmt: skip
    statuses = ["PRESENT", "PRESENT", "PRESENT", "HALF_DAY", "ABSENT"]
    entries = [{"staffId": s["id"], "status": st} for s, st in zip(staff, statuses, strict=True)]
    api.post("/attendance", {"date": today.isoformat(), "entries": entries}, expect=200)
    api.http.patch(f"{api.mill}/stock/PADDY", json={"minStockLevel": 20000}, timeout=10)
    api.http.patch(f"{api.mill}/stock/BRAN", json={"minStockLevel": 500}, timeout=10)


def test_dashboard_screenshots_on_a_laptop_and_a_phone(seed, browser, live_server, open_page, rest, tmp_path):
    """docs/screenshots/*.png with demo data (written there with UPDATE_SCREENSHOTS=1), and no
    sideways scrolling at 360 px on any page."""
    import os
    from pathlib import Path

    from playwright.sync_api import expect

    mill = make_mill("Sri Lakshmi Rice Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Srinivas")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    _demo_month(rest(owner), mill)
    out = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("UPDATE_SCREENSHOTS") != "1":
        out = tmp_path
    out.mkdir(parents=True, exist_ok=True)

    laptop = open_page(owner, "/", viewport={"width": 1366, "height": 900})
    phone = open_page(owner, "/", viewport={"width": 360, "height": 780}, device_scale_factor=2, is_mobile=True,
                      has_touch=True)  # fmt: skip
    typing = open_page(operator, "/documents/purchases")
    for page in (laptop, phone, typing):
        wait_live(page)
    typing.fill("#farmerName", "Anjaiah")
    for page, name in ((laptop, "dashboard.png"), (phone, "dashboard-phone.png")):
        expect(page.locator("#typing")).to_have_text("Ravi is creating a purchase…", timeout=2000)
        expect(page.locator("#feed li")).to_have_count(20)
        page.wait_for_function("() => document.querySelector('#chart').width > 0")
        page.screenshot(path=str(out / name), full_page=True)
        assert (out / name).stat().st_size > 20_000
        # the stock table fits its card whole (no column scrolled away), even with lakhs of kg
        assert page.locator("#stock-table").locator("xpath=..").evaluate("w => w.scrollWidth <= w.clientWidth")

    # Usable at 360 px: no page scrolls sideways (wide tables scroll inside their own box).
    for path in ["/", "/documents/purchases", "/documents/sales", "/documents/payments", "/documents/staff",
                 "/milling", "/stock", "/attendance", "/notifications"]:  # fmt: skip
        phone.goto(path)
        phone.wait_for_selector("body[data-ready='1']")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width} px wide on a 360 px phone"
    phone.goto("/documents/purchases")
    phone.wait_for_selector("body[data-ready='1']")
    phone.fill("#grossWeightKg", "1300")
    phone.fill("#tareWeightKg", "50")
    phone.fill("#moisturePercent", "19")
    phone.fill("#ratePerQuintal", "2200")
    expect(phone.locator("#pv-amount")).to_have_text("₹26,837.36")
    phone.evaluate("document.activeElement.blur()")
    # the weights, the rate, the preview and the Save button in one phone screen, no label cut at the top
    phone.locator("label[for=tareWeightKg]").evaluate("el => el.scrollIntoView({block: 'start'})")
    phone.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    expect(phone.locator("#doc-form button[type=submit]")).to_be_in_viewport()
    phone.screenshot(path=str(out / "purchase-phone.png"))


def test_the_page_renews_an_expired_access_cookie_and_carries_on(seed, open_page):
    """The access cookie lasts 15 minutes; when it is gone the page renews it with the refresh cookie."""
    from playwright.sync_api import expect

    mill = make_mill("Refresh Mill")
    user = make_user(Role.OPERATOR, mill, name="Ravi")
    page = open_page(user, "/documents/inwards")
    wait_live(page)
    page.context.clear_cookies(name="access_token_cookie")
    page.select_option("#stockType", "HUSK")
    page.fill("#quantityKg", "350")
    with page.expect_response(lambda r: r.url.endswith("/web/refresh")) as renewed:
        page.click("#doc-form button[type=submit]")
    assert renewed.value.status == 200
    expect(page.locator("#doc-list tbody tr").first).to_contain_text("350 kg")
    assert any(c["name"] == "access_token_cookie" for c in page.context.cookies())


def test_notifications_page_and_bell(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Bell Mill")
    reader = make_user(Role.MANAGER, mill, name="Lakshmi")
    writer = make_user(Role.OPERATOR, mill, name="Ravi")
    rest(writer).post("/paddy-purchases", _purchase("Suresh"))
    page = open_page(reader, "/notifications")
    wait_live(page)
    expect(page.locator("#bell-count")).to_have_text("1")
    expect(page.locator("#notif-list li.unread")).to_contain_text("Purchase from Suresh: ₹")
    rest(writer).post("/paddy-purchases", _purchase("Narayana"))
    expect(page.locator("#bell-count")).to_have_text("2", timeout=2000)
    expect(page.locator("#notif-list li.unread")).to_have_count(2, timeout=2000)
    page.click("#read-all")
    expect(page.locator("#bell-count")).to_be_hidden()
    expect(page.locator("#notif-list li.unread")).to_have_count(0)


def test_a_deleted_purchase_leaves_every_screen_of_the_mill(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Delete Mill")
    owner = make_user(Role.MILL_ADMIN, mill, name="Owner")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    purchase = rest(operator).post("/paddy-purchases", _purchase("Mistake"))
    deleting = open_page(owner, "/documents/purchases")
    watching = open_page(operator, "/")
    viewing = open_page(operator, "/documents/purchases")
    for page in (watching, viewing):
        wait_live(page)
    expect(viewing.locator("#doc-list tbody tr")).to_have_count(1)
    expect(viewing.locator("#doc-list button", has_text="Delete")).to_have_count(0)  # operators may not
    paddy = "#stock-table tr[data-stock-type='PADDY'] td:nth-child(2)"
    expect(watching.locator(paddy)).to_have_attribute("data-quantity", "1250")

    deleting.on("dialog", lambda dialog: dialog.accept())
    deleting.locator(f"#doc-list tr[data-id='{purchase['id']}'] button", has_text="Delete").click()
    expect(viewing.locator("#doc-list tbody")).to_contain_text("Nothing yet.", timeout=2000)
    expect(watching.locator(paddy)).to_have_attribute("data-quantity", "0", timeout=2000)


def test_the_page_renews_its_access_cookie_before_it_expires(seed, browser, live_server):
    """With the page's clock run 14½ minutes ahead, its timer rotates the 15-minute cookie."""
    mill = make_mill("Timer Mill")
    user = make_user(Role.OPERATOR, mill)
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.clock.install()
        login(page, user.email, PASSWORD)
        before = {c["name"]: c["value"] for c in context.cookies()}
        with page.expect_response(lambda r: r.url.endswith("/web/refresh") and r.request.method == "POST") as answer:
            page.clock.fast_forward("14:30")
        assert answer.value.status == 200
        after = {c["name"]: c["value"] for c in context.cookies()}
        assert after["access_token_cookie"] != before["access_token_cookie"]
        assert after["refresh_token_cookie"] != before["refresh_token_cookie"]
        # the new cookie is renewed in its turn, 14 minutes or so later, and not before
        renewals = []
        page.on("request", lambda r: r.url.endswith("/web/refresh") and renewals.append(r))
        page.clock.fast_forward("10:00")
        # the barrier: a request the page makes after; a renewal due by now would have gone before it
        with page.expect_request(lambda r: r.url.endswith("/healthz")):
            page.evaluate("fetch('/healthz')")
        assert renewals == []
        with page.expect_response(lambda r: r.url.endswith("/web/refresh") and r.request.method == "POST") as again:
            page.clock.fast_forward("04:30")
        assert again.value.status == 200
    finally:
        context.close()


def test_a_page_the_server_cannot_replay_for_reloads_over_rest(seed, open_page, rest):
    """`sync:reset` (here: a lastSeq the server never issued) makes the page reload its data."""
    from playwright.sync_api import expect

    mill = make_mill("Reset Mill")
    watcher = make_user(Role.MANAGER, mill)
    api = rest(make_user(Role.OPERATOR, mill))
    page = open_page(watcher, "/documents/purchases")
    wait_live(page)
    page.evaluate("RM.pause()")
    api.post("/paddy-purchases", _purchase("While Away"))
    current = api.get("/activity?limit=1")["data"][0]["seq"]
    page.evaluate("RM.live.lastSeq = 999999")
    with page.expect_response(lambda r: "/paddy-purchases" in r.url and r.request.method == "GET"):
        page.evaluate("RM.resume()")
    expect(page.locator("#doc-list tbody")).to_contain_text("While Away")
    assert page.evaluate("RM.live.lastSeq") == current


def test_staff_leaving_and_a_refused_outward_from_the_pages(seed, open_page, rest):
    from playwright.sync_api import expect

    mill = make_mill("Roster Mill")
    manager = make_user(Role.MANAGER, mill, name="Lakshmi")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(manager)
    venkat = api.post("/staff", {"name": "Venkat", "designation": "Loader", "dailyWage": 550})
    managing = open_page(manager, "/documents/staff")
    watching = open_page(operator, "/documents/staff")
    wait_live(watching)
    expect(watching.locator("#doc-list button", has_text="Mark left")).to_have_count(0)  # operators may not
    managing.locator(f"#doc-list tr[data-id='{venkat['id']}'] button", has_text="Mark left").click()
    row = watching.locator(f"#doc-list tr[data-id='{venkat['id']}']")
    expect(row).to_contain_text("Left", timeout=2000)
    expect(watching.locator(".toast", has_text="Venkat left the mill")).to_be_visible(timeout=2000)

    # more rice out than the mill has: the server's 409 is shown and nothing is written
    managing.goto("/documents/outwards")
    managing.wait_for_selector("body[data-ready='1']")
    managing.select_option("#stockType", "RICE")
    managing.fill("#quantityKg", "500")
    with managing.expect_response(lambda r: r.url.endswith("/outwards") and r.request.method == "POST") as answer:
        managing.click("#doc-form button[type=submit]")
    assert answer.value.status == 409
    expect(managing.locator("#doc-form .form-error")).to_contain_text(answer.value.json()["message"])
    assert api.get("/outwards")["meta"]["total"] == 0


def test_a_form_retries_a_lost_answer_with_the_same_idempotency_key(seed, open_page, rest):
    """A network error, then a 503: the submission is sent again with the same Idempotency-Key,
    and one document is written; the next submission has a key of its own."""
    from playwright.sync_api import expect

    mill = make_mill("Retry Mill")
    user = make_user(Role.OPERATOR, mill, name="Ravi")
    api = rest(user)
    page = open_page(user, "/documents/inwards")
    wait_live(page)
    keys = []
    faults = ["abort", "503"]

    def flaky(route):
        keys.append(route.request.headers.get("idempotency-key"))
        fault = faults.pop(0) if faults else None
        if fault == "abort":
            route.abort("connectionreset")
        elif fault == "503":
            route.fulfill(
                status=503,
                content_type="application/json",
                json={"success": False, "statusCode": 503, "message": "Try again", "errors": []},
            )
        else:
            route.continue_()

    page.route(
        "**/api/v1/mills/*/inwards", lambda route: flaky(route) if route.request.method == "POST" else route.continue_()
    )
    page.select_option("#stockType", "HUSK")
    page.fill("#quantityKg", "350")
    with page.expect_response(lambda r: r.url.endswith("/inwards") and r.request.method == "POST" and r.status == 201):
        page.click("#doc-form button[type=submit]")
    assert len(keys) == 3 and keys[0] and len(set(keys)) == 1, keys
    expect(page.locator("#doc-list tbody tr")).to_have_count(1)
    assert api.get("/inwards")["meta"]["total"] == 1

    page.fill("#quantityKg", "20")
    with page.expect_response(lambda r: r.url.endswith("/inwards") and r.request.method == "POST" and r.status == 201):
        page.click("#doc-form button[type=submit]")
    assert len(keys) == 4 and keys[3] and keys[3] != keys[0]
    assert api.get("/inwards")["meta"]["total"] == 2

    # submitted twice in one go (a double click, Enter twice): sent once
    page.fill("#quantityKg", "30")
    with page.expect_response(lambda r: r.url.endswith("/inwards") and r.request.method == "POST" and r.status == 201):
        page.evaluate("() => { const f = document.getElementById('doc-form'); f.requestSubmit(); f.requestSubmit(); }")
    expect(page.locator("#doc-list tbody tr")).to_have_count(3)
    assert len(keys) == 5
    assert api.get("/inwards")["meta"]["total"] == 3


def test_the_page_applies_each_committed_seq_once_and_keeps_lastseq_without_gaps(seed, open_page, rest):
    """RM.live (docs/realtime-client.md): after a cut and a replay, every seq after the page's REST
    data is applied exactly once and lastSeq is the mill's last seq."""
    mill = make_mill("Seq Mill")
    watcher = make_user(Role.MANAGER, mill)
    api = rest(make_user(Role.OPERATOR, mill))
    api.post("/paddy-purchases", _purchase("Before"))
    page = open_page(watcher, "/documents/purchases")
    wait_live(page)
    base = page.evaluate("RM.live.baseSeq")
    api.post("/paddy-purchases", _purchase("Live"))
    page.evaluate("RM.pause()")
    api.post("/paddy-purchases", _purchase("Missed"))
    current = api.get("/activity?limit=1")["data"][0]["seq"]
    page.evaluate("RM.resume()")
    page.wait_for_function("(n) => RM.live.lastSeq >= n", arg=current)
    assert page.evaluate("RM.live.appliedSeqs") == list(range(base + 1, current + 1))
    assert page.evaluate("RM.live.gap") == []


class _SocketTap:
    """The page's Socket.IO websocket routed through the test: server frames for which
    drop(name, payload) is true never reach the page (kept in `dropped`); the events the page sends
    are kept in `sent`; to_page(name, payload) delivers a frame as if the server had sent it."""

    def __init__(self, page, drop):
        self.drop = drop
        self.dropped, self.sent, self.passed = [], [], []
        self.ws = None
        page.route_web_socket("**/socket.io/**", self._handler)

    @staticmethod
    def _event(message):
        import json

        # a Socket.IO event on the default namespace is the text frame '42["name", payload]'
        if isinstance(message, str) and message.startswith("42["):
            body = json.loads(message[2:])
            return body[0], (body[1] if len(body) > 1 else None)
        return None, None

    def _handler(self, ws):
        server = ws.connect_to_server()
        self.ws = ws

        def from_server(message):
            name, payload = self._event(message)
            if name is not None and self.drop(name, payload):
                self.dropped.append((name, payload))
                return
            if name is not None:
                self.passed.append(name)
            ws.send(message)

        def from_page(message):
            name, payload = self._event(message)
            if name is not None:
                self.sent.append((name, payload))
            server.send(message)

        server.on_message(from_server)
        ws.on_message(from_page)

    def to_page(self, name, payload):
        import json

        self.ws.send("42" + json.dumps([name, payload]))

    def syncs(self):
        return [payload["lastSeq"] for name, payload in self.sent if name == "sync"]


def _until(page, condition, timeout_ms=5000):
    """Poll `condition()` (test-side state fed by the page's frames) while the page runs."""
    waited = 0
    while not condition():
        assert waited < timeout_ms, "condition not met in time"
        page.wait_for_timeout(50)
        waited += 50


def _reload(page):
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    wait_live(page)


def test_a_lost_live_event_is_asked_for_once_a_gap_stays_open(seed, open_page, rest):
    """The first purchase:created never reaches the page; the next event opens a gap; 1 s later the
    page sends sync with the seq below the hole and the replay fills it."""
    from playwright.sync_api import expect

    mill = make_mill("Gap Mill")
    watcher = make_user(Role.MANAGER, mill)
    api = rest(make_user(Role.OPERATOR, mill))
    api.post("/paddy-purchases", _purchase("Before"))
    page = open_page(watcher, "/documents/purchases")
    tap = _SocketTap(page, lambda name, payload: name == "purchase:created" and not tap.dropped)
    _reload(page)
    base = page.evaluate("RM.live.baseSeq")
    api.post("/paddy-purchases", _purchase("Lost Live"))
    api.post("/paddy-purchases", _purchase("After"))
    current = api.get("/activity?limit=1")["data"][0]["seq"]
    page.wait_for_function("(n) => RM.live.lastSeq >= n", arg=current)
    assert len(tap.dropped) == 1
    hole = tap.dropped[0][1]["seq"]
    assert tap.syncs()[-1] == hole - 1, tap.syncs()  # asked after the last seq with no gap below it
    assert page.evaluate("RM.live.appliedSeqs") == list(range(base + 1, current + 1))
    assert page.evaluate("RM.live.gap") == []
    expect(page.locator("#doc-list tbody")).to_contain_text("Lost Live")
    expect(page.locator("#doc-list tbody tr")).to_have_count(3)


def test_mill_position_ahead_of_the_page_makes_it_sync(seed, open_page, rest):
    """Every event of a purchase is lost (as in a message-queue outage); a mill:position with a
    higher seq makes the page sync at once and catch up."""
    from playwright.sync_api import expect

    mill = make_mill("Position Mill")
    watcher = make_user(Role.MANAGER, mill)
    api = rest(make_user(Role.OPERATOR, mill))
    page = open_page(watcher, "/documents/purchases")
    losing = {"on": False}
    tap = _SocketTap(page, lambda name, payload: losing["on"])
    _reload(page)
    _until(page, lambda: "sync:done" in tap.passed)  # the first sync is answered
    losing["on"] = True
    api.post("/paddy-purchases", _purchase("Unheard"))
    current = api.get("/activity?limit=1")["data"][0]["seq"]
    _until(page, lambda: any(name == "purchase:created" for name, _ in tap.dropped))
    assert page.evaluate("RM.live.lastSeq") < current
    losing["on"] = False
    syncs = len(tap.syncs())
    tap.to_page("mill:position", {"millId": str(mill.id), "seq": current})
    page.wait_for_function("(n) => RM.live.lastSeq >= n", arg=current)
    assert len(tap.syncs()) == syncs + 1
    expect(page.locator("#doc-list tbody")).to_contain_text("Unheard")
