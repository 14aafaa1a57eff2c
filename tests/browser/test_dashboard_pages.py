"""The portal in a real browser: login, the asset sales dashboard and the device page, at phone and desktop widths."""

import csv
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.asset_sales import asset_sales_report
from analytics.exports import HEADERS
from analytics.score_bands import SCORE_BANDS, score_band
from analytics.tests.test_views import END, RANGE, START, build_fleet
from devices.models import Device
from devices.tests.factories import DeviceFactory, LocationFactory, RouteFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import SaleFactory

from .conftest import snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shown_money(value) -> str:
    return f"${value:,.2f}"


def kpi(page, key) -> str:
    return page.inner_text(f"#kpi-{key} .kpi-value")


def table_assets(page) -> list[str]:
    return page.locator("#device-table tbody td.asset").all_inner_texts()


def fleet_revenue(start, end, **filters) -> Decimal:
    report = asset_sales_report(devices=Device.objects.filter(**filters), start=start, end=end, include=frozenset())
    return report["fleet_summary"]["total_fleet_revenue"]


def test_a_manager_logs_in_then_changes_the_range_a_filter_and_the_sort(page, live_server, log_in, manager, request):
    build_fleet(4)
    page.goto(f"{live_server.url}/login/")
    snapshot(page, request, "login")
    log_in(page, manager)
    assert page.url == f"{live_server.url}/dashboard/"
    snapshot(page, request, "dashboard-default")

    week_start = END - dt.timedelta(days=6)
    page.fill("#id_start_date", week_start.isoformat())
    page.fill("#id_end_date", END.isoformat())
    page.click("#dashboard-controls button[type=submit]")
    page.wait_for_load_state()
    assert kpi(page, "revenue") == shown_money(fleet_revenue(week_start, END))
    assert len(table_assets(page)) == 4

    page.select_option("#id_venue_type", "office")
    page.click("#dashboard-controls button[type=submit]")
    page.wait_for_load_state()
    offices = Device.objects.filter(location__venue_type="office")
    assert sorted(table_assets(page)) == sorted(offices.values_list("asset", flat=True))
    assert kpi(page, "revenue") == shown_money(fleet_revenue(week_start, END, location__venue_type="office"))

    page.select_option("#id_venue_type", "")
    page.click("#dashboard-controls button[type=submit]")
    page.wait_for_load_state()
    page.click("#device-table th[data-field=total_revenue] a")
    page.wait_for_load_state()
    assert page.get_attribute("#device-table th[data-field=total_revenue]", "aria-sort") == "descending"
    revenues = [
        Decimal(text.strip("$").replace(",", ""))
        for text in page.locator("#device-table td[data-column=total_revenue]").all_inner_texts()
    ]
    assert len(revenues) == 4
    assert revenues == sorted(revenues, reverse=True)


def test_the_csv_export_matches_the_api(page, live_server, log_in, manager):
    build_fleet(3)
    log_in(page, manager)
    query = f"start_date={RANGE['start_date']}&end_date={RANGE['end_date']}"
    page.goto(f"{live_server.url}/dashboard/?{query}")
    with page.expect_download() as download:
        page.click("#export-csv")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.reader(file))
    assert rows[0] == HEADERS
    assert len(rows) == 4

    best = page.request.get(f"{live_server.url}/api/analytics/asset-sales?{query}").json()["devices"][0]
    first = dict(zip(HEADERS, rows[1], strict=True))
    assert first["Asset ID"] == best["asset"]
    assert first["Total Revenue"] == best["total_revenue"]
    assert first["Total Units"] == str(best["total_units"])
    assert first["Fleet Rank"] == "1"
    assert first["Performance Score"] == f"{best['performance_score']:.2f}"


def test_a_device_opens_from_the_table_with_its_forecast_chart_drawn(page, live_server, log_in, manager, request):
    devices = build_fleet(2)
    # Three weeks of daily sales: enough history for the 30-day forecast band.
    busy = devices[0]
    for offset in range(21):
        sold_at = timezone.make_aware(dt.datetime.combine(END - dt.timedelta(days=offset), dt.time(9)))
        SaleFactory(device=busy, units=2, cash_amount=Decimal("3.00") + offset % 7, sold_at=sold_at)
    sales_rollups_rebuild()
    log_in(page, manager)
    page.goto(f"{live_server.url}/dashboard/?start_date={(END - dt.timedelta(days=20)).isoformat()}&end_date={END}")
    page.locator(f"#device-table tr[data-device-id='{busy.pk}'] td.num").first.click()
    page.wait_for_selector("#chart-device-trend[data-drawn=true]")
    assert page.url.endswith(f"/dashboard/devices/{busy.pk}/")
    datasets = page.evaluate(
        "() => Chart.getChart('chart-device-trend').data.datasets.map("
        "d => ({label: d.label, values: d.data.filter(v => v !== null).length}))"
    )
    counts = {dataset["label"]: dataset["values"] for dataset in datasets}
    assert counts["Revenue"] == 30  # the default range: the last 30 days
    assert counts["Forecast"] == counts["Forecast low"] == counts["Forecast high"] == 30
    assert page.locator("#chart-weekdays[data-drawn=true]").count() == 1
    assert page.locator("#chart-hours[data-drawn=true]").count() == 1
    assert page.locator("#cabinet-1 table.slots tbody tr").count() == 2


def test_the_map_shows_one_marker_per_device_with_coordinates(page, live_server, log_in, viewer, request):
    fleet = build_fleet(4)
    DeviceFactory(location=LocationFactory(latitude=None, longitude=None), route=RouteFactory())
    log_in(page, viewer)
    page.goto(f"{live_server.url}/dashboard/?start_date={START}&end_date={END}")
    markers = page.locator("#device-map path.device-marker")
    assert markers.count() == len(fleet)
    # No tile server configured: a plain background, nothing requested from outside.
    assert page.locator("#device-map .leaflet-tile").count() == 0
    page.locator("#device-map").scroll_into_view_if_needed()
    markers.first.dispatch_event("click")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert any(device.asset in popup.inner_text() for device in fleet)
    assert "View device" in popup.inner_text()


def test_the_score_chart_and_the_map_colour_by_the_servers_bands(page, live_server, log_in, manager):
    build_fleet(4)
    log_in(page, manager)
    page.goto(f"{live_server.url}/dashboard/?start_date={START}&end_date={END}")
    page.wait_for_selector("#chart-scores[data-drawn=true]")

    chart = page.evaluate(
        "() => { const chart = Chart.getChart('chart-scores');"
        " return {labels: chart.data.labels, colours: chart.data.datasets[0].backgroundColor}; }"
    )
    assert chart == {"labels": [band.label for band in SCORE_BANDS], "colours": [band.colour for band in SCORE_BANDS]}
    report = asset_sales_report(devices=Device.objects.all(), start=START, end=END, include=frozenset())
    fills = page.eval_on_selector_all(
        "#device-map path.device-marker", "paths => paths.map(p => p.getAttribute('fill'))"
    )
    assert sorted(fills) == sorted(score_band(row["performance_score"]).colour for row in report["devices"])
    assert len(set(fills)) > 1  # the fleet's scores spread over several bands


def test_a_driver_opens_their_own_device_without_sales(page, live_server, log_in, driver, viewport, request):
    own = build_fleet(1, route=RouteFactory(driver=driver))[0]
    log_in(page, driver, next_url=f"/dashboard/devices/{own.pk}/")
    assert page.url.endswith(f"/dashboard/devices/{own.pk}/")
    assert page.locator("#chart-device-trend").count() == 0
    assert page.locator("#cabinet-1").is_visible()
    if viewport == "phone":
        assert not page.locator("#portal-nav").is_visible()
        page.click(".nav-toggle")
    assert page.locator("#portal-nav a", has_text="Dashboard").count() == 0
    assert page.locator("#portal-nav a", has_text="Routes").is_visible()
