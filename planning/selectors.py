"""Reads for planning: the sales history the forecast learns from, in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import Q
from django.utils import timezone

from cvd_portal.db import DayNumber, integer_columns
from devices.models import Device
from planograms.models import InventoryMovement, PlanogramSlot, slot_grid_order
from sales.models import DailyProductSales, DeviceProductSales

from .forecast import DemandForecast, DemandHistory, forecast_demand
from .health import MachineHealth, machines_health
from .models import PlanningSettings
from .plans import Machine, PlanKnobs, RoutePlan, Slot, decide_route_plan
from .routing import Point

HISTORY_DAYS = 56
FORECAST_DAYS = 14
# The days whose sales set a machine's usual gap between sales (for "silent").
RECENT_RATE_DAYS = 28


def demand_history(*, devices, last_day: dt.date, days: int = HISTORY_DAYS) -> DemandHistory:
    """The daily units of every product stocked or sold at ``devices`` over the ``days`` local days
    ending with ``last_day``, with the days that do not show whole demand marked unobserved.

    A product is stocked at a machine from its first sale there (before, as far as we know, it was not
    offered); a stocked day is unobserved (censored) when a slot holding it stood empty for part of it (from the
    inventory movements: from a movement that left it at 0 to the next that put stock back; a slot
    empty now and unmoved through the window stood empty throughout). Four queries.
    """
    first_day = last_day - dt.timedelta(days=days - 1)
    device_ids = devices.values("pk")
    rows = integer_columns(
        DailyProductSales.objects.filter(device_id__in=device_ids, date__range=(first_day, last_day))
        .annotate(day=DayNumber("date", first_day))
        .values_list("device_id", "product_id", "day", "units")
    )
    slots = list(
        PlanogramSlot.objects.stockable()
        .filter(planogram__cabinet__device_id__in=device_ids)
        .values_list("pk", "planogram__cabinet__device_id", "product_id", "quantity")
    )
    sold_pairs = {(int(device), int(product)) for device, product in np.unique(rows[:, :2], axis=0)}
    pairs = sorted(sold_pairs | {(d, p) for _, d, p, _ in slots})
    series_of = {pair: s for s, pair in enumerate(pairs)}
    n = len(pairs)
    units = np.zeros((n, days))
    if len(rows):
        keys = np.array(pairs, dtype=np.int64)
        # Row of each sale-day's series: pairs are sorted, so a search on the combined key finds it.
        combined = keys[:, 0] * (keys[:, 1].max() + 1) + keys[:, 1]
        series = np.searchsorted(combined, rows[:, 0] * (keys[:, 1].max() + 1) + rows[:, 1])
        units[series, rows[:, 2]] = rows[:, 3]

    stocked = np.ones((n, days), dtype=bool)
    first_sales = DeviceProductSales.objects.filter(device_id__in=device_ids).values_list(
        "device_id", "product_id", "first_sold_at"
    )
    never_sold = set(pairs)
    for device, product, first_sold_at in first_sales:
        if (device, product) in series_of:
            never_sold.discard((device, product))
            first = (timezone.localdate(first_sold_at) - first_day).days
            stocked[series_of[device, product], : max(0, min(first, days))] = False
    for pair in never_sold:
        stocked[series_of[pair], :] = False
    observed = stocked.copy()

    for slot_pair, empty_days in _empty_slot_days(slots, first_day, last_day).items():
        if slot_pair in series_of:
            observed[series_of[slot_pair], empty_days] = False

    device_index_of = {device: i for i, device in enumerate(sorted({device for device, _ in pairs}))}
    return DemandHistory(
        device_ids=np.array(sorted(device_index_of), dtype=np.int64),
        product_ids=np.array([product for _, product in pairs], dtype=np.int64),
        device_index=np.array([device_index_of[device] for device, _ in pairs], dtype=np.int64),
        first_day=first_day,
        units=units,
        observed=observed,
        stocked=stocked,
    )


def _empty_slot_days(slots, first_day: dt.date, last_day: dt.date) -> dict[tuple[int, int], list[int]]:
    """Day indices (from ``first_day``) on which each (device, product)'s slots stood empty a while."""
    pair_of_slot = {pk: (device, product) for pk, device, product, _ in slots}
    start = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))
    # Only the movements that empty a slot or refill an empty one: few, whatever the sales volume.
    edges = list(
        InventoryMovement.objects.filter(slot_id__in=pair_of_slot, occurred_at__gte=start, occurred_at__lt=end)
        .filter(Q(quantity_after=0) | Q(quantity_before=0, quantity_after__gt=0))
        .order_by("slot_id", "occurred_at", "pk")
        .values_list("slot_id", "occurred_at", "quantity_after")
    )
    intervals = defaultdict(list)
    empty_since = {}
    for slot, at, after in edges:
        if after == 0:
            empty_since.setdefault(slot, at)
        else:
            # A refill with no emptying seen before it: the slot was empty since the window opened.
            intervals[slot].append((empty_since.pop(slot, start), at))
    moved = {slot for slot, _, _ in edges}
    for pk, _, _, quantity in slots:
        if pk in empty_since:
            intervals[pk].append((empty_since[pk], end))
        elif quantity == 0 and pk not in moved:
            intervals[pk].append((start, end))

    days = defaultdict(set)
    for slot, spans in intervals.items():
        for empty_from, empty_until in spans:
            first = (timezone.localdate(empty_from) - first_day).days
            last = (timezone.localdate(empty_until - dt.timedelta(microseconds=1)) - first_day).days
            days[pair_of_slot[slot]].update(range(max(first, 0), min(last, (last_day - first_day).days) + 1))
    return {pair: sorted(indices) for pair, indices in days.items()}


@dataclass(frozen=True)
class FleetOutlook:
    """The forecast of a set of machines from today on, with their health: what plans and pages read."""

    today: dt.date
    forecast: DemandForecast
    health: dict[int, MachineHealth]


def fleet_outlook(*, devices, now: dt.datetime, settings: PlanningSettings | None = None) -> FleetOutlook:
    """Forecast and health of ``devices`` as of ``now``: the history through yesterday, the forecast
    from today. A fixed number of queries whatever the number of machines."""
    settings = settings or PlanningSettings.current()
    today = timezone.localdate(now)
    history = demand_history(devices=devices, last_day=today - dt.timedelta(days=1))
    forecast = forecast_demand(history, horizon=FORECAST_DAYS, not_selling_p=settings.not_selling_p_value)
    recent = history.units[:, -RECENT_RATE_DAYS:].sum(axis=1)
    recent_by_device = np.bincount(history.device_index, recent, minlength=history.n_devices) / RECENT_RATE_DAYS
    health = machines_health(
        forecast,
        history.device_ids.tolist(),
        now=now,
        silent_after_hours=settings.silent_after_hours,
        recent_units_a_day=dict(zip(history.device_ids.tolist(), recent_by_device.tolist(), strict=True)),
    )
    return FleetOutlook(today=today, forecast=forecast, health=health)


def route_plan(route, *, day: dt.date, now: dt.datetime | None = None) -> RoutePlan:
    """The plan of ``route`` for ``day`` as of ``now``: which machines to visit, in which order, what
    to load (``planning.plans``). Reads the route's machines, slots, sales history and health in a
    fixed number of queries, whatever the route's size."""
    now = now or timezone.now()
    settings = PlanningSettings.current()
    devices = Device.objects.filter(route=route).select_related("location").order_by("asset")
    outlook = fleet_outlook(devices=devices, now=now, settings=settings)
    demand = outlook.forecast.by_device()
    slots_by_device = defaultdict(list)
    slots = (
        PlanogramSlot.objects.stockable()
        .filter(planogram__cabinet__device__route=route)
        .select_related("product", "planogram__cabinet")
        .order_by("planogram__cabinet__index", *slot_grid_order())
    )
    for slot in slots:
        slots_by_device[slot.planogram.cabinet.device_id].append(
            Slot(
                slot_id=slot.pk,
                position=slot.position,
                product_id=slot.product_id,
                product_name=slot.product.name,
                quantity=slot.quantity,
                capacity=slot.capacity,
                price=slot.vend_price,
                case_pack=slot.product.case_pack,
                cabinet_index=slot.planogram.cabinet.index,
            )
        )
    machines = []
    for device in devices:
        health = outlook.health.get(device.pk)
        location = device.location
        point = (
            Point(float(location.latitude), float(location.longitude))
            if location is not None and location.latitude is not None and location.longitude is not None
            else None
        )
        machines.append(
            Machine(
                device_id=device.pk,
                asset=device.asset,
                location_name=location.name if location is not None else "",
                point=point,
                slots=tuple(slots_by_device.get(device.pk, ())),
                daily_demand=demand.get(device.pk, {}),
                not_selling=bool(health and health.not_selling),
                silent=bool(health and health.silent),
                last_sale_at=health.last_sale_at if health else None,
            )
        )
    depot = (
        Point(float(route.depot_latitude), float(route.depot_longitude)) if route.depot_latitude is not None else None
    )
    return decide_route_plan(
        machines,
        now=now,
        demand_from=outlook.today,
        day=day,
        next_day=route.next_service_day(day) or day + dt.timedelta(days=7),
        dispersion=outlook.forecast.dispersion,
        knobs=PlanKnobs(
            visit_cost=settings.visit_cost,
            minimum_stop_value=settings.minimum_stop_value,
            must_visit_sold_out_slots=settings.must_visit_sold_out_slots,
            max_stops=settings.max_stops,
        ),
        depot=depot,
    )


def stocked_capacity(history: DemandHistory) -> np.ndarray:
    """The capacity each series of ``history`` is stocked with now (its slots' capacities summed; 0
    where it has no slot): the full stock the backtest's sell-out day starts from."""
    capacity_of = defaultdict(int)
    slots = PlanogramSlot.objects.stockable().filter(planogram__cabinet__device_id__in=history.device_ids.tolist())
    for device, product, capacity in slots.values_list("planogram__cabinet__device_id", "product_id", "capacity"):
        capacity_of[device, product] += capacity
    devices = history.device_ids[history.device_index]
    return np.array([capacity_of[int(d), int(p)] for d, p in zip(devices, history.product_ids, strict=True)])
