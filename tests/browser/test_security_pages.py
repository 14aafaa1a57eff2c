"""Pages outside the portal's own templates, in a real browser under the Content-Security-Policy: the error
pages, the lockout page, the API's pages and the third-party admin pages. The ``page`` fixture fails a test on
any CSP violation, console error, or page served without a policy."""

import pytest
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from devices.tests.factories import LocationFactory, RouteFactory

from .conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_error_pages_show_the_portals_navigation(page, live_server, log_in, driver, error_pages, request):
    error_pages.update({403, 404})
    log_in(page, driver, next_url="/routes/")

    page.goto(f"{live_server.url}/routes/{RouteFactory().pk}/")
    assert "Page not found" in page.inner_text("main")
    assert page.locator("#portal-nav a", has_text="Routes").count() == 1
    snapshot(page, request, "404")

    page.goto(f"{live_server.url}/dashboard/")
    assert "You don’t have access to this page" in page.inner_text("main")

    page.click("main a.button-primary")
    page.wait_for_url(f"{live_server.url}/routes/")


def test_a_locked_out_login_shows_the_lockout_page(page, live_server, manager, settings, error_pages, request):
    error_pages.add(429)
    page.goto(f"{live_server.url}/login/")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        page.fill("#id_username", manager.username)
        page.fill("#id_password", f"guess-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()

    assert "Too many failed logins" in page.inner_text("main")
    snapshot(page, request, "locked-out")
    page.click("main a[href='/login/']")
    page.wait_for_selector("#id_username")


def test_the_api_docs_and_the_browsable_api_render(page, live_server, log_in, manager, refused_on_purpose, request):
    # ReDoc's footer shows its maker's logo from their CDN; the portal loads nothing from outside.
    refused_on_purpose.add("https://cdn.redoc.ly/redoc/logo-mini.svg")
    log_in(page, manager)

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag-section")
    snapshot(page, request, "swagger")

    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("redoc .api-content h1")
    snapshot(page, request, "redoc")

    page.goto(f"{live_server.url}/api/")
    page.wait_for_selector(".response-info")
    assert "/api/devices/" in page.inner_text(".response-info")


def test_the_celery_schedule_form_translates_the_crontab(page, live_server, log_in, portal_admin):
    crontab = CrontabSchedule.objects.create(minute="10", hour="0", timezone="America/Chicago")
    task = PeriodicTask.objects.create(
        name="nightly", task="metrics.tasks.request_metrics_recalculation", crontab=crontab
    )
    IntervalSchedule.objects.create(every=15, period=IntervalSchedule.MINUTES)
    log_in(page, portal_admin)

    page.goto(f"{live_server.url}/admin/django_celery_beat/periodictask/{task.pk}/change/")
    page.select_option("#id_crontab", str(crontab.pk))

    assert "Translation:" in page.inner_text(".field-crontab .help")
    assert page.locator(".field-crontab_translation").is_hidden()


def test_the_admin_export_page_selects_and_unselects_every_field(page, live_server, log_in, portal_admin):
    LocationFactory()
    log_in(page, portal_admin)

    page.goto(f"{live_server.url}/admin/devices/location/export/")
    toggle = page.locator("input.select-toggle")
    fields = page.locator(".selectable-field-export-row:visible input[type=checkbox]")
    assert fields.count() > 1
    toggle.uncheck()
    assert all(not box.is_checked() for box in fields.all())
    toggle.check()
    assert all(box.is_checked() for box in fields.all())

    page.goto(f"{live_server.url}/admin/devices/location/import/")
    page.wait_for_selector("input[type=file]")


def test_the_token_and_lockout_admins_render(page, live_server, log_in, portal_admin):
    log_in(page, portal_admin)

    for path in ("/admin/", "/admin/knox/authtoken/", "/admin/axes/accessattempt/", "/admin/auth/user/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_selector("#content")
