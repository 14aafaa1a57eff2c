"""The planner's decisions on small fleets whose right answer is plain."""

import datetime as dt
import math
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from planning.plans import Machine, PlanKnobs, Slot, decide_route_plan, expected_shortfall
from planning.routing import Point

ZONE = ZoneInfo("America/Chicago")
MONDAY = dt.date(2026, 11, 30)
NOW = dt.datetime.combine(MONDAY, dt.time(6, 0), tzinfo=ZONE)
KNOBS = PlanKnobs(
    visit_cost=Decimal("15.00"), minimum_stop_value=Decimal("0"), must_visit_sold_out_slots=3, max_stops=20
)
DEPOT = Point(41.80, -87.70)


def machine(device_id, *, quantities, capacity=10, daily=1.0, point=None, case_pack=None, **health) -> Machine:
    """A machine whose slots each hold a product of its own selling ``daily`` units a day at $2."""
    slots = tuple(
        Slot(
            slot_id=device_id * 100 + i,
            position=f"A{i + 1}",
            product_id=i + 1,
            product_name=f"Product {i + 1}",
            quantity=quantity,
            capacity=capacity,
            price=Decimal("2.00"),
            case_pack=case_pack,
        )
        for i, quantity in enumerate(quantities)
    )
    return Machine(
        device_id=device_id,
        asset=f"M{device_id:03d}",
        location_name=f"Site {device_id}",
        point=point or Point(41.80, -87.70 + 0.01 * device_id),
        slots=slots,
        daily_demand={slot.product_id: np.full(14, daily) for slot in slots},
        **health,
    )


def plan(machines, *, day=MONDAY, next_day=MONDAY + dt.timedelta(days=7), knobs=KNOBS, depot=DEPOT):
    return decide_route_plan(
        machines, now=NOW, demand_from=MONDAY, day=day, next_day=next_day, dispersion=1.0, knobs=knobs, depot=depot
    )


def assets(decisions):
    return [decision.machine.asset for decision in decisions]


def test_the_obvious_visit_is_chosen_and_the_pointless_one_is_not():
    # M001 sells 3 a day per slot from 2 units each: it runs dry today and would lose most of a week.
    # M002 is full and sells 0.1 a day: nothing to gain before next Monday.
    busy = machine(1, quantities=[2, 2, 2, 2], daily=3.0)
    idle = machine(2, quantities=[10, 10, 10, 10], daily=0.1)

    result = plan([busy, idle])

    assert assets(result.stops) == ["M001"]
    assert assets(result.skipped) == ["M002"]
    stop = result.stops[0]
    assert stop.value > KNOBS.visit_cost
    assert stop.machine is busy


def test_a_machine_with_enough_sold_out_slots_is_visited_whatever_its_value():
    sold_out = machine(1, quantities=[0, 0, 0, 10], daily=0.05)

    result = plan([sold_out])

    assert assets(result.stops) == ["M001"]
    assert result.stops[0].must_visit
    assert result.stops[0].value < KNOBS.visit_cost


def test_not_selling_and_silent_machines_are_never_loaded_but_listed():
    broken = machine(1, quantities=[0, 0, 0, 0], daily=3.0, not_selling=True)
    silent = machine(2, quantities=[0, 0, 0, 0], daily=3.0, silent=True)
    fine = machine(3, quantities=[0, 0, 0, 0], daily=3.0)

    result = plan([broken, silent, fine])

    assert assets(result.stops) == ["M003"]
    assert [m.asset for m in result.attention] == ["M001", "M002"]


def test_the_most_valuable_stops_are_kept_when_a_day_has_room_for_fewer():
    knobs = PlanKnobs(visit_cost=Decimal(0), minimum_stop_value=Decimal(0), must_visit_sold_out_slots=0, max_stops=2)
    machines = [machine(i, quantities=[2, 2], daily=float(i)) for i in range(1, 5)]

    result = plan(machines, knobs=knobs)

    assert sorted(assets(result.stops)) == ["M003", "M004"]


def test_stops_are_ordered_for_the_shortest_drive_from_the_depot():
    # Machines east of the depot on one street, listed out of order: visited outwards, or the reverse.
    east = [machine(i, quantities=[0, 0, 0], daily=2.0, point=Point(41.80, -87.70 + 0.02 * i)) for i in (3, 1, 4, 2)]

    order = assets(plan(east).stops)

    assert order in (["M001", "M002", "M003", "M004"], ["M004", "M003", "M002", "M001"])


def test_the_load_fills_the_expected_gap_at_arrival_never_beyond_capacity():
    # 6 units now, 2 a day, arrival at noon today (6 hours after now): 0.5 units sold by then.
    result = plan([machine(1, quantities=[6, 0, 0], daily=2.0)])

    load = result.stops[0].loads[0]
    assert load.expected_at_arrival == pytest.approx(5.5, abs=0.01)
    assert load.load == 10 - math.ceil(load.expected_at_arrival)  # room for 4
    assert load.units_to_par == 4  # the spec's UTP, capacity − quantity now
    assert all(0 <= slot_load.load <= slot_load.slot.capacity for slot_load in result.stops[0].loads)


@pytest.mark.parametrize(("quantity", "case_pack", "expected_load"), [(3, 6, 6), (0, 6, 6), (9, 6, 1), (0, None, 10)])
def test_loads_come_in_whole_cases_where_one_fits(quantity, case_pack, expected_load):
    # Capacity 10 and hardly any demand: room 7 → one case of 6; room 10 → one case (12 would not fit);
    # room 1 → less than a case, loaded loose; no case pack → the room. Three sold-out slots make it a stop.
    single = machine(1, quantities=[quantity, 0, 0, 0], daily=0.001, case_pack=case_pack)

    result = plan([single])

    assert result.stops[0].loads[0].load == expected_load


def test_the_warehouse_totals_sum_the_loads_per_product():
    result = plan([machine(1, quantities=[0, 5], daily=1.0), machine(2, quantities=[0, 0, 0], daily=1.0)])

    totals = {}
    for stop in result.stops:
        for load in stop.loads:
            totals[load.slot.product_id] = totals.get(load.slot.product_id, 0) + load.load
    assert result.warehouse_totals == {product: units for product, units in totals.items() if units}


def _poisson_shortfall(stock, mean):
    """E[max(0, X − stock)] for X ~ Poisson(mean), summed term by term."""
    total, probability, k = 0.0, math.exp(-mean), 0
    while k < stock + 200:
        total += max(0, k - stock) * probability
        k += 1
        probability *= mean / k
    return total


@pytest.mark.parametrize(("stock", "mean"), [(0, 2.0), (1, 0.5), (5, 5.0), (10, 3.0), (3, 12.0)])
def test_expected_shortfall_is_the_poisson_expectation(stock, mean):
    got = expected_shortfall(np.array([stock]), np.array([mean]), 1.0)[0]

    assert got == pytest.approx(_poisson_shortfall(stock, mean), abs=1e-9)


def test_a_slot_sells_out_when_its_expected_demand_uses_up_its_stock():
    # 6 units now (Monday 06:00), 2 a day spread evenly: 1.5 by midnight, the other 4.5 take 2.25 days.
    result = plan([machine(1, quantities=[6, 0, 0], daily=2.0)])

    load = result.stops[0].loads[0]
    assert load.sell_out_at == dt.datetime.combine(MONDAY, dt.time(0), tzinfo=ZONE) + dt.timedelta(days=3.25)
    assert result.stops[0].loads[1].sell_out_at == NOW  # already empty
