"""Browser tests: the real server as a process (`python app.py`) and Debian's headless Chromium.

Chromium is Debian's headless shell when it is installed (the same Blink as /usr/bin/chromium
without the full browser's display compositor: a third of the CPU), else /usr/bin/chromium;
`CHROMIUM_PATH` picks another. Without either the browser tests skip, except with CI=true, where they
fail (scripts/ci-browser.sh installs both in CI).

`page.wait_for_function` takes a function ("(n) => RM.live.lastSeq >= n", arg=n), never a bare
expression: Playwright evaluates the string once through the DevTools protocol, which the pages' CSP
(script-src 'self') does not cover, then again on every poll inside the page, where the CSP forbids
eval. A bare expression passes when it is already true and fails with EvalError when it has to wait.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or next(
    (path for path in ("/usr/bin/chromium-headless-shell", "/usr/bin/chromium") if os.path.exists(path)),
    "/usr/bin/chromium",
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(app, database_urls, tmp_path_factory):
    """`python app.py` on a free port against the test database (migrated by the `app` fixture)."""
    port = _free_port()
    env = {
        **os.environ,
        "RICEMILL_ENV": "testing",
        "TEST_DATABASE_URL": database_urls["test"],
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "PLATFORM_STATS_INTERVAL_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if requests.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"server did not start:\n{log_path.read_text()[-4000:]}")
        time.sleep(0.05)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: scripts/ci-browser.sh should have installed Chromium")
        pytest.skip(f"no Chromium at {CHROMIUM} (run scripts/ci-browser.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # date inputs as in India (dd/mm/yyyy): Chromium takes its own language from LANGUAGE (with
        # Debian's chromium-l10n; the context's `locale` does not reach the native date field)
        env = {**os.environ, "LANGUAGE": "en_IN"}
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, env=env)
        yield browser
        browser.close()


@pytest.fixture
def seed(app):
    """An app context for building data with the factories and services (they commit)."""
    with app.app_context():
        yield


@pytest.fixture
def open_page(browser, live_server):
    """open_page(user, path="/", **context_options) → a page at `path`, logged in; all contexts closed after."""
    contexts = []
    pages = []

    def _open(user, path="/", password=None, **options):
        from tests.factories import PASSWORD

        options.setdefault("locale", "en-IN")  # a mill in India: dd/mm/yyyy date inputs
        options.setdefault("timezone_id", "Asia/Kolkata")
        context = browser.new_context(base_url=live_server, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        # uncaught script errors fail the test that caused them (see the check below)
        page.js_errors = []
        page.on("pageerror", lambda error: page.js_errors.append(str(error)))
        # and so does anything the Content-Security-Policy blocked
        page.on(
            "console",
            lambda msg: "Content Security Policy" in msg.text and page.js_errors.append(msg.text),
        )
        login_by_form_post(context, user.email, password or PASSWORD)
        page.goto(path)
        page.wait_for_selector("body[data-ready='1']")
        pages.append(page)
        return page

    yield _open
    errors = [error for page in pages for error in page.js_errors]
    for context in contexts:
        context.close()
    assert not errors, f"script errors in the pages: {errors}"


def login(page, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']")


def login_by_form_post(context, email: str, password: str) -> None:
    """The login form's POST sent by the context itself (its cookies are the pages'): the session a
    login through the page gives, without loading the login page first. `login` above drives the
    page; tests/web/test_browser.py and test_page_session.py check that path."""
    response = context.request.post("/login", form={"email": email, "password": password}, max_redirects=0)
    assert response.status == 302, response.text()


def wait_live(page) -> None:
    """The page's socket is connected and its first sync is done."""
    page.wait_for_selector("#conn[data-state='live']")


class Api:
    """The REST API of the live server as one user (a Bearer token, as any API client)."""

    def __init__(self, base_url: str, user, password: str | None = None):
        from tests.factories import PASSWORD

        self.base = base_url + "/api/v1"
        self.mill = f"{self.base}/mills/{user.mill_id}"
        self.http = requests.Session()
        body = {"email": user.email, "password": password or PASSWORD}
        response = self.http.post(self.base + "/auth/login", json=body, timeout=10)
        response.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + response.json()["data"]["accessToken"]

    def post(self, path: str, body: dict, expect: int = 201) -> dict:
        response = self.http.post(self.mill + path, json=body, timeout=10)
        assert response.status_code == expect, response.text
        return response.json()["data"]

    def get(self, path: str) -> dict:
        response = self.http.get(self.mill + path, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def rest(live_server):
    """rest(user) → Api; their connections are closed after the test (no unclosed-socket warnings)."""
    made = []

    def _make(user):
        made.append(Api(live_server, user))
        return made[-1]

    yield _make
    for api in made:
        api.http.close()
