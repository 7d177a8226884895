"""Browser tests: the real server as a process (`python app.py`) and Debian's headless Chromium.

Without /usr/bin/chromium the browser tests skip, except with CI=true, where they fail
(scripts/ci-browser.sh installs it in CI).
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
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
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
        time.sleep(0.2)
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
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seed(app):
    """An app context for building data with the factories and services (they commit)."""
    with app.app_context():
        yield


@pytest.fixture
def open_page(browser, live_server):
    """open_page(user, path="/", **context_options) → a logged-in page; all contexts closed after."""
    contexts = []

    def _open(user, path="/", password=None, **options):
        from tests.factories import PASSWORD

        context = browser.new_context(base_url=live_server, **options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        login(page, user.email, password or PASSWORD, next_path=path)
        return page

    yield _open
    for context in contexts:
        context.close()


def login(page, email: str, password: str, next_path: str = "/") -> None:
    page.goto(f"/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("body[data-ready='1']")


def wait_live(page) -> None:
    """The page's socket is connected and its first sync is done."""
    page.wait_for_selector("#conn[data-state='live']")
