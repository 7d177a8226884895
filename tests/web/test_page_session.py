"""Opening a page with a dead session (issue 11): the server sends it to /login, and the login page
says "Your session ended; log in again." only when a session was there (expired, revoked, broken),
not on a first visit nor after logging out. Real Chromium against the real server (conftest.py)."""

import pytest

from ricemill.auth.roles import Role
from tests.factories import PASSWORD, make_mill, make_user

from .conftest import login, wait_live

pytestmark = [pytest.mark.committed, pytest.mark.browser]

PHONE = {"viewport": {"width": 360, "height": 780}, "is_mobile": True, "has_touch": True}
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
ENDED = "#login-ended"


def _open(page, path: str) -> None:
    page.goto(path)
    page.wait_for_selector("#email")  # the login page


@pytest.mark.parametrize("screen", [PHONE, LAPTOP], ids=["360px", "1366px"])
def test_a_page_opened_with_a_dead_session_says_it_ended(seed, browser, live_server, screen):
    from playwright.sync_api import expect

    mill = make_mill("Session Mill")
    operator = make_user(Role.OPERATOR, mill, name="Ravi")
    options = {"base_url": live_server, "locale": "en-IN", "timezone_id": "Asia/Kolkata", **screen}
    context = browser.new_context(**options)
    other = browser.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _open(page, "/stock")  # a first visit: no session, nothing ended
        expect(page.locator(ENDED)).to_have_count(0)

        login(page, operator.email, PASSWORD, next_path="/stock")
        wait_live(page)
        # the session ends elsewhere: its cookies, used from another browser, log it out (revoked)
        other.add_cookies(context.cookies())
        elsewhere = other.new_page()
        elsewhere.goto("/login")
        status = elsewhere.evaluate("""async () => {
          const csrf = document.cookie.split('; ').find((c) => c.startsWith('csrf_access_token=')).split('=')[1];
          const res = await fetch('/web/refresh/logout', {method: 'POST', headers: {'X-CSRF-TOKEN': csrf}});
          return res.status;
        }""")
        assert status == 200

        _open(page, "/documents/purchases")  # opened, not submitted: the server redirects
        assert "ended=session" in page.url
        expect(page.locator(ENDED)).to_have_text("Your session ended; log in again.")
        page.fill("#email", operator.email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_selector("body[data-ready='1']")
        assert page.url.endswith("/documents/purchases")  # back where it was going

        # a broken cookie is a dead session too
        cookies = [c for c in context.cookies() if c["name"] == "access_token_cookie"]
        assert cookies
        context.add_cookies([{**cookies[0], "value": "not-a-token"}])
        context.clear_cookies(name="refresh_token_cookie")
        _open(page, "/")
        expect(page.locator(ENDED)).to_have_text("Your session ended; log in again.")

        # logging out clears the cookies: the next page asks to log in, without a word of an end
        login(page, operator.email, PASSWORD)
        page.click("#logout")
        page.wait_for_url("**/login")
        _open(page, "/milling")
        assert "ended" not in page.url
        expect(page.locator(ENDED)).to_have_count(0)
    finally:
        context.close()
        other.close()
