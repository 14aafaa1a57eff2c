"""Pages in a real browser: Debian's Chromium driven by Playwright, against the live test server.

Every page a test opens is screenshotted into ``test-artifacts/`` (kept by CI), and any console
error fails the test, as does any Content-Security-Policy violation or a page served without a policy.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from accounts import roles

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
FAILED_LOAD = "Failed to load resource: the server responded with a status of "
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 812}}
# Chromium logs most refusals as console errors in words of its own; this reports every violation event
# (report-only ones too) as an error naming the directive and what it blocked, in every frame.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile || event.documentURI}:${event.lineNumber}`;
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${where}`);
});
"""


def snapshot(page, request, name):
    """A full-page screenshot of a page the test passes through (the fixture keeps only the last one)."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=ARTIFACTS / f"{test_name}-{name}.png", full_page=True)


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
def error_pages():
    """Statuses a test opens pages with on purpose (``error_pages.add(404)``): Chromium logs every document
    answered 4xx or 5xx as a console error, which for these pages is expected."""
    return set()


@pytest.fixture
def refused_on_purpose():
    """URLs a page's third-party script loads that the Content-Security-Policy refuses by design
    (``refused_on_purpose.add(url)``); their violations are expected, any other fails the test."""
    return set()


@pytest.fixture
def page(browser, request, viewport, error_pages, refused_on_purpose):
    context = browser.new_context(viewport=VIEWPORTS[viewport], accept_downloads=True)
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    console_errors = []
    documents = {}  # url -> [(status, has a policy)] of every page (document) answered
    page.on("console", lambda message: message.type == "error" and console_errors.append(message))
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    def on_response(response):
        if response.request.resource_type == "document":
            documents.setdefault(response.url, []).append(
                (response.status, "content-security-policy" in response.headers)
            )

    page.on("response", on_response)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
    context.close()

    def expected(error):
        """A page the test opened with an error status it expects, logged by Chromium as a failed load, or a
        load the policy refuses on purpose."""
        if isinstance(error, str):
            return False
        if any(url in error.text for url in refused_on_purpose):
            return True
        statuses = {status for status, _ in documents.get(error.location.get("url"), [])} & error_pages
        return any(error.text.startswith(f"{FAILED_LOAD}{status} ") for status in statuses)

    unexpected = [error if isinstance(error, str) else error.text for error in console_errors if not expected(error)]
    assert unexpected == [], f"console errors: {unexpected}"
    without_policy = [
        f"{status} {url}" for url, answers in documents.items() for status, has_policy in answers if not has_policy
    ]
    assert without_policy == [], f"pages without a Content-Security-Policy: {without_policy}"


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


@pytest.fixture
def portal_admin(make_user):
    """A user in the Admin role (staff, not a superuser)."""
    return make_user(roles.ADMIN, username="portal-admin")
