"""The daily rollups equal a plain pass over the raw sales, however sales arrive."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from devices.models import Device
from devices.tests.factories import DeviceFactory
from planograms.tests.factories import ProductFactory
from sales.models import DailyProductSales, DeviceDailySales, DeviceProductSales, Sale
from sales.services import sales_recorded, sales_rollups_rebuild, sales_windows_refresh
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.TIME_ZONE)
START = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def expected_rollup():
    days = defaultdict(lambda: {"units": 0, "revenue": Decimal(0), "transactions": 0, "first": None, "last": None})
    for sale in Sale.objects.all():
        day = days[(sale.device_id, sale.product_id, sale.sold_at.astimezone(ZONE).date())]
        day["units"] += sale.units
        day["revenue"] += sale.cash_amount
        day["transactions"] += 1
        day["first"] = min(filter(None, [day["first"], sale.sold_at]))
        day["last"] = max(filter(None, [day["last"], sale.sold_at]))
    running = defaultdict(lambda: (0, Decimal(0)))
    for key in sorted(days, key=lambda key: key[2]):
        units, revenue = running[key[:2]]
        running[key[:2]] = units + days[key]["units"], revenue + days[key]["revenue"]
        days[key]["units_to_date"], days[key]["revenue_to_date"] = running[key[:2]]
    return dict(days)


def expected_device_days():
    days = defaultdict(lambda: {"units": 0, "revenue": Decimal(0), "transactions": 0, "first": None, "last": None})
    for sale in Sale.objects.all():
        day = days[(sale.device_id, sale.sold_at.astimezone(ZONE).date())]
        day["units"] += sale.units
        day["revenue"] += sale.cash_amount
        day["transactions"] += 1
        day["first"] = min(filter(None, [day["first"], sale.sold_at]))
        day["last"] = max(filter(None, [day["last"], sale.sold_at]))
    return dict(days)


def stored_device_days():
    return {
        (r.device_id, r.date): {
            "units": r.units,
            "revenue": r.revenue,
            "transactions": r.transactions,
            "first": r.first_sold_at,
            "last": r.last_sold_at,
        }
        for r in DeviceDailySales.objects.all()
    }


def expected_totals():
    totals = {}
    for (device, product, _day), row in expected_rollup().items():
        total = totals.setdefault(
            (device, product),
            {"units": 0, "revenue": Decimal(0), "days": 0, "first": row["first"], "last": row["last"]},
        )
        total["units"] += row["units"]
        total["revenue"] += row["revenue"]
        total["days"] += 1
        total["first"] = min(total["first"], row["first"])
        total["last"] = max(total["last"], row["last"])
    return totals


def stored_totals():
    return {
        (t.device_id, t.product_id): {
            "units": t.units,
            "revenue": t.revenue,
            "days": t.days_with_sales,
            "first": t.first_sold_at,
            "last": t.last_sold_at,
        }
        for t in DeviceProductSales.objects.all()
    }


def stored_rollup():
    return {
        (r.device_id, r.product_id, r.date): {
            "units": r.units,
            "revenue": r.revenue,
            "transactions": r.transactions,
            "first": r.first_sold_at,
            "last": r.last_sold_at,
            "units_to_date": r.units_to_date,
            "revenue_to_date": r.revenue_to_date,
        }
        for r in DailyProductSales.objects.all()
    }


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    batches=st.lists(
        st.lists(
            st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(1, 3), st.integers(0, 40 * 24 * 60)),
            min_size=1,
            max_size=8,
        ),
        min_size=1,
        max_size=4,
    )
)
def test_rollup_kept_by_sales_recorded_equals_the_raw_sales(batches):
    Sale.objects.all().delete()
    DailyProductSales.objects.all().delete()
    DeviceDailySales.objects.all().delete()
    devices = list(Device.objects.order_by("pk")[:2]) or [DeviceFactory(), DeviceFactory()]
    products = [ProductFactory(), ProductFactory()]
    for batch in batches:
        new = [
            SaleFactory(
                device=devices[d],
                product=products[p],
                units=units,
                cash_amount=Decimal("1.25") * units,
                sold_at=START + dt.timedelta(minutes=minutes),
            )
            for d, p, units, minutes in batch
        ]
        sales_recorded(device_ids={s.device_id for s in new}, since=min(s.sold_at.astimezone(ZONE).date() for s in new))
    assert stored_rollup() == expected_rollup()
    assert stored_device_days() == expected_device_days()


def test_full_rebuild_equals_the_raw_sales():
    device, product = DeviceFactory(), ProductFactory()
    late_evening = dt.datetime(2026, 3, 7, 23, 30, tzinfo=ZONE)  # next day in UTC
    SaleFactory(device=device, product=product, units=2, cash_amount=Decimal("3.00"), sold_at=late_evening)
    SaleFactory(
        device=device, product=product, units=1, cash_amount=Decimal("1.50"), sold_at=late_evening.replace(hour=9)
    )
    sales_rollups_rebuild()
    assert stored_rollup() == expected_rollup()
    assert stored_totals() == expected_totals()
    assert stored_device_days() == expected_device_days()
    (day,) = DailyProductSales.objects.all()
    assert (day.date, day.units, day.revenue, day.transactions) == (dt.date(2026, 3, 7), 3, Decimal("4.50"), 2)


def test_sales_recorded_marks_the_devices_metrics_stale():
    device = DeviceFactory()
    SaleFactory(device=device)
    sales_recorded(device_ids=[device.pk])
    device.refresh_from_db()
    assert device.sales_recorded_at is not None


def test_window_counts_follow_the_window_and_are_refreshed_once_per_window():
    device, product = DeviceFactory(), ProductFactory()
    for day, units in ((1, 2), (5, 3), (9, 4)):
        SaleFactory(device=device, product=product, units=units, sold_at=START + dt.timedelta(days=day, hours=12))
    sales_rollups_rebuild()
    devices = Device.objects.filter(pk=device.pk)
    totals = DeviceProductSales.objects.get()
    assert totals.window_start is None  # not counted until the metrics engine asks

    window_start = (START + dt.timedelta(days=5)).astimezone(ZONE).date()
    sales_windows_refresh(devices=devices, window_start=window_start)
    totals.refresh_from_db()
    assert (totals.window_start, totals.units_in_window) == (window_start, 7)

    Sale.objects.filter(units=4).delete()  # not through a service: the count stays for this window
    sales_windows_refresh(devices=devices, window_start=window_start)
    totals.refresh_from_db()
    assert totals.units_in_window == 7
