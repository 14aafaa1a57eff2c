"""Small fleets for the plan's API, page and browser tests: one route, its machines, their sales."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from devices.tests.factories import CabinetFactory, DeviceFactory, LocationFactory, RouteFactory
from planning.models import PlanningSettings
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.models import Sale
from sales.services import sales_recorded
from sales.tests.factories import local_datetime

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
