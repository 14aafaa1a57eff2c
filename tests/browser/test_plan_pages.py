"""The driver's plan in a real browser on a 390 px phone: stops in order, a machine's load unfolded, no
sideways scroll.

The browser, page and log-in fixtures are the browser tests' own (``conftest.py`` here).
"""

import pytest

from planning.tests.plan_fleet import daily_route, plan_products, three_stops_a_full_and_a_silent

from .conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A common phone's width in CSS pixels (iPhone 12 to 15), a little wider than the shared "phone" size.
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def viewport():
    """Only the phone: this page is the driver's, read in the van."""
    return "phone"


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_driver_follows_todays_plan_on_a_phone(page, live_server, log_in, driver, request):
    route = daily_route(driver)
    fleet = three_stops_a_full_and_a_silent(route, plan_products())
    page.set_viewport_size(PHONE)
    log_in(page, driver, next_url="/routes/")

    page.click(".route-plan-link")
    page.wait_for_selector("#plan-stops")
    assert page.url == f"{live_server.url}/routes/{route.pk}/plan/"
    assert page.locator(".stop-number").all_inner_texts() == ["1", "2", "3"]
    assert page.locator("#plan-stops .device-asset").all_inner_texts() == ["A-1", "B-2", "C-3"]
    assert page.inner_text("#plan-progress").startswith("Serviced 0 of 3")
    assert "SILENT" in page.inner_text("#plan-attention")
    assert fits_the_width(page)

    second = page.locator(f".plan-stop[data-device='{fleet['stops']['B-2'].pk}']")
    table = second.locator(".slot-table")
    assert not table.is_visible()
    second.locator("details > summary").click()
    assert table.is_visible()
    headers = table.locator("thead th").all_text_contents()
    assert headers == ["Slot", "Product", "Load (plan)", "To par (spec UTP)"]
    assert table.locator("tbody th").all_inner_texts()[:3] == ["A1", "A2", "A3"]
    snapshot(page, request, "load-open")
    assert fits_the_width(page)

    page.click("#plan-prekit")
    page.wait_for_selector("#warehouse-totals")
    assert page.locator(".prekit-bag .device-asset").all_inner_texts() == ["A-1", "B-2", "C-3"]
    assert fits_the_width(page)
