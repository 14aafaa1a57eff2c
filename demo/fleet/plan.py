"""The whole demo fleet decided in memory, from one seeded generator, before any row is written."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from demo.fleet.catalogue import ProductPlan, plan_products
from demo.fleet.draws import allocate
from demo.fleet.history import SaleTable, plan_sales
from demo.fleet.machines import CabinetPlan, DevicePlan, SlotTable, plan_devices, plan_slots
from demo.fleet.places import LocationPlan, RoutePlan, plan_locations, plan_routes
from demo.fleet.venues import VENUE_SHARES

MAX_DEVICES = 99_999
MAX_DAYS = 3_660


@dataclass(frozen=True)
class FleetPlan:
    """The whole demo fleet, decided but not yet written; objects refer to each other by list index."""

    start: datetime
    end: datetime
    products: list[ProductPlan]
    locations: list[LocationPlan]
    routes: list[RoutePlan]
    devices: list[DevicePlan]
    cabinets: list[CabinetPlan]
    slots: SlotTable
    sales: SaleTable


def plan_demo_fleet(*, devices: int, days: int, seed: int, end_date: date) -> FleetPlan:
    """Decide a fleet of ``devices`` machines with sales over the ``days`` local days before ``end_date``.

    The same arguments always give the same plan. Sales run from local midnight ``days`` days before ``end_date`` up to
    (not including) local midnight starting ``end_date``, in the operator's ``TIME_ZONE``.
    """
    if not 1 <= devices <= MAX_DEVICES:
        raise ValueError(f"devices must be between 1 and {MAX_DEVICES}.")
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}.")
    if seed < 0:
        raise ValueError("seed must not be negative.")
    rng = np.random.default_rng(seed)
    zone = timezone.get_default_timezone()
    first_day = end_date - timedelta(days=days)

    products = plan_products(rng)
    venue_of_device = allocate(rng, devices, VENUE_SHARES)
    locations, location_of_device = plan_locations(rng, venue_of_device)
    routes, route_of_device = plan_routes(rng, locations, location_of_device)
    device_plans, cabinets = plan_devices(rng, location_of_device, route_of_device)
    slots = plan_slots(rng, products, cabinets, venue_of_device)
    sales = plan_sales(rng, products, slots, venue_of_device, first_day, days, zone)
    return FleetPlan(
        start=datetime.combine(first_day, time.min, tzinfo=zone),
        end=datetime.combine(end_date, time.min, tzinfo=zone),
        products=products,
        locations=locations,
        routes=routes,
        devices=device_plans,
        cabinets=cabinets,
        slots=slots,
        sales=sales,
    )
