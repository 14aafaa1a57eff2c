"""Replay simulator of the visit planner against a fixed weekly schedule and the spec's DRI rule (run by hand).

    .venv/bin/python bench/planning.py                      # 1,000 devices, 8 simulated weeks after 8 of warm-up
    .venv/bin/python bench/planning.py --devices 200 --sweep --diagnose

The claim under test: simulated day by day, at no more stockout slot-days than the spec's rule (b),
our planner (c) makes at least 25 % fewer visits than (b); or, at no more visits than (b), at least
50 % fewer stockout slot-days. The three policies face the same demand in the same run:

- (a) **fixed weekly**: every machine visited on its route's first service day of each week, filled
  to capacity;
- (b) **the spec's rule**: on each of its route's service days, every machine whose device DRI is at
  or below ``UrgencyThresholds.critical_days`` (the model field's default), filled to capacity. The DRI
  comes from ``metrics.services.engine`` (``daily_velocity``, ``days_remaining_inventory``, and the
  engine's ``Rollup`` for the device: minimum over its stocked slots), on the simulated sales;
- (c) **our planner**: on each service day, ``forecast_demand`` on the simulated sales (the 56 days
  ``planning.selectors`` reads, censored where a slot stood empty), machine health through
  ``planning.health.machines_health``, then ``decide_route_plan`` for each route with the
  ``PlanningSettings`` field defaults as knobs; each stop is loaded with the plan's loads.

Everything runs in memory: Django is set up under the test settings (the engine, the planner's settings
and the route's ``next_service_day`` live in models) with a database URL that is never connected to.
The policies' runs are independent and go ``--jobs`` at a time in forked processes; a run's own time,
printed beside it, is then stretched by the others sharing the CPUs.

How the world is simulated (decided here):

- **Demand** is the demo generator's (``demo.fleet.plan_demo_fleet`` over ``--warmup-days`` plus the
  simulated days, ending on the last simulated day): venue weekday patterns, device trends, noise,
  events and outages, machines that go silent (their demand is 0 from then on) and new machines.
  Every generated vend, with its slot and second, is one buyer's demand. A buyer whose slot is empty
  goes away: the vend is lost, not moved to another facing of the product (the generator chose the
  facing; a buyer in front of an empty spiral rarely looks for the other one). A double vend at a slot
  holding one unit sells one and loses one.
- **Warm-up**: the first ``--warmup-days`` are history only, sold exactly as demanded (a perfectly
  stocked past, every day observed): every policy starts from the same sales history.
- **Stock**: every stocked slot (a product and a capacity above 0) starts the simulation full.
- **A day**: plans are made at local midnight on the sales through the day before and the stock then
  (the planner's ``now``, the spec's clock: its 28-day window is then exactly the 28 days before).
  The vends before noon (the vends' own times) come out of stock, the visits happen at noon (the
  planner's ``ARRIVAL_TIME``), then the vends from noon on.
- **Loads**: (a) and (b) fill every slot of a visited machine to capacity. (c) brings the plan's
  pre-kit: each slot gets its ``SlotLoad.load`` but never more than its room at noon (the surplus goes
  back to the warehouse; less than the room where demand ran under the forecast, as a pre-kit does).
- **Health**: ``machines_health`` itself judges *not selling* and *silent*; only its two grouped
  queries for the last sale and the last DEX read (``last_data_times``) are replaced by the
  simulation's own (``mock.patch``). A visit reads the machine's DEX; there are no other reads.
- **Forecast scope**: one forecast a day over the whole fleet, as the brief asks; the portal's
  ``route_plan`` forecasts a route's machines alone, so its fleet-wide priors (weekday pattern,
  product shares, dispersion) come from a dozen machines there.
- **Counted** from the first simulated day on: visits (machines visited); driver-days (a route on a
  day with at least one visit); units delivered; stockout slot-days: slot-days on which a stocked slot
  stood empty at any point (at midnight, at noon before the visit, or at the end of the day), counted
  while its machine is in service: from its first demand to its last, judged from the generated vends,
  where a silence at either end of seven days or more counts as not installed yet or gone silent (a
  silent machine's empty slot turns no buyer away; the count with those days is printed too);
  lost units (demand the stock could not serve) and lost revenue (lost units × the slot's vend price);
  the drive (great-circle, ``planning.routing``: the planner's own figure for (c), the same
  ``stop_order``/``route_distance_m`` over the day's visited machines for (a) and (b)).
- **Target**: met when (c) has no more stockout slot-days than (b) and at most 75 % of its visits,
  or no more visits than (b) and at most 50 % of its stockout slot-days. When the default knobs miss
  it (or with ``--sweep``), (c) is rerun at several ``visit_cost`` values, to show the trade-off curve
  against (b)'s point.
- **Diagnostics**, to tell why (c) lands where it does: the refilled slots' average level after a
  visit, the units the pre-kit's case rounding cut, the pre-kitted units that went back, the
  forecast of each planned day's demand against the demand the day brought (machines in service),
  how often a machine in service was flagged not selling or silent. With ``--diagnose``, two more rows:
  (c') the planner's stops filled to capacity instead of pre-kitted (its loads' share of the gap), and
  (o) foresight: the demand to come known, each served route's machines visited only when a slot
  would otherwise run dry before the route's next service-day visit, filled to capacity: the fewest
  such visits that avoid every stockout a visit can avoid, a mark for what any policy could reach.
"""

import argparse
import datetime as dt
import math
import multiprocessing
import os
import sys
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from unittest import mock

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# A Monday, so that each simulated week is a calendar week.
SIMULATION_START = dt.date(2025, 1, 6)
TARGET_VISIT_CUT = 0.25
TARGET_STOCKOUT_CUT = 0.50
SWEEP_VISIT_COSTS = (Decimal(0), Decimal(5), Decimal(10), Decimal(15), Decimal(25), Decimal(40))
FORESIGHT_TOLERANCES = (1, 2, 3, 4, 6, 8)
# A machine without demand for this many days at the start (end) of the generated window was not installed yet (silent).
OUT_OF_SERVICE_DAYS = 7
# Never connected to: everything below runs in memory.
UNUSED_DATABASE_URL = "postgres://bench-planning-no-database@127.0.0.1:9/unused"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--warmup-days", type=int, default=56)
    parser.add_argument(
        "--sweep", action="store_true", help="sweep visit_cost even when the default knobs meet the target"
    )
    parser.add_argument("--no-distance", action="store_true", help="skip the drive lengths of (a) and (b)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count(), help="policy runs at a time (processes)")
    parser.add_argument(
        "--diagnose", action="store_true", help="also run (c'): the planner's stops filled to capacity, not pre-kitted"
    )
    return parser.parse_args()


def setup_django():
    """Django under the test settings, for the models' defaults and the engine's imports; no database."""
    print(f"uptime: {os.popen('uptime').read().strip()}")
    # The checkout first: this file's own name would otherwise shadow the planning app.
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = UNUSED_DATABASE_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "cvd_portal.settings.test"
    print(f"settings: {os.environ['DJANGO_SETTINGS_MODULE']} (no database)")
    import django

    django.setup()


setup_django()

from django.utils import timezone  # noqa: E402

from demo.fleet import plan_demo_fleet  # noqa: E402
from devices.models import Route  # noqa: E402
from metrics.models import UrgencyThresholds  # noqa: E402
from metrics.services.engine import (  # noqa: E402
    Rollup,
    SalesHistory,
    daily_velocity,
    days_remaining_inventory,
    velocity_window_start,
)
from planning import health  # noqa: E402
from planning.forecast import DemandHistory, forecast_demand  # noqa: E402
from planning.models import PlanningSettings  # noqa: E402
from planning.plans import ARRIVAL_TIME, Machine, PlanKnobs, Slot, decide_route_plan  # noqa: E402
from planning.routing import Point, route_distance_m, stop_order  # noqa: E402
from planning.selectors import FORECAST_DAYS, HISTORY_DAYS, RECENT_RATE_DAYS  # noqa: E402


def field_default(model, name):
    return model._meta.get_field(name).default


CRITICAL_DAYS = field_default(UrgencyThresholds, "critical_days")
DEFAULT_KNOBS = PlanKnobs(
    visit_cost=field_default(PlanningSettings, "visit_cost"),
    minimum_stop_value=field_default(PlanningSettings, "minimum_stop_value"),
    must_visit_sold_out_slots=field_default(PlanningSettings, "must_visit_sold_out_slots"),
    max_stops=field_default(PlanningSettings, "max_stops"),
)
NOT_SELLING_P = field_default(PlanningSettings, "not_selling_p_value")
SILENT_AFTER_HOURS = field_default(PlanningSettings, "silent_after_hours")


class World:
    """The demo fleet and its demand, as flat arrays: stocked slots, (machine, product) series, machines, routes,
    and the simulated days' vends sorted into half-day batches (by slot, then time)."""

    def __init__(self, *, devices, weeks, seed, warmup_days):
        self.zone = timezone.get_default_timezone()
        self.warmup = warmup_days
        self.days = 7 * weeks
        self.total_days = warmup_days + self.days
        end_date = SIMULATION_START + dt.timedelta(days=self.days)
        plan = plan_demo_fleet(devices=devices, days=self.total_days, seed=seed, end_date=end_date)
        self.first_day = end_date - dt.timedelta(days=self.total_days)
        self.n_devices = len(plan.devices)
        dates = [self.first_day + dt.timedelta(days=t) for t in range(self.total_days + 1)]
        self.midnight = np.array([dt.datetime.combine(d, dt.time.min, tzinfo=self.zone).timestamp() for d in dates])
        self.noon = np.array([dt.datetime.combine(d, ARRIVAL_TIME, tzinfo=self.zone).timestamp() for d in dates])

        table = plan.slots
        stocked = np.flatnonzero((table.product >= 0) & (table.capacity > 0))
        slot_of_table_row = np.full(len(table.product), -1)
        slot_of_table_row[stocked] = np.arange(len(stocked))
        self.slot_device = table.device[stocked]
        self.slot_product = table.product[stocked]
        self.capacity = table.capacity[stocked].astype(np.int64)
        self.cents = table.vend_cents[stocked].astype(np.int64)
        self.n_slots = len(stocked)
        pairs, self.slot_series = np.unique(
            np.stack([self.slot_device, self.slot_product], axis=1), axis=0, return_inverse=True
        )
        self.slot_series = self.slot_series.ravel()
        self.series_device, self.series_product = pairs[:, 0], pairs[:, 1]
        self.n_series = len(pairs)
        if len(np.unique(self.series_device)) != self.n_devices:
            sys.exit("Every machine needs a stocked slot: the forecast numbers machines by their series.")
        self.slot_static = [
            (
                int(i),
                table.position[stocked[i]],
                int(self.slot_product[i]),
                plan.products[self.slot_product[i]].name,
                int(self.capacity[i]),
                Decimal(int(self.cents[i])) / 100,
                plan.products[self.slot_product[i]].case_pack,
            )
            for i in range(self.n_slots)
        ]
        # Slots come grouped by cabinet, and so by machine.
        self.slots_of_device_array = np.split(np.arange(self.n_slots), np.flatnonzero(np.diff(self.slot_device)) + 1)
        self.slots_of_device = [part.tolist() for part in self.slots_of_device_array]

        self.device_route = np.array([device.route for device in plan.devices])
        self.assets = [device.asset for device in plan.devices]
        locations = [plan.locations[device.location] for device in plan.devices]
        self.location_names = [location.name for location in locations]
        self.points = [Point(float(location.latitude), float(location.longitude)) for location in locations]
        self.routes = [Route(number=route.number, service_days=list(route.service_days)) for route in plan.routes]
        self.depots = [Point(float(route.depot_latitude), float(route.depot_longitude)) for route in plan.routes]
        self.route_devices = [np.flatnonzero(self.device_route == r) for r in range(len(self.routes))]

        sales = plan.sales
        slot = slot_of_table_row[sales.slot]
        day = np.searchsorted(self.midnight, sales.sold_at, side="right") - 1
        self._in_service(day, slot)
        warm = day < self.warmup
        self.warmup_units = np.zeros((self.n_series, self.warmup), dtype=np.int64)
        np.add.at(self.warmup_units, (self.slot_series[slot[warm]], day[warm]), sales.units[warm])
        self.first_sale = np.full(self.n_series, np.inf)
        np.minimum.at(self.first_sale, self.slot_series[slot[warm]], sales.sold_at[warm])
        self.last_sale = np.full(self.n_devices, -np.inf)
        np.maximum.at(self.last_sale, self.slot_device[slot[warm]], sales.sold_at[warm])

        # The simulated days' vends in batches: day by day, the morning then the afternoon, by slot then time.
        sim = ~warm
        afternoon = sales.sold_at[sim] >= self.noon[day[sim]]
        batch = 2 * (day[sim] - self.warmup) + afternoon
        order = np.lexsort((sales.sold_at[sim], slot[sim], batch))
        self.vend_slot = slot[sim][order]
        self.vend_units = sales.units[sim][order].astype(np.int64)
        self.vend_at = sales.sold_at[sim][order]
        self.batch_bounds = np.searchsorted(batch[order], np.arange(2 * self.days + 1))
        self.demand = np.bincount(
            self.slot_series[self.vend_slot] * self.days + (batch[order] // 2),
            self.vend_units,
            minlength=self.n_series * self.days,
        ).reshape(self.n_series, self.days)
        # Units wanted at each slot before each half-day batch (column k: batches 0 … k-1), for the foresight row.
        by_batch = np.bincount(
            self.vend_slot * (2 * self.days) + batch[order], self.vend_units, minlength=self.n_slots * 2 * self.days
        ).reshape(self.n_slots, 2 * self.days)
        self.slot_demand_before = np.concatenate(
            [np.zeros((self.n_slots, 1), dtype=np.int64), np.cumsum(by_batch, axis=1)], axis=1
        )
        self.demand_units = int(self.vend_units.sum())
        self.demand_cents = int((self.vend_units * self.cents[self.vend_slot]).sum())

    def _in_service(self, day, slot):
        """``in_service[device, d]`` for the simulated days: from the machine's first demand to its last, where a
        quiet run of ``OUT_OF_SERVICE_DAYS`` or more at either end of the window means not installed yet or silent."""
        demanded = np.zeros((self.n_devices, self.total_days), dtype=bool)
        demanded[self.slot_device[slot], day] = True
        any_demand = demanded.any(axis=1)
        first = np.where(any_demand, np.argmax(demanded, axis=1), self.total_days)
        last = np.where(any_demand, self.total_days - 1 - np.argmax(demanded[:, ::-1], axis=1), -1)
        starts = np.where(first >= OUT_OF_SERVICE_DAYS, first, 0)
        ends = np.where(self.total_days - 1 - last >= OUT_OF_SERVICE_DAYS, last, self.total_days - 1)
        days = np.arange(self.total_days)
        in_service = (days[None, :] >= starts[:, None]) & (days[None, :] <= ends[:, None]) & any_demand[:, None]
        self.in_service = in_service[:, self.warmup :]

    def date(self, t: int) -> dt.date:
        return self.first_day + dt.timedelta(days=t)

    def moment(self, timestamp: float) -> dt.datetime:
        return dt.datetime.fromtimestamp(timestamp, tz=self.zone)

    def served_routes(self, t: int) -> list[int]:
        weekday = self.date(t).weekday()
        return [r for r, route in enumerate(self.routes) if weekday in route.service_days]


@dataclass
class Tally:
    visits: int = 0
    driver_days: int = 0
    delivered: int = 0
    pre_kitted: int = 0
    stockout_slot_days: int = 0
    stockout_slot_days_all: int = 0
    sold_units: int = 0
    lost_units: int = 0
    lost_cents: int = 0
    distance_m: float = 0.0
    seconds: float = 0.0
    deciding_seconds: float = 0.0
    route_days_planned: int = 0
    slots_refilled: int = 0
    refilled_level: float = 0.0
    case_cut_units: int = 0
    forecast_units: float = 0.0
    forecast_demand_units: int = 0
    forecast_abs_error: float = 0.0
    flagged_in_service: int = 0
    flagged_out_of_service: int = 0
    out_of_service_machine_days: int = 0


class Replay:
    """One policy's run over the world's simulated days: its stock, the sales history it writes, its tally."""

    def __init__(self, world: World):
        self.world = world
        self.stock = world.capacity.copy()
        self.sales = np.zeros((world.n_series, world.total_days), dtype=np.int64)
        self.sales[:, : world.warmup] = world.warmup_units
        # A series' day is censored when any of its slots stood empty at some point that day.
        self.empty = np.zeros((world.n_series, world.total_days), dtype=bool)
        self.first_sale = world.first_sale.copy()
        self.last_sale = world.last_sale.copy()
        self.last_visit = np.full(world.n_devices, -np.inf)
        self.tally = Tally()
        self.visited_sets = []

    def day(self, t: int, visited: np.ndarray, load: np.ndarray | None):
        """Run day ``t``: the morning's vends, the visits at noon (``load`` per slot; None: fill to capacity),
        the afternoon's vends."""
        world, tally = self.world, self.tally
        d = t - world.warmup
        empty = self.stock == 0
        self._vend(t, world.batch_bounds[2 * d], world.batch_bounds[2 * d + 1])
        empty |= self.stock == 0
        if visited.any():
            visiting = visited[world.slot_device]
            room = world.capacity - self.stock
            given = room if load is None else np.minimum(load, room)
            given = np.where(visiting, given, 0)
            self.stock += given
            tally.slots_refilled += int(visiting.sum())
            tally.refilled_level += float((self.stock[visiting] / world.capacity[visiting]).sum())
            tally.delivered += int(given.sum())
            if load is not None:
                tally.pre_kitted += int(load[visiting].sum())
            tally.visits += int(visited.sum())
            tally.driver_days += len(np.unique(world.device_route[visited]))
            self.last_visit[visited] = world.noon[t]
        self._vend(t, world.batch_bounds[2 * d + 1], world.batch_bounds[2 * d + 2])
        empty |= self.stock == 0
        tally.stockout_slot_days_all += int(empty.sum())
        tally.stockout_slot_days += int((empty & world.in_service[world.slot_device, d]).sum())
        self.empty[:, t] = np.bincount(world.slot_series, empty, minlength=world.n_series) > 0

    def _vend(self, t, start, end):
        """Serve the vends ``start`` … ``end - 1`` (sorted by slot, then time) from stock, in order."""
        world, tally = self.world, self.tally
        slot = world.vend_slot[start:end]
        if not len(slot):
            return
        units = world.vend_units[start:end]
        # Units wanted at the same slot before each vend: a running sum restarted at each slot.
        before = np.cumsum(units) - units
        first_of_slot = np.r_[True, slot[1:] != slot[:-1]]
        before -= before[first_of_slot][np.cumsum(first_of_slot) - 1]
        sold = np.clip(self.stock[slot] - before, 0, units)
        self.stock -= np.bincount(slot, sold, minlength=world.n_slots).astype(np.int64)
        lost = units - sold
        tally.sold_units += int(sold.sum())
        tally.lost_units += int(lost.sum())
        tally.lost_cents += int((lost * world.cents[slot]).sum())
        series = world.slot_series[slot]
        self.sales[:, t] += np.bincount(series, sold, minlength=world.n_series).astype(np.int64)
        selling = sold > 0
        np.minimum.at(self.first_sale, series[selling], world.vend_at[start:end][selling])
        np.maximum.at(self.last_sale, world.slot_device[slot[selling]], world.vend_at[start:end][selling])


class FixedWeekly:
    label = "(a) fixed weekly, fill to capacity"

    def decide(self, replay: Replay, t: int):
        world = replay.world
        visited = np.zeros(world.n_devices, dtype=bool)
        weekday = world.date(t).weekday()
        for r, route in enumerate(world.routes):
            if route.service_days and weekday == min(route.service_days):
                visited[world.route_devices[r]] = True
        return visited, None


class SpecRule:
    label = f"(b) spec: device DRI ≤ {CRITICAL_DAYS}, fill to capacity"

    def decide(self, replay: Replay, t: int):
        """Each served route's machines whose device DRI (the engine's rules on the sales before today) is at or
        below the critical threshold."""
        world = replay.world
        visited = np.zeros(world.n_devices, dtype=bool)
        routes = world.served_routes(t)
        if not routes:
            return visited, None
        now = dt.datetime.combine(world.date(t), dt.time.min, tzinfo=world.zone)
        window_from = max(0, (velocity_window_start(now) - world.first_day).days)
        in_window = replay.sales[:, window_from:t].sum(axis=1).tolist()
        all_time = replay.sales[:, :t].sum(axis=1).tolist()
        days_with_sales = (replay.sales[:, :t] > 0).sum(axis=1).tolist()
        velocity = {}
        stock = replay.stock.tolist()
        capacity = world.capacity.tolist()
        series_of = world.slot_series.tolist()
        for r in routes:
            for device in world.route_devices[r].tolist():
                rollup = Rollup()
                for slot in world.slots_of_device[device]:
                    series = series_of[slot]
                    if series not in velocity:
                        first = replay.first_sale[series]
                        history = SalesHistory(
                            units_in_window=in_window[series],
                            units_all_time=all_time[series],
                            first_sold_at=world.moment(first) if np.isfinite(first) else None,
                            days_with_sales=days_with_sales[series],
                        )
                        velocity[series] = daily_velocity(history, now)
                    quantity = stock[slot]
                    rollup.add_slot(
                        quantity=quantity,
                        capacity=capacity[slot],
                        days_remaining=days_remaining_inventory(quantity, velocity[series]),
                        sold_out=quantity == 0,
                    )
                visited[device] = rollup.days_remaining_inventory <= CRITICAL_DAYS
        return visited, None


class Foresight:
    """Not a policy anyone can run: the demand to come is known. On each service day a route's machines in
    service are visited (and filled to capacity) when waiting for the route's next service-day visit would cost
    at least ``tolerance`` stockout slot-days that a visit now would spare. At tolerance 1 these are the fewest
    visits that avoid every stockout a visit can avoid; higher tolerances trace what foresight trades."""

    def __init__(self, tolerance: int = 1):
        self.tolerance = tolerance
        self.label = f"(o) foresight, visit when waiting costs ≥ {tolerance} slot-day{'s' if tolerance > 1 else ''}"

    def decide(self, replay: Replay, t: int):
        world = replay.world
        visited = np.zeros(world.n_devices, dtype=bool)
        d = t - world.warmup
        day = world.date(t)
        for r in world.served_routes(t):
            devices = world.route_devices[r][world.in_service[world.route_devices[r], d]]
            if not len(devices):
                continue
            next_d = d + (world.routes[r].next_service_day(day) - day).days
            # Half-day batches from this morning through the next service day's morning (or the last simulated day).
            until = min(2 * next_d + 1, 2 * world.days)
            slots = np.concatenate([world.slots_of_device_array[device] for device in devices])
            wanted = (
                world.slot_demand_before[slots, 2 * d + 1 : until + 1] - world.slot_demand_before[slots, 2 * d][:, None]
            )
            dry = wanted >= replay.stock[slots][:, None]
            first_dry = np.where(dry.any(axis=1), dry.argmax(axis=1), -1)
            # A slot dry this morning stays dry today whatever happens at noon; one dry later is spared from that day.
            spared_from = np.where(first_dry == 0, d + 1, d + first_dry // 2)
            last = min(next_d, world.days - 1)
            spared = np.where(first_dry >= 0, np.maximum(0, last - spared_from + 1), 0)
            by_device = np.bincount(world.slot_device[slots], spared, minlength=world.n_devices)
            visited |= by_device >= self.tolerance
        return visited, None


class Planner:
    def __init__(self, knobs: PlanKnobs, *, fill_to_capacity: bool = False):
        self.knobs = knobs
        self.fill_to_capacity = fill_to_capacity
        self.label = (
            "(c') planner's stops, fill to capacity"
            if fill_to_capacity
            else f"(c) planner, visit_cost {knobs.visit_cost}"
        )

    def decide(self, replay: Replay, t: int):
        """The plans of the routes served on day ``t``, made at its midnight as ``planning.selectors.route_plan``
        makes them: history through yesterday, forecast from today, health, then ``decide_route_plan``."""
        world = replay.world
        visited = np.zeros(world.n_devices, dtype=bool)
        load = np.zeros(world.n_slots, dtype=np.int64)
        routes = world.served_routes(t)
        if not routes:
            return visited, load
        day = world.date(t)
        now = dt.datetime.combine(day, dt.time.min, tzinfo=world.zone)
        start = max(0, t - HISTORY_DAYS)
        # As ``planning.selectors.demand_history`` reads it: a product is offered from its first sale there on, and
        # an offered day is observed unless a slot holding it stood empty during it.
        first_sale_day = np.searchsorted(world.midnight, replay.first_sale, side="right") - 1
        stocked = np.arange(start, t)[None, :] >= first_sale_day[:, None]
        history = DemandHistory(
            device_ids=np.arange(world.n_devices),
            product_ids=world.series_product,
            device_index=world.series_device,
            first_day=world.date(start),
            units=replay.sales[:, start:t],
            observed=stocked & ~replay.empty[:, start:t],
            stocked=stocked,
        )
        forecast = forecast_demand(history, horizon=FORECAST_DAYS, not_selling_p=NOT_SELLING_P)
        # How the forecast of today's demand compares with the demand the day brings, on machines in service.
        in_service = world.in_service[world.series_device, t - world.warmup]
        actual = world.demand[in_service, t - world.warmup]
        replay.tally.forecast_units += float(forecast.mean[in_service, 0].sum())
        replay.tally.forecast_demand_units += int(actual.sum())
        replay.tally.forecast_abs_error += float(np.abs(forecast.mean[in_service, 0] - actual).sum())
        recent = history.units[:, -RECENT_RATE_DAYS:].sum(axis=1)
        rate = np.bincount(history.device_index, recent, minlength=world.n_devices) / RECENT_RATE_DAYS
        last_sale = {d: world.moment(s) for d, s in enumerate(replay.last_sale.tolist()) if np.isfinite(s)}
        last_dex = {d: world.moment(s) for d, s in enumerate(replay.last_visit.tolist()) if np.isfinite(s)}
        # The health rule as the portal applies it, with the simulation's last sale and DEX read in place of the
        # two grouped queries that read them from the database.
        with mock.patch.object(health, "last_data_times", return_value=(last_sale, last_dex)):
            machine_health = health.machines_health(
                forecast,
                list(range(world.n_devices)),
                now=now,
                silent_after_hours=SILENT_AFTER_HOURS,
                recent_units_a_day=dict(enumerate(rate.tolist())),
            )
        demand = forecast.by_device()
        stock = replay.stock.tolist()
        for r in routes:
            machines = []
            for device in world.route_devices[r].tolist():
                state = machine_health[device]
                in_service = bool(world.in_service[device, t - world.warmup])
                replay.tally.out_of_service_machine_days += not in_service
                if state.not_selling or state.silent:
                    replay.tally.flagged_in_service += in_service
                    replay.tally.flagged_out_of_service += not in_service
                machines.append(
                    Machine(
                        device_id=device,
                        asset=world.assets[device],
                        location_name=world.location_names[device],
                        point=world.points[device],
                        slots=tuple(
                            Slot(
                                slot_id=i,
                                position=position,
                                product_id=product,
                                product_name=name,
                                quantity=stock[i],
                                capacity=capacity,
                                price=price,
                                case_pack=case_pack,
                            )
                            for i, position, product, name, capacity, price, case_pack in (
                                world.slot_static[i] for i in world.slots_of_device[device]
                            )
                        ),
                        daily_demand=demand.get(device, {}),
                        not_selling=state.not_selling,
                        silent=state.silent,
                        last_sale_at=state.last_sale_at,
                    )
                )
            plan = decide_route_plan(
                machines,
                now=now,
                demand_from=day,
                day=day,
                next_day=world.routes[r].next_service_day(day),
                dispersion=forecast.dispersion,
                knobs=self.knobs,
                depot=world.depots[r],
            )
            replay.tally.distance_m += plan.distance_m
            replay.tally.route_days_planned += 1
            for stop in plan.stops:
                visited[stop.machine.device_id] = True
                for slot_load in stop.loads:
                    load[slot_load.slot.slot_id] = slot_load.load
                    room = max(0, slot_load.slot.capacity - math.ceil(slot_load.expected_at_arrival - 1e-9))
                    replay.tally.case_cut_units += room - slot_load.load
        return visited, (None if self.fill_to_capacity else load)


def run(world: World, policy, *, distances: bool) -> Tally:
    started = time.perf_counter()
    replay = Replay(world)
    deciding = 0.0
    for t in range(world.warmup, world.total_days):
        decided = time.perf_counter()
        visited, load = policy.decide(replay, t)
        deciding += time.perf_counter() - decided
        if distances and not isinstance(policy, Planner):
            for r in np.unique(world.device_route[visited]).tolist():
                replay.visited_sets.append((r, tuple(np.flatnonzero(visited & (world.device_route == r)).tolist())))
        replay.day(t, visited, load)
    if distances and not isinstance(policy, Planner):
        replay.tally.distance_m = drive_length(world, replay.visited_sets)
    replay.tally.seconds = time.perf_counter() - started
    replay.tally.deciding_seconds = deciding
    return replay.tally


def drive_length(world: World, route_days) -> float:
    """The drive of each (route, visited machines), as the planner orders its stops; repeated days solved once."""
    lengths = {}
    for key in route_days:
        if key not in lengths:
            route, devices = key
            points = [world.points[d] for d in devices]
            lengths[key] = route_distance_m(world.depots[route], points, stop_order(world.depots[route], points))
    return sum(lengths[key] for key in route_days)


def meets_target(ours: Tally, spec: Tally) -> str | None:
    """Which branch of the target ``ours`` meets against ``spec``, or None."""
    if ours.stockout_slot_days <= spec.stockout_slot_days and ours.visits <= (1 - TARGET_VISIT_CUT) * spec.visits:
        return f"≥ {TARGET_VISIT_CUT:.0%} fewer visits at no more stockout slot-days"
    if ours.visits <= spec.visits and ours.stockout_slot_days <= (1 - TARGET_STOCKOUT_CUT) * spec.stockout_slot_days:
        return f"≥ {TARGET_STOCKOUT_CUT:.0%} fewer stockout slot-days at no more visits"
    return None


COLUMNS = (
    ("visits", "visits", "{:,}"),
    ("driver-days", "driver_days", "{:,}"),
    ("units delivered", "delivered", "{:,}"),
    ("stockout slot-days", "stockout_slot_days", "{:,}"),
    ("lost units", "lost_units", "{:,}"),
    ("lost revenue $", "lost_cents", None),
    ("drive km", "distance_m", None),
)


def cell(tally: Tally, attribute: str, form) -> str:
    value = getattr(tally, attribute)
    if attribute == "lost_cents":
        return f"{value / 100:,.0f}"
    if attribute == "distance_m":
        return f"{value / 1000:,.0f}" if value else "-"
    return form.format(value)


def print_table(rows):
    label_width = max(len(label) for label, _ in rows)
    widths = [max(len(title), 11) for title, _, _ in COLUMNS]
    print(
        " " * label_width + "  " + "  ".join(f"{title:>{w}}" for (title, _, _), w in zip(COLUMNS, widths, strict=True))
    )
    for label, tally in rows:
        cells = [cell(tally, attribute, form) for _, attribute, form in COLUMNS]
        print(f"{label:<{label_width}}  " + "  ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))


def print_ratios(label, ours: Tally, spec: Tally, width):
    ratios = []
    for _, attribute, _ in COLUMNS:
        top, bottom = getattr(ours, attribute), getattr(spec, attribute)
        ratios.append(f"{top / bottom:.2f}" if bottom else "-")
    widths = [max(len(title), 11) for title, _, _ in COLUMNS]
    print(f"{label:<{width}}  " + "  ".join(f"{r:>{w}}" for r, w in zip(ratios, widths, strict=True)))


def run_policies(world: World, policies, *, distances: bool, jobs: int) -> list[Tally]:
    """Run each policy over the world, ``jobs`` at a time in forked processes (each run is independent)."""
    global _WORLD
    if jobs <= 1 or len(policies) == 1:
        return [run(world, policy, distances=distances) for policy in policies]
    _WORLD = world  # the children inherit it through fork, instead of unpickling a copy
    with multiprocessing.get_context("fork").Pool(min(jobs, len(policies))) as pool:
        return pool.starmap(_run_in_child, [(policy, distances) for policy in policies])


_WORLD = None


def _run_in_child(policy, distances):
    return run(_WORLD, policy, distances=distances)


def main(args):
    started = time.perf_counter()
    world = World(devices=args.devices, weeks=args.weeks, seed=args.seed, warmup_days=args.warmup_days)
    print(
        f"fleet: {world.n_devices:,} machines on {len(world.routes)} routes, {world.n_slots:,} stocked slots,"
        f" {world.n_series:,} machine-product series; planned in {time.perf_counter() - started:.1f} s"
    )
    served = sum(len(world.served_routes(t)) for t in range(world.warmup, world.total_days))
    print(
        f"simulated: {world.date(world.warmup)} … {world.date(world.total_days - 1)} ({world.days} days after"
        f" {world.warmup} of warm-up), {served:,} route service days; demand {world.demand_units:,} units"
        f" (${world.demand_cents / 100:,.0f})"
    )
    print(
        f"knobs (PlanningSettings defaults): visit_cost {DEFAULT_KNOBS.visit_cost}, minimum_stop_value"
        f" {DEFAULT_KNOBS.minimum_stop_value}, must_visit_sold_out_slots {DEFAULT_KNOBS.must_visit_sold_out_slots},"
        f" max_stops {DEFAULT_KNOBS.max_stops}; critical DRI ≤ {CRITICAL_DAYS} (UrgencyThresholds default);"
        f" {args.jobs} run(s) at a time"
    )
    policies = [FixedWeekly(), SpecRule(), Planner(DEFAULT_KNOBS)]
    if args.diagnose:
        policies += [Foresight(), Planner(DEFAULT_KNOBS, fill_to_capacity=True)]
    sweep = [
        Planner(replace(DEFAULT_KNOBS, visit_cost=cost))
        for cost in SWEEP_VISIT_COSTS
        if cost != DEFAULT_KNOBS.visit_cost
    ]
    # With --sweep the sweep's runs share the pool with the first ones; otherwise they wait for (c)'s verdict.
    first = policies + (sweep if args.sweep else [])
    tallies = run_policies(world, first, distances=not args.no_distance, jobs=args.jobs)
    fixed, spec, ours = tallies[:3]
    rows = [(policy.label, tally) for policy, tally in zip(policies, tallies, strict=False)]

    print()
    print_table(rows)
    width = max(len(label) for label, _ in rows)
    print_ratios("ratio (c)/(b)", ours, spec, width)
    print_ratios("ratio (a)/(b)", fixed, spec, width)
    print()
    for label, tally in rows:
        print(
            f"{label}: {100 * tally.lost_units / world.demand_units:.2f} % of demand lost; stockout slot-days with"
            f" out-of-service machines {tally.stockout_slot_days_all:,}; a refilled slot left at"
            f" {100 * tally.refilled_level / max(tally.slots_refilled, 1):.1f} % of capacity on average;"
            f" run {tally.seconds:.1f} s ({tally.deciding_seconds:.1f} s deciding)"
        )
    print(
        f"(c) pre-kitted {ours.pre_kitted:,} units, loaded {ours.delivered:,}, returned"
        f" {ours.pre_kitted - ours.delivered:,}; case rounding cut {ours.case_cut_units:,} units from the loads;"
        f" {ours.route_days_planned:,} route plans,"
        f" {1000 * ours.deciding_seconds / max(ours.route_days_planned, 1):.0f} ms each (forecast and health included)"
    )
    print(
        f"(c) forecast of each planned day's demand, machines in service: Σ forecast ÷ Σ demand"
        f" {ours.forecast_units / max(ours.forecast_demand_units, 1):.3f}, Σ|forecast − demand| ÷ Σ demand"
        f" {ours.forecast_abs_error / max(ours.forecast_demand_units, 1):.3f} (per machine-product-day)"
    )
    print(
        f"(c) machines flagged not selling or silent on their route's service days: {ours.flagged_in_service:,}"
        f" machine-days while in service, {ours.flagged_out_of_service:,} of {ours.out_of_service_machine_days:,}"
        " while out of service"
    )
    print()
    met = meets_target(ours, spec)
    if met:
        print(f"target MET at the default knobs: {met}")
    else:
        print(
            f"target NOT MET at the default knobs: visits {ours.visits / spec.visits:.2f}× and stockout slot-days"
            f" {ours.stockout_slot_days / spec.stockout_slot_days:.2f}× (b)'s; wanted ≤ {1 - TARGET_VISIT_CUT:.2f}×"
            f" and ≤ 1.00×, or ≤ 1.00× and ≤ {1 - TARGET_STOCKOUT_CUT:.2f}×"
        )

    if not met or args.sweep:
        swept = tallies[len(policies) :] if args.sweep else run_policies(world, sweep, distances=False, jobs=args.jobs)
        by_cost = dict(zip((policy.knobs.visit_cost for policy in sweep), swept, strict=True))
        by_cost[DEFAULT_KNOBS.visit_cost] = ours
        print()
        print(
            f"sweep of visit_cost for (c), against (b): {spec.visits:,} visits,"
            f" {spec.stockout_slot_days:,} stockout slot-days, ${spec.lost_cents / 100:,.0f} lost"
        )
        print(
            f"{'visit_cost':>10}  {'visits':>8}  {'× (b)':>6}  {'stockout slot-days':>18}  {'× (b)':>6}"
            f"  {'lost $':>9}  {'× (b)':>6}  target"
        )
        any_met = False
        for cost in sorted(by_cost):
            tally = by_cost[cost]
            branch = meets_target(tally, spec)
            any_met |= branch is not None
            print(
                f"{cost:>10.2f}  {tally.visits:>8,}  {tally.visits / spec.visits:>6.2f}"
                f"  {tally.stockout_slot_days:>18,}  {tally.stockout_slot_days / spec.stockout_slot_days:>6.2f}"
                f"  {tally.lost_cents / 100:>9,.0f}  {tally.lost_cents / spec.lost_cents:>6.2f}  {branch or 'not met'}"
            )
        print(f"some visit_cost meets the target: {'yes' if any_met else 'no'}")

    if args.diagnose:
        print()
        print("foresight frontier (the demand to come known: not a runnable policy), against (b):")
        print(f"{'tolerance':>10}  {'visits':>8}  {'× (b)':>6}  {'stockout slot-days':>18}  {'× (b)':>6}  target")
        for tolerance in FORESIGHT_TOLERANCES:
            tally = run(world, Foresight(tolerance), distances=False)
            print(
                f"{tolerance:>10}  {tally.visits:>8,}  {tally.visits / spec.visits:>6.2f}"
                f"  {tally.stockout_slot_days:>18,}  {tally.stockout_slot_days / spec.stockout_slot_days:>6.2f}"
                f"  {meets_target(tally, spec) or 'not met'}"
            )

    print()
    print(f"wall time: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main(parse_args())
