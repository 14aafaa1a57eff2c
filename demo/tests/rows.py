"""The demo fleet's rows in the database, found by the prefix of their natural keys."""

import hashlib

from demo.fleet import DEMO_PREFIX
from devices.models import Cabinet, Device, Location, Route
from planograms.models import PlanogramSlot, Product
from sales.models import Sale


def demo_devices():
    return Device.all_objects.filter(asset__startswith=DEMO_PREFIX)


def demo_slots():
    return PlanogramSlot.objects.filter(planogram__cabinet__device__in=demo_devices())


def demo_sales():
    return Sale.objects.filter(device__in=demo_devices())


def fleet_digest() -> str:
    """A fingerprint of the demo fleet by natural keys, so database ids and ``auto_now`` stamps do not count."""
    parts = [
        Location.objects.filter(devices__in=demo_devices())
        .distinct()
        .order_by("name")
        .values_list("name", "address", "venue_type", "latitude", "longitude"),
        Route.objects.filter(number__startswith=DEMO_PREFIX).values_list(
            "number", "name", "driver__username", "service_days", "depot_latitude", "depot_longitude"
        ),
        demo_devices().values_list(
            "asset", "device_type__name", "location__name", "route__number", "cooler", "model", "serial_number"
        ),
        Cabinet.objects.filter(device__in=demo_devices()).values_list(
            "device__asset", "index", "is_parent", "cabinet_type__name", "rows", "columns"
        ),
        demo_slots()
        .order_by("planogram__cabinet__device__asset", "planogram__cabinet__index", "position")
        .values_list(
            "planogram__cabinet__device__asset",
            "planogram__cabinet__index",
            "position",
            "product__sku",
            "quantity",
            "capacity",
            "par_level",
            "price",
        ),
        Product.objects.filter(sku__startswith=DEMO_PREFIX)
        .order_by("sku")
        .values_list("sku", "name", "category", "price", "barcode", "case_pack"),
        demo_sales()
        .order_by("device__asset", "sold_at", "slot__planogram__cabinet__index", "slot__position", "units")
        .values_list(
            "device__asset",
            "product__sku",
            "slot__planogram__cabinet__index",
            "slot__position",
            "units",
            "cash_amount",
            "sold_at",
        ),
    ]
    return hashlib.sha256(repr([list(rows) for rows in parts]).encode()).hexdigest()
