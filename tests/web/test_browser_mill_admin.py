"""Users, settings and my-account pages in headless Chromium at a phone's and a laptop's width."""

import os
from pathlib import Path

import pytest
import requests

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_mill, make_user

from .conftest import login, wait_live
from .test_browser import _submit_expecting_422

pytestmark = [pytest.mark.committed, pytest.mark.browser]

WIDTHS = {
    "phone": {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True},
    "laptop": {"viewport": {"width": 1366, "height": 900}},
}
NEW_PASSWORD = "a fresh passphrase"


# the ones the README shows; the others are still taken (and looked at) in the test's directory
README_SHOTS = {"users.png", "settings-phone.png", "account-phone.png"}


def _shot(page, tmp_path, name: str) -> None:
    """docs/screenshots/<name> with UPDATE_SCREENSHOTS=1 (README's), else the test's own directory."""
    out = tmp_path
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" and name in README_SHOTS:
        out = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    page.screenshot(path=str(out / name), full_page=True)
    assert (out / name).stat().st_size > 10_000


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url} is {width} px wide at {viewport} px"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_mill_admin_adds_an_operator_who_then_logs_in(seed, browser, live_server, open_page, width, tmp_path):
    from playwright.sync_api import expect

    mill = make_mill(f"Users Mill {width}")
    admin = make_user(Role.MILL_ADMIN, mill, name="Srinivas")
    make_user(Role.MANAGER, mill, name="Lakshmi")
    page = open_page(admin, "/users", **WIDTHS[width])
    expect(page.locator("#user-list tbody tr")).to_have_count(2)
    _no_sideways_scroll(page)

    # starred fields: the server's 422 lands next to each input, nothing is made
    _submit_expecting_422(page, "#user-form", {"name": "Ravi"}, ["email", "password"])
    email = f"ravi.{width}@users.test"
    page.fill("#user-name", "Ravi Kumar")
    page.fill("#user-email", email)
    page.select_option("#user-role", "OPERATOR")
    page.fill("#user-password", "weighbridge-2026")
    page.click("#user-form button[type=submit]")
    expect(page.locator(".toast-success").last).to_have_text("User created")
    row = page.locator("#user-list tbody tr", has_text="Ravi Kumar")
    expect(row).to_contain_text(email)
    expect(row).to_contain_text("Operator")
    expect(page.locator("#user-form [name='name']")).to_have_value("")

    # a role change from the list
    page.locator("#user-list tbody tr", has_text="Lakshmi").locator("select").select_option("OPERATOR")
    expect(page.locator(".toast-success").last).to_have_text("Lakshmi is now Operator")
    expect(page.locator("#user-list tbody tr", has_text="Lakshmi")).to_contain_text("Operator")
    name = "users-phone.png" if width == "phone" else "users.png"
    _shot(page, tmp_path, name)

    # the new operator logs in with what the admin typed, on their own phone
    context = browser.new_context(base_url=live_server, **WIDTHS["phone"])
    try:
        phone = context.new_page()
        phone.set_default_timeout(10_000)
        login(phone, email, "weighbridge-2026")
        assert phone.locator(".who").inner_text() == "Ravi Kumar"
        expect(phone.locator("nav a[href='/users']")).to_have_count(0)  # not for an operator
        assert phone.goto("/users").status == 403
    finally:
        context.close()

    # deactivated (after a confirmation): the operator cannot log in any more
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#user-list tbody tr", has_text="Ravi Kumar").locator("button[data-action=deactivate]").click()
    expect(page.locator("#user-list tbody tr", has_text="Ravi Kumar")).to_contain_text("Deactivated")
    refused = requests.post(
        f"{live_server}/api/v1/auth/login", json={"email": email, "password": "weighbridge-2026"}, timeout=10
    )
    assert refused.status_code == 401


@pytest.mark.parametrize("width", WIDTHS)
def test_changing_my_password_keeps_this_session_and_ends_the_other(seed, open_page, browser, live_server, width,
                                                                    tmp_path):  # fmt: skip
    from playwright.sync_api import expect

    mill = make_mill(f"Account Mill {width}")
    user = make_user(Role.OPERATOR, mill, name="Ravi")
    other = open_page(user, "/")  # the same person on another device
    wait_live(other)
    page = open_page(user, "/account", **WIDTHS[width])
    wait_live(page)
    _no_sideways_scroll(page)
    page.fill("#pw-currentPassword", "not it")
    page.fill("#pw-newPassword", NEW_PASSWORD)
    with page.expect_response("**/api/v1/account/password") as answer:
        page.click("#password-form button[type=submit]")
    assert answer.value.status == 422
    expect(page.locator("#password-form .field-error[data-error-for='currentPassword']")).to_have_text(
        "Not your current password."
    )
    expect(page.locator("#password-form .form-error")).to_have_text("The current password is not right")
    page.fill("#pw-currentPassword", PASSWORD)
    page.fill("#pw-newPassword", NEW_PASSWORD)
    page.click("#password-form button[type=submit]")
    expect(page.locator(".toast-success").last).to_have_text("Password changed")
    # this page carries on: its socket comes back with the new cookie, its pages open
    wait_live(page)
    name = "account-phone.png" if width == "phone" else "account.png"
    _shot(page, tmp_path, name)
    page.goto("/")
    page.wait_for_selector("body[data-ready='1']")
    assert "/login" not in page.url
    # the other device is logged out at once: its socket was cut, its token refused, it goes to the login
    other.wait_for_url("**/login**")
    other.goto("/")
    assert "/login" in other.url
    # the new password works, the old one no longer does
    base = f"{live_server}/api/v1/auth/login"
    assert requests.post(base, json={"email": user.email, "password": PASSWORD}, timeout=10).status_code == 401
    assert requests.post(base, json={"email": user.email, "password": NEW_PASSWORD}, timeout=10).status_code == 200


@pytest.mark.parametrize("width", WIDTHS)
def test_mill_settings_set_the_standard_moisture_of_new_purchases(seed, open_page, rest, width, tmp_path):
    from playwright.sync_api import expect

    mill = make_mill(f"Settings Mill {width}")
    admin = make_user(Role.MILL_ADMIN, mill, name="Srinivas")
    page = open_page(admin, "/settings", **WIDTHS[width])
    expect(page.locator("#set-name")).to_have_value(mill.name)
    expect(page.locator("#set-settings\\.standardMoisturePercent")).to_have_value("17")
    expect(page.locator("#min-PADDY")).to_be_visible()
    _no_sideways_scroll(page)

    _submit_expecting_422(page, "#mill-settings-form", {"name": "", "settings.timezone": "Mars/Base"},
                          ["name", "settings.timezone"])  # fmt: skip
    page.fill("#set-name", f"Sri Lakshmi {width}")
    page.fill("#set-settings\\.timezone", "Asia/Kolkata")
    page.fill("#set-settings\\.standardMoisturePercent", "15")
    page.fill("#set-address", "Miryalaguda, Nalgonda")
    page.click("#mill-settings-form button[type=submit]")
    expect(page.locator(".toast-success").last).to_have_text("Mill updated")
    expect(page.locator(".mill-name")).to_have_text(f"Sri Lakshmi {width}")

    page.fill("#min-RICE", "-5")
    page.click("#minimums-form button[type=submit]")
    expect(page.locator("#minimums-form .field-error[data-error-for='min.RICE']")).not_to_be_empty()
    page.fill("#min-RICE", "2500")
    page.fill("#min-PADDY", "10000")
    page.click("#minimums-form button[type=submit]")
    expect(page.locator(".toast-success").last).to_have_text("Minimum stock saved")
    name = "settings-phone.png" if width == "phone" else "settings.png"
    _shot(page, tmp_path, name)

    api = rest(admin)
    levels = {s["stockType"]: float(s["minStockLevel"]) for s in api.get("/stock")["data"]}
    assert levels["RICE"] == 2500 and levels["PADDY"] == 10000
    purchase = api.post(
        "/paddy-purchases",
        {"farmerName": "Anjaiah", "grossWeightKg": 1050, "tareWeightKg": 50, "moisturePercent": 16,
         "ratePerQuintal": 2200},
    )  # fmt: skip
    assert float(purchase["standardMoisturePercent"]) == 15
    page.goto("/documents/purchases")
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("Number(document.body.dataset.standardMoisture)") == 15


def test_a_mill_is_created_only_with_its_first_admin(seed, open_page):
    from ricemill.extensions import db
    from ricemill.mills.models import Mill

    root = make_user(Role.SUPER_ADMIN, name="Platform Admin")
    count = db.session.query(Mill).count()
    page = open_page(root, "/admin", **WIDTHS["laptop"])
    _submit_expecting_422(page, "#mill-form", {"name": "No Admin Mill", "code": "NOADM-1"},
                          ["admin.name", "admin.email", "admin.password"])  # fmt: skip
    db.session.rollback()
    assert db.session.query(Mill).count() == count
