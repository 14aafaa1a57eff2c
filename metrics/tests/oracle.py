"""A plain, per-slot reference implementation of the metrics spec, used as the tests' oracle.

It reads the raw sales (never the rollup the engine reads), queries per slot as the spec's
pseudo-code does, and uses exact fractions; nothing is shared with the engine. The pick list's
reference (``summed_units_to_par``) adds up, in Python, the slot metrics the engine stored.
"""

import datetime as dt
import math
from collections import defaultdict
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.conf import settings

from devices.models import Device
from metrics.models import CabinetMetrics, DeviceMetrics, SlotMetrics
from planograms.models import PlanogramSlot
from sales.models import Sale


def window_start(now):
    zone = ZoneInfo(settings.TIME_ZONE)
    first_day = now.astimezone(zone).date() - dt.timedelta(days=28)
    return dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)


def slot_metrics(slot, now):
    sales = list(Sale.objects.filter(device_id=slot.planogram.cabinet.device_id, product_id=slot.product_id))
    sales_28 = sum(s.units for s in sales if s.sold_at >= window_start(now))
    total = sum(s.units for s in sales)
    if sales_28 > 0:
        velocity = Fraction(sales_28, 28)
    else:
        velocity = Fraction(1, 10)
        if total > 0:
            days_active = Fraction(
                (now - min(s.sold_at for s in sales)) // dt.timedelta(microseconds=1), 86_400_000_000
            )
            if days_active > 0:
                velocity = total / days_active
    zone = ZoneInfo(settings.TIME_ZONE)
    return {
        "is_sold_out": slot.quantity == 0,
        "days_remaining_inventory": min(999, math.floor(slot.quantity / velocity)),
        "product_level_percent": math.floor(Fraction(slot.quantity * 100, slot.capacity) + Fraction(1, 2)),
        "units_to_par": slot.capacity - slot.quantity,
        "sales_28_day": sales_28,
        "sales_all_time": total,
        "days_with_sales": len({s.sold_at.astimezone(zone).date() for s in sales}),
        "daily_velocity": float(velocity),
    }


def rolled_up(parts):
    """parts: (quantity, capacity, dri, sold_out) per slot or per cabinet summary."""
    quantity = sum(p["quantity"] for p in parts)
    capacity = sum(p["capacity"] for p in parts)
    stocked = [p["dri"] for p in parts if p["stocked"]]
    return {
        "sold_out_count": sum(p["sold_out"] for p in parts),
        "days_remaining_inventory": min(stocked, default=999),
        "product_level_percent": (
            math.floor(Fraction(quantity * 100, capacity) + Fraction(1, 2)) if capacity else None
        ),
        "units_to_par": sum(p["utp"] for p in parts),
        "total_quantity": quantity,
        "total_capacity": capacity,
    }


def fleet_metrics(now):
    """Every metric the engine should hold: {"slots": {...}, "cabinets": {...}, "devices": {...}}."""
    expected = {"slots": {}, "cabinets": {}, "devices": {}}
    for device in Device.objects.all():
        cabinet_parts = []
        for cabinet in device.cabinets.all():
            if not hasattr(cabinet, "planogram"):
                continue
            slot_parts = []
            for slot in PlanogramSlot.objects.filter(planogram=cabinet.planogram):
                if slot.capacity == 0 or slot.product_id is None:
                    continue
                metrics = slot_metrics(slot, now)
                expected["slots"][slot.pk] = metrics
                slot_parts.append(
                    {
                        "quantity": slot.quantity,
                        "capacity": slot.capacity,
                        "dri": metrics["days_remaining_inventory"],
                        "stocked": slot.quantity > 0,
                        "sold_out": int(slot.quantity == 0),
                        "utp": metrics["units_to_par"],
                    }
                )
            cabinet_metrics = rolled_up(slot_parts)
            expected["cabinets"][cabinet.pk] = cabinet_metrics
            cabinet_parts.append(
                {
                    "quantity": cabinet_metrics["total_quantity"],
                    "capacity": cabinet_metrics["total_capacity"],
                    "dri": cabinet_metrics["days_remaining_inventory"],
                    "stocked": True,  # a device takes the minimum over all its cabinets
                    "sold_out": cabinet_metrics["sold_out_count"],
                    "utp": cabinet_metrics["units_to_par"],
                }
            )
        if cabinet_parts:
            expected["devices"][device.pk] = rolled_up(cabinet_parts)
    return expected


def stored_metrics():
    """What the engine stored, in the oracle's shape."""
    slot_fields = [
        "is_sold_out",
        "days_remaining_inventory",
        "product_level_percent",
        "units_to_par",
        "sales_28_day",
        "sales_all_time",
        "days_with_sales",
        "daily_velocity",
    ]
    rolled_fields = [
        "sold_out_count",
        "days_remaining_inventory",
        "product_level_percent",
        "units_to_par",
        "total_quantity",
        "total_capacity",
    ]
    return {
        "slots": {m.slot_id: {f: getattr(m, f) for f in slot_fields} for m in SlotMetrics.objects.all()},
        "cabinets": {m.cabinet_id: {f: getattr(m, f) for f in rolled_fields} for m in CabinetMetrics.objects.all()},
        "devices": {m.device_id: {f: getattr(m, f) for f in rolled_fields} for m in DeviceMetrics.objects.all()},
    }


def summed_units_to_par(devices, by="product_id"):
    """A pick list's reference: each product's units to par added up, slot by slot, from the stored slot metrics.

    ``devices`` are devices or their ids; ``by`` is what names a product (``"product_id"``, ``"product__name"``).
    Products with nothing to add are left out, as the pick list leaves them out.
    """
    units = defaultdict(int)
    for product, units_to_par in SlotMetrics.objects.filter(device__in=devices).values_list(by, "units_to_par"):
        units[product] += units_to_par
    return {product: total for product, total in units.items() if total}
