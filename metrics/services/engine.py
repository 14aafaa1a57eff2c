"""The inventory metrics engine: SO, DRI, PL and UTP, from slot to cabinet to device.

The rules (``../shared/spec/metrics-calculation.md``, held exactly):

- SO: a slot is sold out when its quantity is 0; cabinets and devices count sold-out slots. With
  the slots left out below, the rule is ``planograms.models.slot_is_sold_out`` (``SLOT_SOLD_OUT``).
- PL: quantity × 100 / capacity, halves rounded up (12.5 % → 13 %); cabinets and devices
  use their summed quantities and capacities.
- UTP: capacity − quantity; cabinets and devices sum it.
- Daily velocity of a product at a device: units sold in the 28-day window ÷ 28; when none,
  all units ÷ days since its first sale there; with no sales at all, 0.1 units a day.
- DRI: whole days the quantity lasts at that velocity, capped at 999; cabinets and devices
  take the minimum over their stocked slots (999 when there are none).

Decided where the spec is silent:

- The clock is the calculation time; the 28-day window opens at local midnight 28 days
  before today, in the operator's ``TIME_ZONE`` (the spec's ``date('now', '-28 days')``).
- DRI is computed in exact integer arithmetic, so 3 units at 28 sold in 28 days is 3 days,
  never 2.9999 truncated to 2.
- Maintenance slots (capacity 0) and unassigned slots (no product) sell nothing and can be
  loaded with nothing: they have no metrics and are left out of every aggregate.
- An empty slot has DRI 0 and counts in SO but does not lower the cabinet's DRI. A slot that
  still holds stock whose DRI truncates to 0 *does*: the cabinet is critical with DRI 0 (the
  original system dropped it and showed such a cabinet as "∞").
- Soft-deleted devices and devices without a planogram have no metrics; a run removes any
  they had before.
"""

import datetime as dt
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, When
from django.utils import timezone

from cvd_portal.db import bulk_upsert
from devices.locking import devices_lock
from devices.models import Device
from metrics.models import CabinetMetrics, DeviceMetrics, SlotMetrics
from planograms.models import Planogram, PlanogramSlot, slot_is_sold_out
from sales.models import DeviceProductSales
from sales.services import sales_windows_refresh

CALCULATION_VERSION = 2
VELOCITY_WINDOW_DAYS = 28
DRI_CAP = 999
DAY = dt.timedelta(days=1)
_MICROSECOND = dt.timedelta(microseconds=1)


class Velocity(NamedTuple):
    """A sales rate kept exact: ``units`` sold per ``period``."""

    units: int
    period: dt.timedelta

    def per_day(self) -> float:
        # int / int is correctly rounded in Python, so this is the exact rate to the last bit.
        return (self.units * (DAY // _MICROSECOND)) / (self.period // _MICROSECOND)


NO_HISTORY_VELOCITY = Velocity(units=1, period=10 * DAY)  # the spec's minimum of 0.1 units a day


class SalesHistory(NamedTuple):
    """What the velocity rule needs to know about one product's sales at one device."""

    units_in_window: int = 0
    units_all_time: int = 0
    first_sold_at: dt.datetime | None = None
    days_with_sales: int = 0


def velocity_window_start(now: dt.datetime) -> dt.date:
    """The first local day of the 28-day window."""
    return timezone.localdate(now) - dt.timedelta(days=VELOCITY_WINDOW_DAYS)


def daily_velocity(history: SalesHistory, now: dt.datetime) -> Velocity:
    if history.units_in_window > 0:
        return Velocity(history.units_in_window, VELOCITY_WINDOW_DAYS * DAY)
    if history.units_all_time > 0 and history.first_sold_at is not None:
        days_active = now - history.first_sold_at
        if days_active > dt.timedelta(0):
            return Velocity(history.units_all_time, days_active)
    return NO_HISTORY_VELOCITY


def days_remaining_inventory(quantity: int, velocity: Velocity) -> int:
    """floor(quantity ÷ units-per-day), capped at 999, in integers: quantity × period ÷ (units × day)."""
    days = (quantity * (velocity.period // _MICROSECOND)) // (velocity.units * (DAY // _MICROSECOND))
    return min(days, DRI_CAP)


def product_level_percent(quantity: int, capacity: int) -> int | None:
    """round(quantity × 100 ÷ capacity) with halves up; None where there is no capacity."""
    if capacity <= 0:
        return None
    return (200 * quantity + capacity) // (2 * capacity)


@dataclass
class Rollup:
    """Metrics summed over slots (a cabinet) or over cabinets (a device)."""

    sold_out_count: int = 0
    days_remaining_inventory: int = DRI_CAP
    units_to_par: int = 0
    total_quantity: int = 0
    total_capacity: int = 0

    @property
    def product_level_percent(self) -> int | None:
        return product_level_percent(self.total_quantity, self.total_capacity)

    def add_slot(self, *, quantity: int, capacity: int, days_remaining: int, sold_out: bool) -> None:
        self.sold_out_count += sold_out
        if quantity > 0:  # an empty slot counts in SO but never lowers the minimum
            self.days_remaining_inventory = min(self.days_remaining_inventory, days_remaining)
        self.units_to_par += capacity - quantity
        self.total_quantity += quantity
        self.total_capacity += capacity

    def add_rollup(self, other: "Rollup") -> None:
        self.sold_out_count += other.sold_out_count
        self.days_remaining_inventory = min(self.days_remaining_inventory, other.days_remaining_inventory)
        self.units_to_par += other.units_to_par
        self.total_quantity += other.total_quantity
        self.total_capacity += other.total_capacity


@dataclass(frozen=True)
class RecalculationResult:
    devices: int
    slots: int
    calculated_at: dt.datetime
    lock_wait_seconds: float = 0.0


def metrics_qualifying_devices(devices):
    """Of ``devices``, those that get metrics: not soft-deleted and with at least one planogram."""
    return devices.filter(deleted_at__isnull=True).filter(
        Exists(Planogram.objects.filter(cabinet__device=OuterRef("pk")))
    )


def _sales_histories(devices, now) -> dict[tuple[int, int], SalesHistory]:
    """Each (device, product)'s sales history, from the all-time totals kept beside the daily rollup."""
    sales_windows_refresh(devices=devices, window_start=velocity_window_start(now))
    # The first sale matters only where the window has none (the historical rate); reading it for
    # every row would cost more than the rest of the query.
    first_sale_if_needed = Case(When(units_in_window=0, then=F("first_sold_at")), default=None)
    return {
        (device_id, product_id): SalesHistory(units_in_window, units, first_sold_at, days_with_sales)
        for device_id, product_id, units_in_window, units, first_sold_at, days_with_sales in (
            DeviceProductSales.objects.filter(device__in=devices)
            .values_list("device_id", "product_id", "units_in_window", "units", first_sale_if_needed, "days_with_sales")
            .order_by()
        )
    }


@transaction.atomic
def recalculate_metrics(*, device_ids=None, now: dt.datetime | None = None) -> RecalculationResult:
    """Recalculate the metrics of the given devices (all when None) in one transaction.

    A fixed number of queries whatever the fleet size: the devices are locked (so two runs
    over the same devices take turns instead of interleaving), slots, cabinets and sales
    histories are read in one query each, and each metrics table gets one delete (of rows the
    run no longer produces) and one bulk upsert. Any error rolls the whole run back and leaves
    the previous metrics as they were.
    """
    now = now or timezone.now()
    if device_ids is not None:
        device_ids = list(device_ids)
    requested = Device.all_objects.all() if device_ids is None else Device.all_objects.filter(pk__in=device_ids)
    lock_started = time.monotonic()
    devices_lock(device_ids=device_ids)
    lock_wait_seconds = time.monotonic() - lock_started
    devices = metrics_qualifying_devices(requested)

    # The slots that get metrics: those in service, with a capacity and a product (see the module docstring).
    measured_slots = PlanogramSlot.objects.filter(planogram__cabinet__device__in=devices).stockable()
    slots = measured_slots.values_list(
        "pk",
        "planogram_id",
        "planogram__cabinet_id",
        "planogram__cabinet__device_id",
        "product_id",
        "quantity",
        "capacity",
    ).order_by()
    planograms = Planogram.objects.filter(cabinet__device__in=devices)
    device_of_cabinet = dict(planograms.values_list("cabinet_id", "cabinet__device_id"))
    histories = _sales_histories(devices, now)

    cabinet_rollups = {cabinet_id: Rollup() for cabinet_id in device_of_cabinet}
    slot_metrics = []
    for slot_id, planogram_id, cabinet_id, device_id, product_id, quantity, capacity in slots:
        history = histories.get((device_id, product_id), SalesHistory())
        velocity = daily_velocity(history, now)
        days_remaining = days_remaining_inventory(quantity, velocity)
        sold_out = slot_is_sold_out(product_id=product_id, quantity=quantity, capacity=capacity)
        cabinet_rollups[cabinet_id].add_slot(
            quantity=quantity, capacity=capacity, days_remaining=days_remaining, sold_out=sold_out
        )
        # Plain rows, not model instances: building 50,000 instances costs more than the whole query work.
        slot_metrics.append(
            {
                "slot_id": slot_id,
                "planogram_id": planogram_id,
                "device_id": device_id,
                "product_id": product_id,
                "is_sold_out": sold_out,
                "days_remaining_inventory": days_remaining,
                "product_level_percent": product_level_percent(quantity, capacity),
                "units_to_par": capacity - quantity,
                "sales_28_day": history.units_in_window,
                "sales_all_time": history.units_all_time,
                "days_with_sales": history.days_with_sales,
                "daily_velocity": velocity.per_day(),
                "last_calculated": now,
                "calculation_version": CALCULATION_VERSION,
            }
        )

    device_rollups = defaultdict(Rollup)
    for cabinet_id, rollup in cabinet_rollups.items():
        device_rollups[device_of_cabinet[cabinet_id]].add_rollup(rollup)

    cabinet_metrics = [
        _rolled_up(rollup, now, cabinet_id=cabinet_id, device_id=device_of_cabinet[cabinet_id])
        for cabinet_id, rollup in cabinet_rollups.items()
    ]
    device_metrics = [_rolled_up(rollup, now, device_id=device_id) for device_id, rollup in device_rollups.items()]
    # Rows this run produces are upserted; the requested devices' rows it no longer produces
    # (slots become maintenance or unassigned, devices deleted or left without a planogram) go.
    # NOT EXISTS, not NOT IN: PostgreSQL turns it into an anti-join however many slots there are.
    for model, rows, produced in (
        (SlotMetrics, slot_metrics, measured_slots.filter(pk=OuterRef("pk"))),
        (CabinetMetrics, cabinet_metrics, planograms.filter(cabinet_id=OuterRef("pk"))),
        (DeviceMetrics, device_metrics, devices.filter(pk=OuterRef("pk"))),
    ):
        model.objects.filter(device__in=requested).filter(~Exists(produced)).delete()
        bulk_upsert(model, rows)
    return RecalculationResult(
        devices=len(device_rollups),
        slots=len(slot_metrics),
        calculated_at=now,
        lock_wait_seconds=lock_wait_seconds,
    )


def _rolled_up(rollup: Rollup, now, **keys) -> dict:
    return {
        **keys,
        "sold_out_count": rollup.sold_out_count,
        "days_remaining_inventory": rollup.days_remaining_inventory,
        "product_level_percent": rollup.product_level_percent,
        "units_to_par": rollup.units_to_par,
        "total_quantity": rollup.total_quantity,
        "total_capacity": rollup.total_capacity,
        "last_calculated": now,
        "calculation_version": CALCULATION_VERSION,
    }
