"""The plan API: a route's day as stops in driving order with their loads, for the roles that read routes.

The fleets built here (``daily_route``, ``three_stops_a_full_and_a_silent``, ``machine_on``) serve the
plan pages' tests too.
"""

import datetime as dt
import hashlib
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from devices.tests.factories import CabinetFactory, DeviceFactory, LocationFactory, RouteFactory
from planning.models import PlanningSettings
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.choices import DexImportStatus
from sales.models import DexImport, Sale
from sales.services import sales_recorded
from sales.tests.factories import local_datetime

pytestmark = pytest.mark.django_db

CAPACITY = 10
PRICE = Decimal("1.75")


def machine_on(route, products, quantities, *, sold_per_day=2, sold_until_days_ago=1, sales_days=28, **device):
    """A device of ``route`` with one slot a product (A1, A2, …; capacity 10) holding ``quantities``, and
    ``sold_per_day`` units of each product sold at noon on each of ``sales_days`` days ending
    ``sold_until_days_ago`` days before today (``record_sales`` writes the rollups)."""
    device = DeviceFactory(route=route, **device)
    planogram = PlanogramFactory(cabinet=CabinetFactory(device=device))
    for column, (product, quantity) in enumerate(zip(products, quantities, strict=True), start=1):
        PlanogramSlotFactory(
            planogram=planogram, position=f"A{column}", product=product, quantity=quantity, capacity=CAPACITY
        )
    today = timezone.localdate()
    Sale.objects.bulk_create(
        Sale(
            device=device,
            product=product,
            units=sold_per_day,
            cash_amount=PRICE * sold_per_day,
            sold_at=local_datetime(today - dt.timedelta(days=back)),
        )
        for back in range(sold_until_days_ago, sold_until_days_ago + sales_days)
        for product in products
        if sold_per_day
    )
    return device


def record_sales(*devices):
    """The rollups the forecast reads, and the planner's settings row, as a running portal has them."""
    sales_recorded(device_ids=[device.pk for device in devices])
    PlanningSettings.current()


def dex_read_now(device):
    """A DEX audit read just now: the machine still reports, whatever it sells."""
    now = timezone.now()
    DexImport.objects.create(
        file_name="audit.dex",
        raw_file=b"DXS",
        sha256=hashlib.sha256(f"{device.pk}{now}".encode()).hexdigest(),
        uploaded_at=now,
        device=device,
        read_at=now,
        status=DexImportStatus.RECORDED,
    )


def plan_products():
    """Four products at one price; Water comes in cases of 4."""
    return [
        ProductFactory(name="Cola", price=PRICE),
        ProductFactory(name="Water", price=PRICE, case_pack=4),
        ProductFactory(name="Chips", price=PRICE),
        ProductFactory(name="Gum", price=PRICE),
    ]


def daily_route(driver):
    """Route 101, driven every day, from a depot in the south-west corner of its machines."""
    return RouteFactory(
        driver=driver, number="101", name="Loop North", service_days=list(range(7)),
        depot_latitude="41.800000", depot_longitude="-87.700000",
    )  # fmt: skip


def three_stops_a_full_and_a_silent(route, products):
    """Three must-visit machines (three sold-out slots each, and a full A5 of Mints, which never sell) on a
    line east of the depot, not in asset order; a full one with nothing to gain on the day; and a silent
    one (no sale for two weeks)."""
    stops = {
        asset: machine_on(
            route, products, [0, 0, 0, 6], asset=asset, location=LocationFactory(latitude="41.800000", longitude=east)
        )
        for asset, east in [("C-3", "-87.670000"), ("A-1", "-87.690000"), ("B-2", "-87.680000")]
    }
    mints = ProductFactory(name="Mints", price=PRICE)
    for device in stops.values():
        planogram = device.cabinets.get().planogram
        PlanogramSlotFactory(planogram=planogram, position="A5", product=mints, quantity=CAPACITY, capacity=CAPACITY)
    full = machine_on(route, products, [CAPACITY] * 4, sold_per_day=0, asset="FULL")
    silent = machine_on(route, products, [5, 5, 5, 5], sold_until_days_ago=14, asset="SILENT")
    record_sales(*stops.values(), full, silent)
    return {"stops": stops, "full": full, "silent": silent}


@pytest.fixture
def products():
    return plan_products()


@pytest.fixture
def route(driver):
    return daily_route(driver)


@pytest.fixture
def day_plan(route, products):
    return three_stops_a_full_and_a_silent(route, products)


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
    dex_read_now(stopped)
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
