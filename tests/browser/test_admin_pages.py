"""The admin, the portal's database viewer, in a real browser."""

import pytest

from metrics.models import MetricsRun
from planograms.tests.factories import PlanogramSlotFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_logs_in_and_calculates_all_metrics(page, live_server, log_in, manager):
    PlanogramSlotFactory()
    log_in(page, manager)
    page.goto(f"{live_server.url}/admin/metrics/metricsrun/")
    assert page.inner_text("#last-calc-time") == "Never"

    page.click("#calculate-all-metrics")
    page.wait_for_selector(".messagelist .success")
    assert "Calculated metrics for 1 devices and 1 slots." in page.inner_text(".messagelist")
    assert page.inner_text("#last-calc-time") != "Never"
    assert MetricsRun.objects.get().devices_processed == 1


def test_the_planogram_page_shows_slots_in_grid_order_with_their_metrics(page, live_server, log_in, manager):
    from metrics.services.engine import recalculate_metrics
    from planograms.tests.factories import PlanogramFactory

    planogram = PlanogramFactory()
    for position in ("B1", "A2", "A1"):
        PlanogramSlotFactory(planogram=planogram, position=position, quantity=0, capacity=5, par_level=5)
    recalculate_metrics()
    log_in(page, manager)
    page.goto(f"{live_server.url}/admin/planograms/planogram/{planogram.pk}/change/")
    positions = page.eval_on_selector_all(
        "#slots-group tbody tr.form-row:not(.empty-form) td.field-position input", "inputs => inputs.map(i => i.value)"
    )
    assert positions == ["A1", "A2", "B1"]
    assert page.locator("#slots-group td.field-sold_out img[alt=True]").count() == 3
