"""Reads of the inventory metrics: urgency, a route's devices with their metrics, the pick list."""

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Case, CharField, Count, F, Prefetch, Q, QuerySet, Sum, Value, When

from devices.models import Cabinet, Device, Route
from planograms.models import PlanogramSlot, slot_grid_order

from .choices import Urgency
from .models import SlotMetrics, UrgencyThresholds


def urgency_conditions(thresholds: UrgencyThresholds, dri: str = "metrics__days_remaining_inventory") -> dict:
    """The condition for each urgency on a device's DRI (``dri`` is the path to it)."""
    return {
        Urgency.CRITICAL: Q(**{f"{dri}__lte": thresholds.critical_days}),
        Urgency.WARNING: Q(**{f"{dri}__gt": thresholds.critical_days, f"{dri}__lte": thresholds.warning_days}),
        Urgency.OK: Q(**{f"{dri}__gt": thresholds.warning_days, f"{dri}__lte": thresholds.ok_days}),
        Urgency.GOOD: Q(**{f"{dri}__gt": thresholds.ok_days}),
        Urgency.UNKNOWN: Q(**{f"{dri}__isnull": True}),
    }


def urgency_expression(thresholds: UrgencyThresholds) -> Case:
    """A device's urgency as a database expression, for annotating and sorting device querysets."""
    whens = [When(condition, then=Value(urgency)) for urgency, condition in urgency_conditions(thresholds).items()]
    return Case(*whens, default=Value(Urgency.UNKNOWN), output_field=CharField())


def routes_with_urgency_counts(routes: QuerySet[Route], thresholds: UrgencyThresholds) -> QuerySet[Route]:
    """Annotate each route with its active devices counted by urgency (``<urgency>_count``) in one query."""
    active = Q(devices__deleted_at__isnull=True)
    conditions = urgency_conditions(thresholds, dri="devices__metrics__days_remaining_inventory")
    counts = {
        f"{urgency}_count": Count("devices", filter=active & condition) for urgency, condition in conditions.items()
    }
    return routes.annotate(device_count=Count("devices", filter=active), **counts)


def route_devices_with_metrics(route: Route, thresholds: UrgencyThresholds) -> QuerySet[Device]:
    """A route's active devices, most urgent first, with location, metrics, cabinets and slots.

    Devices, cabinets and slots each carry their ``urgency`` from their own DRI and ``thresholds``.
    Four queries whatever the route's size: devices (with location, type and metrics joined),
    cabinets (with type, metrics and planogram joined), and slots (with product and metrics).
    """
    urgency = urgency_expression(thresholds)
    slots = PlanogramSlot.objects.select_related("product", "metrics").annotate(urgency=urgency)
    slots = slots.order_by(*slot_grid_order())
    cabinets = Cabinet.objects.select_related("cabinet_type", "metrics", "planogram").annotate(urgency=urgency)
    cabinets = cabinets.order_by("index")
    return (
        Device.objects.filter(route=route)
        .select_related("location", "device_type", "metrics")
        .annotate(urgency=urgency)
        .prefetch_related(
            Prefetch("cabinets", queryset=cabinets), Prefetch("cabinets__planogram__slots", queryset=slots)
        )
        .order_by(F("metrics__days_remaining_inventory").asc(nulls_last=True), "asset")
    )


def route_pick_list(route: Route, device_ids) -> list[dict]:
    """What to load on a route's chosen devices: per product, the units to par summed over their cabinets' slots.

    One query over the last calculation's slot metrics. Each line is ``{product, name, category,
    units_to_par}``, ordered by category and name; products already at par are left off. Devices
    not on the route, or retired, add nothing.
    """
    return list(
        SlotMetrics.objects.filter(device__route=route, device__deleted_at__isnull=True, device__in=device_ids)
        .values("product")
        .annotate(name=F("product__name"), category=F("product__category"), units_to_par=Sum("units_to_par"))
        .filter(units_to_par__gt=0)
        .order_by("category", "name", "product")
    )


def device_cabinets_with_metrics(device: Device) -> QuerySet[Cabinet]:
    """The device's cabinets with their metrics and their planogram's slots in grid order: two queries."""
    slots = PlanogramSlot.objects.select_related("product", "metrics").order_by(*slot_grid_order())
    return (
        Cabinet.objects.filter(device=device)
        .select_related("cabinet_type", "metrics", "planogram")
        .prefetch_related(Prefetch("planogram__slots", queryset=slots))
        .order_by("index")
    )


def oldest_metrics_calculation(devices) -> dt.datetime | None:
    """The age a driver should be shown for ``devices`` (with ``metrics`` selected): that of the stalest metrics."""
    calculated = []
    for device in devices:
        try:
            calculated.append(device.metrics.last_calculated)
        except ObjectDoesNotExist:
            continue
    return min(calculated, default=None)
