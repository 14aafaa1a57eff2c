"""The plan API: a route's day as stops in driving order with their loads, for the roles that read routes.

The fleets are ``plan_fleet``'s; the ``route``, ``products`` and ``day_plan`` fixtures are the conftest's.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from devices.tests.factories import RouteFactory
from planning.tests.plan_fleet import CAPACITY, machine_on, record_sales
from sales.tests.factories import dex_read, local_datetime

pytestmark = pytest.mark.django_db


def plan_url(route, **query):
    url = reverse("route-plan", args=[route.pk])
    return f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}" if query else url


def test_the_plan_lists_the_stops_in_driving_order_with_what_to_load(client_for, driver, route, products, day_plan):
    today = timezone.localdate()

    response = client_for(driver).get(plan_url(route))

    assert response.status_code == 200
    body = response.json()
    assert body["route"] == {
        "id": route.pk, "number": "101", "name": "Loop North", "driver": driver.pk, "driver_username": driver.username,
    }  # fmt: skip
    assert body["day"] == today.isoformat()
    assert body["next_service_day"] == (today + dt.timedelta(days=1)).isoformat()
    assert abs(dt.datetime.fromisoformat(body["generated_at"]) - timezone.now()) < dt.timedelta(minutes=1)
    # Out along the line from the depot and back: 3 km east at 41.8° N is about 2.49 km each way.
    assert [stop["asset"] for stop in body["stops"]] == ["A-1", "B-2", "C-3"]
    assert [stop["number"] for stop in body["stops"]] == [1, 2, 3]
    assert body["distance_km"] == pytest.approx(2 * 2.49, abs=0.1)

    first = body["stops"][0]
    device = day_plan["stops"]["A-1"]
    assert first["device"] == device.pk
    assert first["location"] == device.location.name
    assert (first["latitude"], first["longitude"]) == (41.8, -87.69)
    assert first["geo_uri"] == "geo:41.8,-87.69?q=41.8,-87.69(A-1)"
    assert first["must_visit"] is True and first["sold_out_slots"] == 3
    assert first["reason"] == "Must visit: 3 slots sold out."
    assert re.fullmatch(r"\d+\.\d{2}", first["value"])
    assert first["lost_units_if_waiting"] > 0

    slots = {slot["position"]: slot for slot in first["slots"]}
    assert list(slots) == ["A1", "A2", "A3", "A4", "A5"]
    cola, water = slots["A1"], slots["A2"]
    assert (cola["product_name"], cola["quantity"], cola["capacity"], cola["case_pack"]) == ("Cola", 0, 10, None)
    # Empty now and empty at arrival: the load fills it; Water comes in cases of 4, so two cases.
    assert (cola["expected_at_arrival"], cola["load"], cola["units_to_par"]) == (0.0, 10, 10)
    assert (water["load"], water["units_to_par"], water["case_pack"]) == (8, 10, 4)
    gum = slots["A4"]
    assert gum["units_to_par"] == CAPACITY - 6
    assert gum["load"] >= gum["units_to_par"]  # it sells before the driver arrives, never gains stock
    assert 0 <= gum["sell_out_probability"] <= 1 and cola["sell_out_probability"] == 1.0
    mints = slots["A5"]
    assert (mints["quantity"], mints["load"], mints["units_to_par"]) == (CAPACITY, 0, 0)
    assert first["load_units"] == sum(slot["load"] for slot in first["slots"])

    loaded = {}
    for stop in body["stops"]:
        for slot in stop["slots"]:
            loaded[slot["product"]] = loaded.get(slot["product"], 0) + slot["load"]
    assert body["warehouse"] == [
        {"product": product.pk, "name": product.name, "units": loaded[product.pk]}
        for product in sorted(products, key=lambda product: product.name)
    ]


def test_machines_with_nothing_to_gain_wait_and_silent_ones_go_to_the_office(client_for, manager, route, day_plan):
    body = client_for(manager).get(plan_url(route)).json()

    assert [machine["asset"] for machine in body["skipped"]] == ["FULL"]
    assert body["skipped"][0]["device"] == day_plan["full"].pk
    assert body["skipped"][0]["value"] == "0.00"
    silent = day_plan["silent"]
    last_sale = local_datetime(timezone.localdate() - dt.timedelta(days=14))
    (flagged,) = body["attention"]
    assert dt.datetime.fromisoformat(flagged.pop("last_sale_at")) == last_sale
    assert flagged == {"device": silent.pk, "asset": "SILENT", "location": silent.location.name, "status": "silent"}
    assert "SILENT" not in [stop["asset"] for stop in body["stops"]]


def test_a_machine_that_reports_but_stopped_selling_is_flagged_not_selling(client_for, manager, route, products):
    # Ten of each a day for six weeks, none yesterday, and its DEX reads still arrive.
    stopped = machine_on(route, products, [5, 5, 5, 5], sold_per_day=10, sales_days=42, sold_until_days_ago=2)
    dex_read(stopped, timezone.now())
    record_sales(stopped)

    body = client_for(manager).get(plan_url(route)).json()

    assert [(machine["asset"], machine["status"]) for machine in body["attention"]] == [(stopped.asset, "not selling")]
    assert body["stops"] == []


@pytest.mark.parametrize(
    ("service_days_from_today", "planned_in", "next_in"),
    [
        ([0, 3], 0, 3),  # driven today: today, and waiting means until the next one
        ([2], 2, 9),  # not today: the next service day, then a week on
        ([], 0, 7),  # not driven at present: today, against a week's wait
    ],
)
def test_the_day_defaults_to_the_next_service_day_on_or_after_today(
    client_for, manager, service_days_from_today, planned_in, next_in
):
    today = timezone.localdate()
    route = RouteFactory(service_days=[(today.weekday() + days) % 7 for days in service_days_from_today])

    body = client_for(manager).get(plan_url(route)).json()

    assert body["day"] == (today + dt.timedelta(days=planned_in)).isoformat()
    assert body["next_service_day"] == (today + dt.timedelta(days=next_in)).isoformat()


def test_a_day_within_the_forecast_can_be_asked_for(client_for, manager, route):
    last = timezone.localdate() + dt.timedelta(days=14)

    response = client_for(manager).get(plan_url(route, date=last.isoformat()))

    assert response.status_code == 200
    assert response.json()["day"] == last.isoformat()


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2026-02-30", "Date has wrong format"),
        ("tomorrow", "Date has wrong format"),
        ("past", "or a later day: past days are not planned."),
        ("too far", "Plans reach 14 days ahead: give a day up to"),
    ],
)
def test_a_bad_day_is_refused_with_a_field_message(client_for, manager, route, date, message):
    today = timezone.localdate()
    date = {"past": today - dt.timedelta(days=1), "too far": today + dt.timedelta(days=15)}.get(date, date)

    response = client_for(manager).get(plan_url(route, date=date))

    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    assert message in response.json()["date"][0]


def test_a_driver_reads_only_their_own_routes_plan(client_for, driver, route):
    foreign = RouteFactory(driver=UserFactory())
    client = client_for(driver)

    assert client.get(plan_url(route)).status_code == 200
    assert client.get(plan_url(foreign)).status_code == 404
    # The route is looked up first: a bad day on another's route says nothing about it either.
    assert client.get(plan_url(foreign, date="nonsense")).status_code == 404


def test_a_viewer_reads_any_plan_and_an_anonymous_caller_none(api_client, client_for, viewer, route):
    assert client_for(viewer).get(plan_url(route)).status_code == 200
    assert api_client.get(plan_url(route)).status_code == 401


@pytest.mark.parametrize("devices", [3, 12])
def test_the_plan_runs_a_fixed_number_of_queries(
    client_for, driver, route, products, devices, django_assert_max_num_queries
):
    fleet = [machine_on(route, products, [0, 0, 0, 1 + n % 5]) for n in range(devices)]
    record_sales(*fleet)
    client = client_for(driver)

    # The user's two permission sets, the route, the settings, then the plan's reads: daily sales, slots,
    # first sales, emptying movements, last sales, last DEX reads, the route's slots and its devices.
    with django_assert_max_num_queries(12):
        response = client.get(plan_url(route))
    assert len(response.json()["stops"]) == devices
