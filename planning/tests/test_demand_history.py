"""The history the forecast learns from, read from the rollups and the inventory movements."""

import datetime as dt

import numpy as np
import pytest

from devices.models import Device
from planning.selectors import demand_history
from planograms.choices import InventoryMovementReason
from planograms.models import InventoryMovement
from planograms.tests.factories import PlanogramSlotFactory, ProductFactory
from sales.services import sales_recorded
from sales.tests.factories import local_datetime, sale_on

pytestmark = pytest.mark.django_db

LAST_DAY = dt.date(2026, 11, 29)
DAYS = 10
FIRST_DAY = LAST_DAY - dt.timedelta(days=DAYS - 1)


def moved(slot, day, hour, before, after, reason=InventoryMovementReason.SALE):
    InventoryMovement.objects.create(
        slot=slot, reason=reason, quantity_before=before, quantity_after=after, occurred_at=local_datetime(day, hour)
    )


def day(index):
    return FIRST_DAY + dt.timedelta(days=index)


def test_days_a_slot_stood_empty_are_censored_and_days_before_the_first_sale_not_stocked():
    slot = PlanogramSlotFactory(quantity=4)
    device = slot.planogram.cabinet.device
    for index in range(2, DAYS):
        sale_on(device, slot.product, day(index), units=2)
    sales_recorded(device_ids=[device.pk])
    # Sold out at 15:00 on day 4, refilled at 09:00 on day 6: days 4, 5 and 6 saw it empty a while.
    moved(slot, day(4), 15, before=1, after=0)
    moved(slot, day(6), 9, before=0, after=10, reason=InventoryMovementReason.RESTOCK)

    history = demand_history(devices=Device.objects.all(), last_day=LAST_DAY, days=DAYS)

    assert history.first_day == FIRST_DAY
    assert history.units.tolist() == [[0, 0] + [2] * 8]
    assert history.stocked.tolist() == [[False, False] + [True] * 8]
    assert np.flatnonzero(history.stocked[0] & ~history.observed[0]).tolist() == [4, 5, 6]


def test_a_slot_still_empty_is_censored_to_the_end_and_one_refilled_without_a_seen_emptying_from_the_start():
    emptied = PlanogramSlotFactory(quantity=0)
    device = emptied.planogram.cabinet.device
    refilled = PlanogramSlotFactory(planogram=emptied.planogram, quantity=8)
    for product in (emptied.product, refilled.product):
        sale_on(device, product, FIRST_DAY - dt.timedelta(days=30))
    sales_recorded(device_ids=[device.pk])
    moved(emptied, day(7), 12, before=1, after=0)
    moved(refilled, day(2), 12, before=0, after=8, reason=InventoryMovementReason.RESTOCK)

    history = demand_history(devices=Device.objects.all(), last_day=LAST_DAY, days=DAYS)

    censored = {
        int(product): np.flatnonzero(~observed).tolist()
        for product, observed in zip(history.product_ids, history.observed, strict=True)
    }
    assert censored == {emptied.product_id: [7, 8, 9], refilled.product_id: [0, 1, 2]}


def test_an_empty_slot_that_never_moved_is_censored_throughout():
    slot = PlanogramSlotFactory(quantity=0)
    sale_on(slot.planogram.cabinet.device, slot.product, FIRST_DAY - dt.timedelta(days=30))
    other = ProductFactory()
    sales_recorded(device_ids=[slot.planogram.cabinet.device_id])

    history = demand_history(devices=Device.objects.all(), last_day=LAST_DAY, days=DAYS)

    assert history.product_ids.tolist() == [slot.product_id]
    assert not history.observed.any() and history.stocked.all()
    assert other.pk not in history.product_ids


@pytest.mark.parametrize("machines", [1, 6])
def test_it_reads_in_four_queries_whatever_the_fleet(django_assert_num_queries, machines):
    for _ in range(machines):
        slot = PlanogramSlotFactory(quantity=0)
        sale_on(slot.planogram.cabinet.device, slot.product, day(3))
        moved(slot, day(5), 12, before=1, after=0)
    sales_recorded(device_ids=list(Device.objects.values_list("pk", flat=True)))

    with django_assert_num_queries(4):
        demand_history(devices=Device.objects.all(), last_day=LAST_DAY, days=DAYS)
