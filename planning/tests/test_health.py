"""Machine health from the database: a machine that stops is flagged soon, a slow one never."""

import datetime as dt

import pytest

from devices.models import Device
from devices.tests.factories import DeviceFactory
from planning.selectors import fleet_outlook
from planograms.tests.factories import ProductFactory
from sales.services import sales_recorded
from sales.tests.factories import dex_read, local_datetime, sale_on

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)
NOW = local_datetime(TODAY, 9)


def sells(device, product, *, per_day, days, every=1, stop_days_before_today=0):
    """``per_day`` units at noon on every ``every``-th day for ``days`` days, stopping a few days before today."""
    for back in range(stop_days_before_today + 1, stop_days_before_today + days + 1, every):
        sale_on(device, product, TODAY - dt.timedelta(days=back), units=per_day)


def health_of(*devices):
    sales_recorded(device_ids=[device.pk for device in devices])
    return fleet_outlook(devices=Device.objects.filter(pk__in=[d.pk for d in devices]), now=NOW).health


def test_a_busy_machine_that_stopped_yesterday_is_flagged_not_selling_while_its_reads_arrive():
    # Ten a day for six weeks, none yesterday: P(no sale in a day) = e^-10. Its DEX reads still arrive.
    stopped = DeviceFactory()
    sells(stopped, ProductFactory(), per_day=10, days=42, stop_days_before_today=1)
    dex_read(stopped, NOW - dt.timedelta(hours=2))

    health = health_of(stopped)[stopped.pk]

    assert health.not_selling and not health.silent
    assert health.status == "not selling"
    assert health.last_sale_at == local_datetime(TODAY - dt.timedelta(days=2))


def test_a_busy_machine_that_stopped_sending_anything_is_silent():
    # Ten a day, nothing at all for three days (72 h > 48 h + its usual 2.4 h between sales).
    gone = DeviceFactory()
    sells(gone, ProductFactory(), per_day=10, days=42, stop_days_before_today=3)

    health = health_of(gone)[gone.pk]

    assert health.silent and not health.not_selling
    assert health.needs_attention


def test_a_naturally_slow_machine_is_neither():
    # One unit every fourth day; the last three days without a sale are its normal rhythm.
    slow = DeviceFactory()
    sells(slow, ProductFactory(), per_day=1, days=44, every=4, stop_days_before_today=3)

    health = health_of(slow)[slow.pk]

    assert not health.not_selling and not health.silent
    assert health.status == "ok"


def test_a_machine_selling_as_usual_is_ok_and_forecast():
    busy = DeviceFactory()
    product = ProductFactory()
    sells(busy, product, per_day=5, days=42)

    sales_recorded(device_ids=[busy.pk])
    outlook = fleet_outlook(devices=Device.objects.filter(pk=busy.pk), now=NOW)

    assert outlook.health[busy.pk].status == "ok"
    assert outlook.forecast.by_device()[busy.pk][product.pk][:7] == pytest.approx([5.0] * 7, rel=0.02)
    assert outlook.today == TODAY
