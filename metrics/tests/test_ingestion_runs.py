"""Recorded sales reach the rollup the engine reads, make their devices stale, and start the incremental run."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun, SlotMetrics
from metrics.services.engine import recalculate_metrics
from metrics.services.runs import devices_needing_recalculation
from sales.models import DailyProductSales, Sale
from sales.services import sales_record, sales_rollups_rebuild
from sales.tests.entries import SOLD_AT, sale_entry, stocked_slots
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slots():
    return stocked_slots()


def test_recorded_sales_reach_the_rollup_and_make_the_devices_stale(slots):
    recalculate_metrics()
    assert list(devices_needing_recalculation()) == []
    old = SaleFactory(device=slots[0].planogram.cabinet.device, product=slots[0].product, sold_at=SOLD_AT, units=4)
    sales_rollups_rebuild()
    entries = [
        sale_entry(slots[0], 2, sold_at=SOLD_AT + dt.timedelta(days=1)),
        sale_entry(slots[0], 1, sold_at=SOLD_AT),
    ]

    sales_record(entries=entries)

    day_units = Counter()
    for sale in Sale.objects.all():
        day_units[timezone.localdate(sale.sold_at)] += sale.units
    assert dict(DailyProductSales.objects.values_list("date", "units")) == dict(day_units)
    assert old.units + 3 == sum(day_units.values())
    assert list(devices_needing_recalculation()) == [slots[0].planogram.cabinet.device_id]


def test_the_incremental_metrics_run_starts_on_commit_and_sees_the_new_stock(slots, django_capture_on_commit_callbacks):
    recalculate_metrics()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sales_record(entries=[sale_entry(slots[0], 3)])

    assert len(callbacks) >= 1
    run = MetricsRun.objects.get()
    assert (run.scope, run.status) == (MetricsRunScope.INCREMENTAL, MetricsRunStatus.SUCCEEDED)
    assert SlotMetrics.objects.get(slot=slots[0]).units_to_par == slots[0].capacity - 2
    assert list(devices_needing_recalculation()) == []
