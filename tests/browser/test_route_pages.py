"""The driver's route pages in a real browser, at desktop and phone sizes."""

import pytest

from accounts.tests.factories import UserFactory
from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from metrics.models import UrgencyThresholds
from metrics.services.engine import recalculate_metrics
from metrics.tests.oracle import summed_units_to_par
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fleet(driver):
    """The driver's route of three devices (critical, warning, good) with two cabinets each, and another's route.

    With no sales a slot's DRI is its quantity × 10 days; the thresholds make 1 unit critical and 3 a warning.
    """
    UrgencyThresholds.objects.update_or_create(pk=1, defaults={"critical_days": 20, "warning_days": 40, "ok_days": 60})
    products = [
        ProductFactory(name="Cola", category="Drinks"),
        ProductFactory(name="Water", category="Drinks"),
        ProductFactory(name="Chips", category="Snacks"),
    ]
    own = RouteFactory(driver=driver, number="101", name="Loop North")
    foreign = RouteFactory(driver=UserFactory(), number="202", name="Loop South")
    devices = {}
    for route, asset, quantities in [
        (own, "CRIT-1", [1, 6, 9]),
        (own, "WARN-1", [3, 0, 10]),
        (own, "GOOD-1", [8, 9, 10]),
        (foreign, "SOUTH-1", [1, 1, 1]),
    ]:
        devices[asset] = device = DeviceFactory(route=route, asset=asset)
        for index in (1, 2):
            planogram = PlanogramFactory(cabinet=CabinetFactory(device=device, index=index))
            for column, (product, quantity) in enumerate(zip(products, quantities, strict=True), start=1):
                PlanogramSlotFactory(
                    planogram=planogram, position=f"A{column}", product=product, quantity=quantity, capacity=10
                )
    recalculate_metrics()
    return {"own": own, "foreign": foreign, "devices": devices}


def shown_pick_list(page) -> dict[str, int]:
    rows = page.eval_on_selector_all(
        "#pick-list-table tbody tr", "rows => rows.map(r => [r.cells[0].innerText, r.cells[2].innerText])"
    )
    return {name: int(units) for name, units in rows}


def test_a_driver_sees_only_their_routes_and_builds_a_pick_list(page, live_server, log_in, driver, fleet):
    log_in(page, driver, next_url="/routes/")
    assert page.url == f"{live_server.url}/routes/"

    cards = page.locator(".route-card")
    assert cards.count() == 1
    card = cards.first.inner_text()
    assert "Loop North" in card and "1 critical" in card and "1 warning" in card and "3 devices" in card
    assert "Loop South" not in page.content()

    cards.first.click()
    page.wait_for_selector("#pick-list-table")
    assert page.eval_on_selector_all(".device .device-asset", "els => els.map(e => e.innerText)") == [
        "CRIT-1",
        "WARN-1",
        "GOOD-1",
    ]
    assert "Metrics calculated" in page.inner_text("#metrics-age")
    devices = fleet["devices"]
    # The critical device is chosen to begin with.
    assert shown_pick_list(page) == summed_units_to_par([devices["CRIT-1"]], by="product__name")

    page.check(f"input[name=devices][value='{devices['WARN-1'].pk}']")
    # A locator wait, not wait_for_function: Playwright evaluates that predicate with eval(), which the CSP refuses.
    page.locator(".pick-list-devices", has_text="WARN-1").wait_for()
    expected = summed_units_to_par([devices["CRIT-1"], devices["WARN-1"]], by="product__name")
    assert shown_pick_list(page) == expected
    assert int(page.inner_text("#pick-list-total")) == sum(expected.values())
    assert f"devices={devices['WARN-1'].pk}" in page.url  # a reload keeps the choice

    page.click(f".device[data-device='{devices['WARN-1'].pk}'] .cabinets > summary")
    assert page.locator(f".device[data-device='{devices['WARN-1'].pk}'] .route-cabinet").count() == 2

    with page.expect_download() as download:
        page.click("#pick-list-pdf")
    assert download.value.suggested_filename.startswith("pick-list_route-101_")
    # Asked with the page's session but outside the page, whose console would log the 404 as an error.
    assert page.request.get(f"{live_server.url}/routes/{fleet['foreign'].pk}/").status == 404


def test_a_driver_refreshes_the_metrics_and_marks_a_cabinet_serviced(page, live_server, log_in, driver, fleet):
    log_in(page, driver)
    page.goto(f"{live_server.url}/routes/{fleet['own'].pk}/")
    page.click("#refresh-metrics")
    page.wait_for_selector(".messages")
    assert "Recalculated the metrics of 3 devices." in page.inner_text(".messages")
    assert "Metrics calculated" in page.inner_text("#metrics-age")

    critical = fleet["devices"]["CRIT-1"]
    cabinet = critical.cabinets.get(index=1)
    page.click(f".device[data-device='{critical.pk}'] .cabinets > summary")
    page.click(f"button[data-cabinet='{cabinet.pk}']")
    page.wait_for_selector(".messages")
    assert "Cabinet 1 of CRIT-1 marked serviced" in page.inner_text(".messages")
    # Only its second cabinet is left to load.
    assert shown_pick_list(page) == summed_units_to_par([critical], by="product__name")
