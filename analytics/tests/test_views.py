"""The analytics pages on the server: who may open them, how bad parameters answer, their figures and query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from analytics.asset_sales import asset_sales_report
from devices.choices import VenueType
from devices.filtersets import DeviceFilterSet
from devices.models import Device
from devices.tests.factories import DeviceFactory, LocationFactory, RouteFactory
from metrics.services.engine import recalculate_metrics
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import sale_on

DASHBOARD = reverse("analytics:dashboard")
END = timezone.localdate() - dt.timedelta(days=1)
START = END - dt.timedelta(days=13)
RANGE = {"start_date": START.isoformat(), "end_date": END.isoformat()}


def device_url(device):
    return reverse("analytics:device", args=[device.pk])


def build_fleet(size: int, *, route=None) -> list[Device]:
    """``size`` devices, each with a planogram of two slots and sales on several days of both periods."""
    product = ProductFactory()
    devices = []
    for n in range(size):
        venue = VenueType.OFFICE if n % 2 else VenueType.SCHOOL
        device = DeviceFactory(location=LocationFactory(venue_type=venue), route=route or RouteFactory())
        planogram = PlanogramFactory(cabinet__device=device)
        PlanogramSlotFactory(planogram=planogram, position="A1", product=product)
        PlanogramSlotFactory(planogram=planogram, position="A2", product=ProductFactory(), quantity=0)
        # The previous period is the 14 days before START; sell in both, more the busier the device.
        for offset in range(0, 28, 3):
            day = END - dt.timedelta(days=offset)
            sale_on(device, product, day, hour=10 + offset % 8, units=1 + n, cash=Decimal("1.50") * (1 + n))
        devices.append(device)
    sales_rollups_rebuild()
    recalculate_metrics()
    return devices


@pytest.fixture
def fleet(db):
    return build_fleet(4)


# --- Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [DASHBOARD, "/dashboard/devices/1/", "/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('login')}?next=")


def test_home_sends_sales_readers_to_the_dashboard_and_drivers_to_their_routes(client, manager, driver):
    client.force_login(manager)
    assert client.get("/")["Location"] == DASHBOARD
    client.force_login(driver)
    assert client.get("/")["Location"] == "/routes/"


def test_a_driver_may_not_open_the_dashboard(client, driver, fleet):
    client.force_login(driver)
    assert client.get(DASHBOARD).status_code == 403


def test_a_driver_sees_their_own_device_without_sales_and_no_other_device(client, driver, fleet):
    own = build_fleet(1, route=RouteFactory(driver=driver))[0]
    client.force_login(driver)
    response = client.get(device_url(own))
    assert response.status_code == 200
    assert "analysis" not in response.context
    assert b"Cabinets and slots" in response.content
    assert client.get(device_url(fleet[0])).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "manager"])
def test_viewers_and_managers_read_the_dashboard_and_any_device(client, request, role, fleet):
    client.force_login(request.getfixturevalue(role))
    assert client.get(DASHBOARD, RANGE).status_code == 200
    response = client.get(device_url(fleet[0]), RANGE)
    assert response.status_code == 200
    assert response.context["analysis"]["volume"]["daily"][-1]["date"] == END


def test_the_navigation_follows_the_role(client, viewer, driver):
    client.force_login(viewer)
    html = client.get(DASHBOARD).content.decode()
    assert f'href="{DASHBOARD}"' in html
    assert 'href="/admin/"' in html
    assert 'href="/api/docs/"' in html
    assert 'action="/logout/"' in html
    client.force_login(driver)
    html = client.get("/login/", follow=True).content.decode()
    assert f'href="{DASHBOARD}"' not in html
    assert 'href="/admin/"' not in html


def test_logging_in_and_out_through_the_portal_pages(client, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "portal-pass-123"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get(DASHBOARD).status_code == 302


def test_a_wrong_password_shows_an_error_on_the_login_page(client, manager):
    response = client.post(reverse("login"), {"username": "manager", "password": "wrong"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


# --- Parameters ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"start_date": "soon"}, "start_date", "Enter a valid date."),
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date", "The end date is before the start date."),
        ({"start_date": "2024-01-01", "end_date": "2026-01-01"}, "end_date", "A range covers at most 366 days"),
        ({"end_date": "0001-01-02"}, "end_date", "The range falls outside the calendar."),
        ({"location": "999999"}, "location", "Unknown id(s): 999999."),
        ({"venue_type": "moon"}, "venue_type", "Select a valid choice."),
        ({"sort": "password"}, "sort", "Select a valid choice."),
        ({"page": "0"}, "page", "greater than or equal to 1"),
        ({"page": "99"}, "page", "Page 99 is past the last page, 1."),
        ({"asset": "x" * 51}, "asset", "at most 50 characters"),
    ],
)
def test_bad_parameters_show_field_errors(client, manager, fleet, params, field, message):
    client.force_login(manager)
    response = client.get(DASHBOARD, params)
    assert response.status_code == 400
    # The range, sort and page are the page's form; the device filters DeviceFilterSet's.
    errors = {**response.context["form"].errors, **response.context["filterset"].errors}
    assert any(message in error for error in errors[field])
    assert message.encode() in response.content


def test_a_viewer_may_filter_by_any_route_and_a_driver_only_by_their_own(client, viewer, driver, fleet):
    # The route choices are the routes the user may see, like every other read (DeviceFilterSet's rule).
    own = build_fleet(1, route=RouteFactory(driver=driver))[0]
    client.force_login(viewer)
    response = client.get(DASHBOARD, {**RANGE, "route": fleet[0].route_id})
    assert [row["device_id"] for row in response.context["table_page"]] == [fleet[0].pk]

    request = RequestFactory().get(DASHBOARD)
    request.user = driver
    other = DeviceFilterSet({"route": fleet[0].route_id}, queryset=Device.objects.all(), request=request)
    assert other.errors["route"] == [f"Unknown id(s): {fleet[0].route_id}."]
    mine = DeviceFilterSet({"route": own.route_id}, queryset=Device.objects.all(), request=request)
    assert list(mine.qs) == [own]


def test_bad_dates_on_the_device_page_show_field_errors(client, manager, fleet):
    client.force_login(manager)
    response = client.get(device_url(fleet[0]), {"start_date": "2026-02-30"})
    assert response.status_code == 400
    assert "Enter a valid date." in response.context["form"].errors["start_date"]


def test_the_range_defaults_to_the_last_30_days_and_the_inputs_show_it(client, manager, fleet):
    client.force_login(manager)
    response = client.get(DASHBOARD)
    period = response.context["report"]["time_period"]
    assert (period["start"], period["end"], period["days"]) == (END - dt.timedelta(days=29), END, 30)
    assert f'value="{END.isoformat()}"'.encode() in response.content


# --- Figures -------------------------------------------------------------------------------------------


def test_the_dashboard_shows_the_reports_figures(client, manager, fleet):
    client.force_login(manager)
    response = client.get(DASHBOARD, RANGE)
    expected = asset_sales_report(devices=Device.objects.all(), start=START, end=END, page_size=100)
    context = response.context
    assert len(expected["devices"]) == len(fleet)
    assert context["report"]["fleet_summary"] == expected["fleet_summary"]
    assert context["report"]["benchmarks"] == expected["benchmarks"]
    assert [row["device_id"] for row in context["table_page"]] == [row["device_id"] for row in expected["devices"]]
    kpis = {card["key"]: card for card in context["kpis"]}
    assert kpis["revenue"]["value"] == expected["fleet_summary"]["total_fleet_revenue"]
    assert kpis["units"]["value"] == sum(row["total_units"] for row in expected["devices"])
    assert kpis["transactions"]["value"] == sum(row["total_transactions"] for row in expected["devices"])
    assert kpis["median_device_revenue"]["value"] == expected["fleet_summary"]["median_device_revenue"]
    previous = asset_sales_report(
        devices=Device.objects.all(), start=START - dt.timedelta(days=14), end=START - dt.timedelta(days=1)
    )
    assert kpis["revenue"]["previous"] == previous["fleet_summary"]["total_fleet_revenue"]
    assert kpis["active_devices"]["previous"] == previous["fleet_summary"]["active_devices"]
    assert len(context["map"]["points"]) == len(fleet)
    trend = context["charts"]["trend"]
    assert len(trend) == 14
    assert sum(Decimal(str(day["revenue"])) for day in trend) == expected["fleet_summary"]["total_fleet_revenue"]


def test_a_filter_narrows_the_kpis_and_the_table(client, manager, fleet):
    client.force_login(manager)
    response = client.get(DASHBOARD, {**RANGE, "venue_type": VenueType.OFFICE})
    shown = {row["device_id"] for row in response.context["table_page"]}
    assert shown == {device.pk for device in fleet if device.location.venue_type == VenueType.OFFICE}
    expected = asset_sales_report(
        devices=Device.objects.filter(location__venue_type=VenueType.OFFICE), start=START, end=END
    )
    assert response.context["kpis"][0]["value"] == expected["fleet_summary"]["total_fleet_revenue"]
    export = response.context["exports"][0]["url"]
    assert export.startswith(reverse("asset-sales-export"))
    assert "venue_type=office" in export
    assert "format=csv" in export


def test_the_table_sorts_by_a_column_and_keeps_the_filters_in_its_links(client, manager, fleet):
    client.force_login(manager)
    response = client.get(DASHBOARD, {**RANGE, "sort": "-total_revenue"})
    revenues = [row["total_revenue"] for row in response.context["table_page"]]
    assert len(revenues) == len(fleet)
    assert revenues == sorted(revenues, reverse=True)
    column = next(c for c in response.context["columns"] if c["field"] == "total_revenue")
    assert column["state"] == "descending"
    assert "sort=total_revenue" in column["url"]
    assert f"start_date={START.isoformat()}" in column["url"]


def test_asset_sales_report_sorts_the_page_by_order_by_and_keeps_rank_order_on_ties(fleet):
    report = asset_sales_report(devices=Device.objects.all(), start=START, end=END, order_by="asset", page_size=2)
    assets = sorted(device.asset for device in fleet)
    assert [row["asset"] for row in report["devices"]] == assets[:2]
    report = asset_sales_report(devices=Device.objects.all(), start=START, end=END, order_by="-route")
    assert [row["route"] for row in report["devices"]] == sorted((d.route.number for d in fleet), reverse=True)


def test_the_table_pages_through_a_large_fleet(client, manager, db):
    build_fleet(27)
    client.force_login(manager)
    first = client.get(DASHBOARD, RANGE)
    assert len(first.context["table_page"]) == 25
    second = client.get(DASHBOARD, {**RANGE, "page": 2})
    assert [row["fleet_rank"] for row in second.context["table_page"]] == [26, 27]
    assert "page=2" in first.context["page_links"]["next"]


def test_the_device_page_shows_its_analysis_top_products_and_slots(client, manager, fleet):
    client.force_login(manager)
    device = fleet[-1]
    response = client.get(device_url(device), RANGE)
    daily = response.context["analysis"]["volume"]["daily"]
    assert len(daily) == 14
    assert response.context["totals"]["units"] == sum(day["units"] for day in daily) > 0
    assert [product["units"] for product in response.context["top_products"]] == [response.context["totals"]["units"]]
    cabinets = list(response.context["cabinets"])
    assert [slot.position for slot in cabinets[0].planogram.slots.all()] == ["A1", "A2"]
    assert b"Sold out" in response.content  # slot A2 is empty
    assert len(response.context["charts"]["hours"]) == 24


def test_an_empty_fleet_shows_an_empty_dashboard(client, manager):
    client.force_login(manager)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert b"No device matches these filters." in response.content
    assert response.context["map"]["points"] == []


def test_the_pages_load_nothing_from_another_site(client, manager, fleet, settings):
    client.force_login(manager)
    for url in (DASHBOARD, device_url(fleet[0])):
        html = client.get(url).content.decode()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), url
        assert "vendor/chart.js/chart.umd.min.js" in html
    assert settings.MAP_TILE_URL == ""


# --- Query counts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 12])
def test_the_dashboard_reads_a_fixed_number_of_queries(client, manager, django_assert_max_num_queries, size):
    build_fleet(size)
    client.force_login(manager)
    filters = {**RANGE, "location": Device.objects.first().location_id, "asset": "A"}
    with django_assert_max_num_queries(14):
        assert client.get(DASHBOARD, RANGE).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(DASHBOARD, filters).status_code == 200


@pytest.mark.parametrize("size", [3, 12])
def test_the_device_page_reads_a_fixed_number_of_queries(client, manager, django_assert_max_num_queries, size):
    devices = build_fleet(size)
    client.force_login(manager)
    with django_assert_max_num_queries(10):
        assert client.get(device_url(devices[-1]), RANGE).status_code == 200
