"""The metrics rules, slot → cabinet → device, each checked against hand-worked numbers."""

import datetime as dt

import pytest

from devices.services import device_soft_delete
from devices.tests.factories import CabinetFactory, DeviceFactory
from metrics.models import CabinetMetrics, DeviceMetrics, SlotMetrics
from metrics.services import engine
from metrics.services.engine import recalculate_metrics
from planograms.filtersets import PlanogramSlotFilterSet
from planograms.models import PlanogramSlot
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import SaleFactory, local_datetime, sale_on

pytestmark = pytest.mark.django_db

NOW = local_datetime(dt.date(2026, 3, 20), 15)


def days_ago(days):
    """The local date ``days`` days before NOW's."""
    return NOW.date() - dt.timedelta(days=days)


@pytest.fixture
def cabinet():
    return PlanogramFactory().cabinet


def slot(cabinet, position, quantity, capacity=10, product="new", par_level=0):
    if product == "new":
        product = ProductFactory()
    return PlanogramSlotFactory(
        planogram=cabinet.planogram,
        position=position,
        quantity=quantity,
        capacity=capacity,
        par_level=par_level,
        product=product,
    )


def calculate():
    sales_rollups_rebuild()
    return recalculate_metrics(now=NOW)


def metrics_of(slot):
    return SlotMetrics.objects.get(slot=slot)


def test_sold_out_is_a_slot_with_quantity_zero(cabinet):
    empty, stocked = slot(cabinet, "A1", 0), slot(cabinet, "A2", 3)
    calculate()
    assert metrics_of(empty).is_sold_out and not metrics_of(stocked).is_sold_out
    assert CabinetMetrics.objects.get(cabinet=cabinet).sold_out_count == 1


def test_the_engine_and_the_sold_out_filter_count_the_same_slots(cabinet):
    sold_out = [slot(cabinet, "A1", 0), slot(cabinet, "A2", 0, capacity=1)]
    slot(cabinet, "A3", 4)
    slot(cabinet, "A4", 0, capacity=0)  # maintenance
    slot(cabinet, "A5", 0, product=None)  # unassigned and empty

    calculate()

    filtered = PlanogramSlotFilterSet({"sold_out": "true"}, queryset=PlanogramSlot.objects.all()).qs
    assert sorted(filtered.values_list("pk", flat=True)) == sorted(s.pk for s in sold_out)
    assert sorted(SlotMetrics.objects.filter(is_sold_out=True).values_list("slot_id", flat=True)) == sorted(
        s.pk for s in sold_out
    )
    assert CabinetMetrics.objects.get(cabinet=cabinet).sold_out_count == 2


def test_new_product_with_no_history_uses_the_minimum_velocity(cabinet):
    fresh = slot(cabinet, "A1", 5)
    calculate()
    assert metrics_of(fresh).daily_velocity == 0.1
    assert metrics_of(fresh).days_remaining_inventory == 50


def test_partial_history_shorter_than_28_days_still_divides_by_28(cabinet):
    s = slot(cabinet, "A1", 5)
    sale_on(cabinet.device, s.product, days_ago(3), units=14)  # 14 units in the last days → 0.5 a day
    calculate()
    assert metrics_of(s).sales_28_day == 14
    assert metrics_of(s).daily_velocity == 0.5
    assert metrics_of(s).days_remaining_inventory == 10


def test_full_history_counts_only_the_28_day_window(cabinet):
    s = slot(cabinet, "A1", 7)
    sale_on(cabinet.device, s.product, days_ago(10), units=56)
    # Before the window: ignored while the window has sales.
    sale_on(cabinet.device, s.product, days_ago(40), units=1000)
    calculate()
    m = metrics_of(s)
    assert (m.sales_28_day, m.sales_all_time, m.days_with_sales) == (56, 1056, 2)
    assert m.daily_velocity == 2.0 and m.days_remaining_inventory == 3


def test_history_older_than_the_window_gives_the_historical_rate(cabinet):
    s = slot(cabinet, "A1", 5)
    # 60 elapsed days (in UTC: local wall-clock arithmetic would cross the March DST change)
    first_sale = NOW.astimezone(dt.UTC) - dt.timedelta(days=60)
    # 30 units over 60 days → 0.5 a day
    SaleFactory(device=cabinet.device, product=s.product, units=30, sold_at=first_sale)
    calculate()
    m = metrics_of(s)
    assert m.sales_28_day == 0 and m.daily_velocity == 0.5 and m.days_remaining_inventory == 10


def test_dri_is_exact_not_floating_point(cabinet):
    s = slot(cabinet, "A1", 3)
    sale_on(cabinet.device, s.product, days_ago(1), units=28)  # exactly 1 a day: 3 units last 3 days, not 2.999…
    calculate()
    assert metrics_of(s).days_remaining_inventory == 3


def test_dri_is_capped_at_999(cabinet):
    s = slot(cabinet, "A1", 200, capacity=200)
    calculate()
    assert metrics_of(s).days_remaining_inventory == 999


def test_product_level_rounds_halves_up(cabinet):
    s = slot(cabinet, "A1", 1, capacity=8)  # 12.5 %
    calculate()
    assert metrics_of(s).product_level_percent == 13
    assert CabinetMetrics.objects.get(cabinet=cabinet).product_level_percent == 13


def test_units_to_par_is_capacity_minus_quantity(cabinet):
    s = slot(cabinet, "A1", 3, capacity=10, par_level=6)
    calculate()
    assert metrics_of(s).units_to_par == 7


def test_empty_slot_has_dri_zero_but_does_not_lower_the_cabinet_dri(cabinet):
    empty = slot(cabinet, "A1", 0)
    slot(cabinet, "A2", 5)  # no history: 50 days
    calculate()
    assert metrics_of(empty).days_remaining_inventory == 0
    cabinet_metrics = CabinetMetrics.objects.get(cabinet=cabinet)
    assert cabinet_metrics.days_remaining_inventory == 50
    assert cabinet_metrics.sold_out_count == 1


def test_stocked_slot_whose_dri_truncates_to_zero_makes_the_cabinet_critical(cabinet):
    fast = slot(cabinet, "A1", 1)
    sale_on(cabinet.device, fast.product, days_ago(2), units=56)  # 2 a day, 1 left: DRI 0 with stock on hand
    slot(cabinet, "A2", 5)
    calculate()
    assert metrics_of(fast).days_remaining_inventory == 0
    assert CabinetMetrics.objects.get(cabinet=cabinet).days_remaining_inventory == 0
    assert DeviceMetrics.objects.get(device=cabinet.device).days_remaining_inventory == 0


def test_cabinet_with_only_empty_slots_has_dri_999(cabinet):
    slot(cabinet, "A1", 0)
    calculate()
    assert CabinetMetrics.objects.get(cabinet=cabinet).days_remaining_inventory == 999


def test_zero_capacity_maintenance_slot_is_left_out_of_every_metric(cabinet):
    maintenance = slot(cabinet, "A1", 0, capacity=0)
    slot(cabinet, "A2", 5, capacity=10)
    calculate()
    assert not SlotMetrics.objects.filter(slot=maintenance).exists()
    cabinet_metrics = CabinetMetrics.objects.get(cabinet=cabinet)
    assert (cabinet_metrics.sold_out_count, cabinet_metrics.total_capacity, cabinet_metrics.units_to_par) == (0, 10, 5)


def test_unassigned_slot_is_left_out_of_every_metric(cabinet):
    unassigned = slot(cabinet, "A1", 0, capacity=10, product=None)
    slot(cabinet, "A2", 5, capacity=10)
    calculate()
    assert not SlotMetrics.objects.filter(slot=unassigned).exists()
    cabinet_metrics = CabinetMetrics.objects.get(cabinet=cabinet)
    assert (cabinet_metrics.sold_out_count, cabinet_metrics.units_to_par, cabinet_metrics.product_level_percent) == (
        0,
        5,
        50,
    )


def test_cabinet_with_no_capacity_has_no_product_level(cabinet):
    slot(cabinet, "A1", 0, capacity=0)
    calculate()
    assert CabinetMetrics.objects.get(cabinet=cabinet).product_level_percent is None


def test_device_rolls_up_its_cabinets():
    device = DeviceFactory()
    first = PlanogramFactory(cabinet=CabinetFactory(device=device, index=1)).cabinet
    second = PlanogramFactory(cabinet=CabinetFactory(device=device, index=2)).cabinet
    slot(first, "A1", 0, capacity=4)
    slot(first, "A2", 3, capacity=4)  # 30 days
    s = slot(second, "A1", 2, capacity=5)
    sale_on(device, s.product, days_ago(5), units=28)  # 1 a day → 2 days
    calculate()
    device_metrics = DeviceMetrics.objects.get(device=device)
    assert device_metrics.sold_out_count == 1
    assert device_metrics.days_remaining_inventory == 2
    assert device_metrics.units_to_par == 4 + 1 + 3
    assert device_metrics.product_level_percent == 38  # 5 of 13 = 38.46 %
    assert CabinetMetrics.objects.get(cabinet=first).days_remaining_inventory == 30


def test_same_product_in_two_slots_shares_the_device_velocity(cabinet):
    product = ProductFactory()
    a, b = slot(cabinet, "A1", 4, product=product), slot(cabinet, "A2", 8, product=product)
    sale_on(cabinet.device, product, days_ago(1), units=56)  # 2 a day for the product at this device
    calculate()
    assert (metrics_of(a).days_remaining_inventory, metrics_of(b).days_remaining_inventory) == (2, 4)


def test_sales_of_the_product_at_another_device_do_not_count(cabinet):
    s = slot(cabinet, "A1", 5)
    sale_on(DeviceFactory(), s.product, days_ago(1), units=50)
    calculate()
    assert metrics_of(s).sales_28_day == 0


def test_the_window_opens_at_local_midnight_in_the_operator_time_zone(cabinet):
    inside, outside = slot(cabinet, "A1", 5), slot(cabinet, "A2", 5)
    sale_on(cabinet.device, inside.product, days_ago(28), hour=0, minute=30, units=28)  # the window's first day
    # 23:30 local the evening before is already the next day in UTC; it is outside the window.
    sale_on(cabinet.device, outside.product, days_ago(29), hour=23, minute=30, units=28)
    calculate()
    assert metrics_of(inside).sales_28_day == 28
    assert metrics_of(outside).sales_28_day == 0


def test_device_without_planogram_is_skipped():
    bare = CabinetFactory().device
    calculate()
    assert not DeviceMetrics.objects.filter(device=bare).exists()


def test_soft_deleted_device_is_excluded_and_loses_its_metrics(cabinet):
    slot(cabinet, "A1", 5)
    calculate()
    device_soft_delete(device=cabinet.device)
    calculate()
    assert not DeviceMetrics.objects.filter(device=cabinet.device).exists()
    assert not SlotMetrics.objects.filter(device=cabinet.device).exists()


def test_slot_turned_into_maintenance_loses_its_metrics(cabinet):
    s = slot(cabinet, "A1", 0)
    calculate()
    s.capacity = 0
    s.save()
    calculate()
    assert not SlotMetrics.objects.filter(slot=s).exists()


def test_recalculating_chosen_devices_leaves_the_others_alone(cabinet):
    slot(cabinet, "A1", 5)
    other = PlanogramFactory().cabinet
    slot(other, "A1", 5)
    calculate()
    before = DeviceMetrics.objects.get(device=other.device).last_calculated
    later = NOW + dt.timedelta(hours=1)
    result = recalculate_metrics(device_ids=[cabinet.device_id], now=later)
    assert result.devices == 1 and result.slots == 1
    assert DeviceMetrics.objects.get(device=cabinet.device).last_calculated == later
    assert DeviceMetrics.objects.get(device=other.device).last_calculated == before


def test_a_failed_run_leaves_the_previous_metrics_intact(cabinet, monkeypatch):
    s = slot(cabinet, "A1", 5)
    calculate()
    s.quantity = 1
    s.save()

    def fail_on_device_metrics(model, objs):
        if model is DeviceMetrics:
            raise RuntimeError("disk full")
        return real_bulk_upsert(model, objs)

    real_bulk_upsert = engine.bulk_upsert
    monkeypatch.setattr(engine, "bulk_upsert", fail_on_device_metrics)
    with pytest.raises(RuntimeError):
        recalculate_metrics(now=NOW + dt.timedelta(hours=1))
    assert metrics_of(s).units_to_par == 5
    assert metrics_of(s).last_calculated == NOW
    assert DeviceMetrics.objects.get(device=cabinet.device).last_calculated == NOW
