"""Writing a plan: rows with ``bulk_create``, sales with PostgreSQL's ``COPY``; finding and flushing a demo fleet."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from time import perf_counter

import numpy as np
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts import roles
from demo.fleet.history import SaleTable
from demo.fleet.keys import DEMO_PREFIX
from demo.fleet.machines import CABINET_TYPES, DEVICE_TYPES
from demo.fleet.places import RoutePlan
from demo.fleet.plan import FleetPlan, plan_demo_fleet
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from planograms.models import Planogram, PlanogramSlot, Product
from sales.models import Sale
from sales.services import sales_recorded

# Sales are formatted and sent this many rows at a time, bounding memory for millions of rows.
SALES_CHUNK = 500_000


@dataclass(frozen=True)
class DemoFleetSummary:
    """What a build wrote (row counts by kind), what it flushed first, and how long it took."""

    counts: dict[str, int]
    flushed: int
    start: datetime
    end: datetime
    elapsed_seconds: float


class DemoFleetExistsError(Exception):
    """A demo fleet is already loaded and the build was not asked to flush it."""


def demo_fleet_exists() -> bool:
    """Whether rows of a demo fleet are in the database."""
    return (
        Device.all_objects.filter(asset__startswith=DEMO_PREFIX).exists()
        or Route.objects.filter(number__startswith=DEMO_PREFIX).exists()
        or Product.objects.filter(sku__startswith=DEMO_PREFIX).exists()
    )


@transaction.atomic
def flush_demo_fleet() -> int:
    """Delete the demo fleet: its sales, devices (with cabinets, planograms, slots, metrics), sites, routes and
    products. Driver accounts stay. Returns the number of rows deleted."""
    devices = Device.all_objects.filter(asset__startswith=DEMO_PREFIX)
    location_ids = list(devices.exclude(location=None).values_list("location_id", flat=True).distinct())
    deleted = Sale.objects.filter(device__in=devices).delete()[0]
    deleted += devices.delete()[0]
    # A site someone has since put a real device on stays.
    deleted += Location.objects.filter(pk__in=location_ids, devices__isnull=True).delete()[0]
    deleted += Route.objects.filter(number__startswith=DEMO_PREFIX).delete()[0]
    deleted += Product.objects.filter(sku__startswith=DEMO_PREFIX).delete()[0]
    return deleted


def build_demo_fleet(
    *, devices: int = 50, days: int = 90, seed: int = 42, end_date: date | None = None, flush: bool = False
) -> DemoFleetSummary:
    """Plan the demo fleet (see :func:`plan_demo_fleet`) and write it in one transaction.

    ``end_date`` defaults to today in the operator's time zone. With ``flush`` an existing demo fleet is replaced;
    without it, an existing one raises :class:`DemoFleetExistsError`.
    """
    started = perf_counter()
    plan = plan_demo_fleet(devices=devices, days=days, seed=seed, end_date=end_date or timezone.localdate())
    with transaction.atomic():
        flushed = flush_demo_fleet() if flush else 0
        if demo_fleet_exists():
            raise DemoFleetExistsError("A demo fleet is already loaded; flush it to replace it.")
        counts = _write_fleet(plan)
        # Like every path that writes sales: bring the daily rollup up to date, mark metrics stale.
        sales_recorded(device_ids=Device.all_objects.filter(asset__startswith=DEMO_PREFIX).values_list("pk", flat=True))
    return DemoFleetSummary(
        counts=counts,
        flushed=flushed,
        start=plan.start,
        end=plan.end,
        elapsed_seconds=perf_counter() - started,
    )


def _write_fleet(plan: FleetPlan) -> dict[str, int]:
    """Insert the plan's rows, reusing existing device types, cabinet types and driver accounts; count them by kind."""
    cabinet_types = {
        spec.name: CabinetType.objects.get_or_create(
            name=spec.name, defaults={"rows": spec.rows, "columns": spec.columns}
        )[0]
        for spec in CABINET_TYPES.values()
    }
    device_types = {
        spec.name: DeviceType.objects.get_or_create(
            name=spec.name,
            defaults={"description": spec.description, "allows_additional_cabinets": spec.allows_additional_cabinets},
        )[0]
        for spec in DEVICE_TYPES
    }
    products = Product.objects.bulk_create(
        Product(
            name=p.name,
            category=p.category,
            price=_money(p.price_cents),
            sku=p.sku,
            barcode=p.barcode,
            case_pack=p.case_pack,
        )
        for p in plan.products
    )
    drivers = _driver_accounts(plan.routes)
    routes = Route.objects.bulk_create(
        Route(
            number=r.number,
            name=r.name,
            driver=drivers[r.driver_username],
            service_days=list(r.service_days),
            depot_latitude=r.depot_latitude,
            depot_longitude=r.depot_longitude,
        )
        for r in plan.routes
    )
    locations = Location.objects.bulk_create(
        Location(
            name=loc.name,
            address=loc.address,
            venue_type=loc.venue_type,
            latitude=loc.latitude,
            longitude=loc.longitude,
        )
        for loc in plan.locations
    )
    devices = Device.objects.bulk_create(
        Device(
            asset=d.asset,
            cooler=d.cooler,
            model=d.model,
            serial_number=d.serial_number,
            device_type=device_types[d.device_type],
            location=locations[d.location],
            route=routes[d.route],
        )
        for d in plan.devices
    )
    cabinets = Cabinet.objects.bulk_create(
        Cabinet(
            device=devices[c.device],
            cabinet_type=cabinet_types[c.cabinet_type],
            index=c.index,
            rows=CABINET_TYPES[c.cabinet_type].rows,
            columns=CABINET_TYPES[c.cabinet_type].columns,
        )
        for c in plan.cabinets
    )
    planograms = Planogram.objects.bulk_create(
        Planogram(cabinet=cabinet, name=f"{plan.devices[c.device].asset} cabinet {c.index}")
        for cabinet, c in zip(cabinets, plan.cabinets, strict=True)
    )
    table = plan.slots
    slots = PlanogramSlot.objects.bulk_create(
        (
            PlanogramSlot(
                planogram=planograms[table.cabinet[i]],
                position=table.position[i],
                product=products[table.product[i]] if table.product[i] >= 0 else None,
                quantity=int(table.quantity[i]),
                capacity=int(table.capacity[i]),
                par_level=int(table.par_level[i]),
                price=_money(table.price_cents[i]) if table.price_cents[i] >= 0 else None,
            )
            for i in range(len(table.position))
        ),
        batch_size=5_000,
    )
    slot_pk = np.array([s.pk for s in slots], dtype=np.int64)
    device_pk = np.array([d.pk for d in devices], dtype=np.int64)[table.device]
    product_pk = np.where(table.product >= 0, np.array([p.pk for p in products])[np.maximum(table.product, 0)], -1)
    _copy_sales(plan.sales, slot_pk, device_pk, product_pk, table.vend_cents)
    return {
        "locations": len(locations),
        "routes": len(routes),
        "drivers": len(drivers),
        "device types": len(device_types),
        "cabinet types": len(cabinet_types),
        "devices": len(devices),
        "cabinets": len(cabinets),
        "planograms": len(planograms),
        "slots": len(slots),
        "products": len(products),
        "sales": len(plan.sales.slot),
    }


def _money(cents) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def _driver_accounts(routes: list[RoutePlan]) -> dict:
    """The driver of each route, in the Driver group; accounts that exist are reused as they are."""
    User = get_user_model()
    usernames = [r.driver_username for r in routes]
    existing = {u.username: u for u in User.objects.filter(username__in=usernames)}
    # An unusable password: whoever runs the demo sets a real one, never this loader.
    created = User.objects.bulk_create(
        User(
            username=r.driver_username,
            first_name=r.driver_first_name,
            last_name=r.driver_last_name,
            email=f"{r.driver_username}@example.com",
            password=make_password(None),
        )
        for r in routes
        if r.driver_username not in existing
    )
    drivers = existing | {u.username: u for u in created}
    Group.objects.get(name=roles.DRIVER).user_set.add(*drivers.values())
    return drivers


def _copy_sales(sales: SaleTable, slot_pk, device_pk, product_pk, vend_cents) -> None:
    """Stream the sales into PostgreSQL with ``COPY … FROM STDIN`` in text format, a chunk of rows at a time.

    The arrays map a slot (by plan index) to its device, product and slot ids and its vend price in cents. A row is its
    UTC timestamp and a tail that depends only on the slot and the units, so tails are formatted once per slot and rows
    are assembled by array indexing rather than a Python loop per sale.
    """
    quote = connection.ops.quote_name
    names = ("sold_at", "device", "product", "slot", "units", "cash_amount")
    columns = ", ".join(quote(Sale._meta.get_field(name).column) for name in names)
    tails = np.array(
        [
            f"\t{device}\t{product}\t{slot}\t{units}\t{_money(units * cents)}\n"
            for device, product, slot, cents in zip(
                device_pk.tolist(), product_pk.tolist(), slot_pk.tolist(), vend_cents.tolist(), strict=True
            )
            for units in (1, 2)
        ],
        dtype=object,
    )
    keys = sales.slot * 2 + sales.units - 1
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {quote(Sale._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for begin in range(0, len(keys), SALES_CHUNK):
            chunk = slice(begin, begin + SALES_CHUNK)
            stamps = np.datetime_as_string(sales.sold_at[chunk].astype("datetime64[s]"), timezone="UTC")
            copy.write("".join((stamps.astype(object) + tails[keys[chunk]]).tolist()))
