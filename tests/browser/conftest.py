"""Pages in a real browser: Debian's Chromium driven by Playwright, against the live test server.

Every page a test opens is screenshotted into ``test-artifacts/`` (kept by CI), and any console
error fails the test.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around
    # it are still plain synchronous calls, so Django's async-safety guard is lifted for them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


@pytest.fixture
def page(browser, request, viewport):
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    page = context.new_page()
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()
    assert console_errors == [], f"console errors: {console_errors}"


@pytest.fixture
def log_in(live_server):
    """Log ``page`` in through the portal's login page as ``user`` (whose password is ``password``)."""

    def log_in(page, user, password="portal-pass-123", next_url=""):
        page.goto(f"{live_server.url}/login/" + (f"?next={next_url}" if next_url else ""))
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    return log_in
