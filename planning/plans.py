"""The visit plan of a route's day: which machines to visit, in which order, and what to load into each.

A pure function of the fleet's state (``Machine``: stock per slot, demand forecast, health) and the
clock, so that tests and the replay simulator drive it without a database.

For each machine the planner weighs visiting it on the planned day against waiting for the route's
next service day, in expected revenue: the units the machine would fail to sell by then (its
forecast demand beyond its stock, a negative binomial around the forecast mean) if it waits, less
what it would still fail to sell if visited and filled to capacity. A machine is a stop when

- it is neither *not selling* nor *silent* (those go to the office's attention list, never loaded), and
- it holds at least ``must_visit_sold_out_slots`` sold-out slots (must-visit), or what waiting would
  lose is worth more than ``visit_cost`` and its load more than ``minimum_stop_value``;

must-visits first, then by value, up to ``max_stops``; then ordered for the shortest drive from
the depot (``planning.routing``).

The load (pre-kit) of each slot is its capacity less the stock it is expected to hold at the planned
arrival (midday of the planned day), never negative; where the product comes in cases and at least
one case fits, whole cases only (never more than fits).
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np
from scipy import stats

from .forecast import probability_demand_at_least
from .routing import Point, route_distance_m, stop_order

ARRIVAL_TIME = dt.time(12, 0)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Slot:
    slot_id: int
    position: str
    product_id: int
    product_name: str
    quantity: int
    capacity: int
    price: Decimal
    case_pack: int | None = None
    cabinet_index: int = 1

    @property
    def label(self) -> str:
        """The position as a driver finds it: with its cabinet where the machine has more than the first."""
        return self.position if self.cabinet_index == 1 else f"C{self.cabinet_index}·{self.position}"


@dataclass(frozen=True)
class Machine:
    """One machine as the planner sees it: where, its slots, and its products' expected daily demand
    from ``demand_from`` on (``daily_demand[product_id][k]``: units on ``demand_from + k`` days)."""

    device_id: int
    asset: str
    location_name: str
    point: Point | None
    slots: tuple[Slot, ...]
    daily_demand: dict[int, np.ndarray]
    not_selling: bool = False
    silent: bool = False
    last_sale_at: dt.datetime | None = None


@dataclass(frozen=True)
class PlanKnobs:
    visit_cost: Decimal
    minimum_stop_value: Decimal
    must_visit_sold_out_slots: int
    max_stops: int


@dataclass(frozen=True)
class SlotLoad:
    slot: Slot
    expected_at_arrival: float
    load: int
    sell_out_probability: float
    sell_out_at: dt.datetime | None

    @property
    def units_to_par(self) -> int:
        """The spec's UTP (capacity − quantity now), shown beside the load for comparison."""
        return self.slot.capacity - self.slot.quantity


@dataclass(frozen=True)
class MachineDecision:
    machine: Machine
    value: Decimal
    lost_units_if_waiting: float
    sold_out_slots: int
    must_visit: bool
    loads: tuple[SlotLoad, ...]

    @property
    def load_units(self) -> int:
        return sum(load.load for load in self.loads)

    @property
    def load_value(self) -> Decimal:
        return sum((load.slot.price * load.load for load in self.loads), Decimal(0))


@dataclass(frozen=True)
class RoutePlan:
    day: dt.date
    next_service_day: dt.date
    stops: tuple[MachineDecision, ...]
    skipped: tuple[MachineDecision, ...]
    attention: tuple[Machine, ...]
    distance_m: float = 0.0
    warehouse_totals: dict[int, int] = field(default_factory=dict)


def _demand_between(machine: Machine, product_id: int, demand_from: dt.date, start: dt.datetime, end: dt.datetime):
    """Expected units of a product at the machine from ``start`` to ``end``, spread evenly over each day."""
    daily = machine.daily_demand.get(product_id)
    if daily is None or end <= start:
        return 0.0
    origin = dt.datetime.combine(demand_from, dt.time.min, tzinfo=start.tzinfo)

    def cumulative(moment):
        days = (moment - origin) / DAY
        whole = min(max(math.floor(days), 0), len(daily))
        total = float(daily[:whole].sum())
        if whole < len(daily):
            total += float(daily[whole]) * max(0.0, days - whole)
        else:  # beyond the forecast: its last day repeats
            total += float(daily[-1]) * max(0.0, days - len(daily))
        return total

    return max(0.0, cumulative(end) - cumulative(start))


def expected_shortfall(stock, mean, dispersion: float) -> np.ndarray:
    """E[max(0, X − stock)] for demand X with the given means: the units a slot fails to sell."""
    stock = np.asarray(stock, dtype=int)
    mean = np.asarray(mean, dtype=float)
    top = int(stock.max(initial=0))
    if top == 0:
        return mean.copy()
    k = np.arange(top)
    if dispersion <= 1.0 + 1e-9:
        survival = stats.poisson.sf(k[None, :], mean[:, None])
    else:
        size = np.maximum(mean / (dispersion - 1.0), 1e-12)
        survival = stats.nbinom.sf(k[None, :], size[:, None], 1.0 / dispersion)
    # E[min(X, stock)] = Σ_{k < stock} P(X > k).
    sold = (survival * (k[None, :] < stock[:, None])).sum(axis=1)
    return np.maximum(mean - sold, 0.0)


def _slot_shares(machine) -> list[float]:
    """Each slot's share of its product's demand at the machine: by capacity, as facings share the buyers."""
    capacity_of = {}
    for slot in machine.slots:
        capacity_of[slot.product_id] = capacity_of.get(slot.product_id, 0) + slot.capacity
    return [slot.capacity / max(capacity_of[slot.product_id], 1) for slot in machine.slots]


def _slot_demand(machine, shares, demand_from, start, end) -> np.ndarray:
    """Each slot's expected units over [start, end), its ``shares`` of its product's."""
    return np.array(
        [
            _demand_between(machine, slot.product_id, demand_from, start, end) * share
            for slot, share in zip(machine.slots, shares, strict=True)
        ]
    )


def expected_sell_out_at(
    machine: Machine, slot: Slot, share: float, *, now: dt.datetime, demand_from: dt.date
) -> dt.datetime | None:
    """When the slot's expected demand (its ``share`` of its product's) uses up its stock, at the
    forecast's daily rates spread evenly over each day; None when that is beyond the forecast."""
    daily = machine.daily_demand.get(slot.product_id)
    if slot.quantity == 0:
        return now
    if daily is None:
        return None
    left = float(slot.quantity)
    moment = now
    origin = dt.datetime.combine(demand_from, dt.time.min, tzinfo=now.tzinfo)
    for k, units in enumerate(daily):
        day_end = origin + (k + 1) * DAY
        if day_end <= moment:
            continue
        rate = units * share / (DAY / dt.timedelta(hours=1))  # units an hour
        hours = (day_end - moment) / dt.timedelta(hours=1)
        if rate * hours >= left:
            return moment + dt.timedelta(hours=left / rate)
        left -= rate * hours
        moment = day_end
    return None


def _case_rounded(room: int, case_pack: int | None) -> int:
    if case_pack and room >= case_pack:
        return room - room % case_pack
    return room


def decide_machine(
    machine: Machine,
    *,
    now: dt.datetime,
    demand_from: dt.date,
    day: dt.date,
    next_day: dt.date,
    dispersion: float,
    knobs: PlanKnobs,
) -> MachineDecision:
    """What visiting ``machine`` on ``day`` is worth against waiting for ``next_day``, and its load."""
    zone = now.tzinfo
    arrival = max(now, dt.datetime.combine(day, ARRIVAL_TIME, tzinfo=zone))
    next_arrival = dt.datetime.combine(next_day, ARRIVAL_TIME, tzinfo=zone)
    stock = np.array([slot.quantity for slot in machine.slots], dtype=int)
    capacity = np.array([slot.capacity for slot in machine.slots], dtype=int)
    shares = _slot_shares(machine)
    until_arrival = _slot_demand(machine, shares, demand_from, now, arrival)
    until_next = _slot_demand(machine, shares, demand_from, now, next_arrival)
    after_visit = _slot_demand(machine, shares, demand_from, arrival, next_arrival)

    lost_waiting = expected_shortfall(stock, until_next, dispersion)
    lost_visiting = expected_shortfall(stock, until_arrival, dispersion) + expected_shortfall(
        capacity, after_visit, dispersion
    )
    saved = np.maximum(lost_waiting - lost_visiting, 0.0)
    prices = [slot.price for slot in machine.slots]
    value = sum((price * Decimal(f"{units:.4f}") for price, units in zip(prices, saved, strict=True)), Decimal(0))

    # Expected stock at arrival: E[max(0, stock − X)] = stock − mean + E[max(0, X − stock)].
    at_arrival = stock - until_arrival + expected_shortfall(stock, until_arrival, dispersion)
    sold_out_by_next = probability_demand_at_least(stock, until_next, dispersion)
    loads = tuple(
        SlotLoad(
            slot=slot,
            expected_at_arrival=float(expected),
            load=_case_rounded(max(0, slot.capacity - math.ceil(expected - 1e-9)), slot.case_pack),
            sell_out_probability=float(probability),
            sell_out_at=expected_sell_out_at(machine, slot, share, now=now, demand_from=demand_from),
        )
        for slot, share, expected, probability in zip(machine.slots, shares, at_arrival, sold_out_by_next, strict=True)
    )
    sold_out = int(sum(1 for slot in machine.slots if slot.quantity == 0))
    return MachineDecision(
        machine=machine,
        value=value.quantize(Decimal("0.01")),
        lost_units_if_waiting=float(lost_waiting.sum()),
        sold_out_slots=sold_out,
        must_visit=knobs.must_visit_sold_out_slots > 0 and sold_out >= knobs.must_visit_sold_out_slots,
        loads=loads,
    )


def _worth_a_stop(decision: MachineDecision, knobs: PlanKnobs) -> bool:
    return (
        decision.value > knobs.visit_cost
        and decision.load_units > 0
        and decision.load_value >= knobs.minimum_stop_value
    )


def decide_route_plan(
    machines,
    *,
    now: dt.datetime,
    demand_from: dt.date,
    day: dt.date,
    next_day: dt.date,
    dispersion: float,
    knobs: PlanKnobs,
    depot: Point | None,
) -> RoutePlan:
    """The plan of a route's ``day``: its stops in driving order with their loads, the machines left
    for later, and those the office must look at."""
    attention = tuple(machine for machine in machines if machine.not_selling or machine.silent)
    decisions = [
        decide_machine(
            machine, now=now, demand_from=demand_from, day=day, next_day=next_day, dispersion=dispersion, knobs=knobs
        )
        for machine in machines
        if not (machine.not_selling or machine.silent)
    ]
    worth = [decision for decision in decisions if decision.must_visit or _worth_a_stop(decision, knobs)]
    worth.sort(key=lambda decision: (not decision.must_visit, -decision.value, decision.machine.asset))
    chosen = worth[: knobs.max_stops]
    chosen_ids = {decision.machine.device_id for decision in chosen}
    skipped = tuple(
        sorted(
            (decision for decision in decisions if decision.machine.device_id not in chosen_ids),
            key=lambda decision: (-decision.value, decision.machine.asset),
        )
    )
    placed = [decision for decision in chosen if decision.machine.point is not None]
    unplaced = [decision for decision in chosen if decision.machine.point is None]
    points = [decision.machine.point for decision in placed]
    order = stop_order(depot, points)
    stops = tuple([placed[i] for i in order] + sorted(unplaced, key=lambda decision: decision.machine.asset))
    totals: dict[int, int] = {}
    for decision in stops:
        for load in decision.loads:
            if load.load:
                totals[load.slot.product_id] = totals.get(load.slot.product_id, 0) + load.load
    return RoutePlan(
        day=day,
        next_service_day=next_day,
        stops=stops,
        skipped=skipped,
        attention=attention,
        distance_m=route_distance_m(depot, points, order) if points else 0.0,
        warehouse_totals=totals,
    )
