"""Reads for the reports: a device's daily and hourly series, its analysis, the fleet's daily revenue."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractHour
from django.utils import timezone

from devices.models import Device
from sales.models import DeviceDailySales, Sale
from sales.services import local_midnight

from .date_range import DateRange
from .device_analysis import device_analysis


def device_daily_series(*, device, start: dt.date, end: dt.date) -> list[dict]:
    """One row per local day from ``start`` to ``end`` (inclusive), days without sales as zeros.

    Each row: ``date``, ``units``, ``revenue`` (Decimal), ``transactions`` (sales rows), and the day's
    ``first_sale`` and ``last_sale`` as local times (None without sales). Read in one query from the
    exact device-day rollup, which already holds each day's first and last sale, so the raw sales need
    not be read for them.
    """
    days = {row.date: row for row in DeviceDailySales.objects.filter(device=device, date__range=(start, end))}
    series = []
    for offset in range(DateRange(start, end).days):
        day = start + dt.timedelta(days=offset)
        row = days.get(day)
        series.append(
            {
                "date": day,
                "units": row.units if row else 0,
                "revenue": row.revenue if row else Decimal("0.00"),
                "transactions": row.transactions if row else 0,
                "first_sale": timezone.localtime(row.first_sold_at).time() if row else None,
                "last_sale": timezone.localtime(row.last_sold_at).time() if row else None,
            }
        )
    return series


def device_hourly_pattern(*, device, start: dt.date, end: dt.date) -> list[dict]:
    """Units and transactions per local hour of day (0–23) over the range's local days, in one grouped query.

    Hours are the operator's wall-clock hours: on a DST change day the skipped hour gets nothing and
    the repeated hour gets both.
    """
    zone = timezone.get_current_timezone()
    sales = Sale.objects.filter(device=device, sold_at__gte=local_midnight(start))
    if end < dt.date.max:  # the calendar's last day never ends: no upper bound
        sales = sales.filter(sold_at__lt=local_midnight(end + dt.timedelta(days=1)))
    counts = {
        row["hour"]: row
        for row in sales.annotate(hour=ExtractHour("sold_at", tzinfo=zone))
        .values("hour")
        .annotate(hour_units=Sum("units"), hour_transactions=Count("id"))
        .order_by("hour")
    }
    return [
        {
            "hour": hour,
            "units": counts[hour]["hour_units"] if hour in counts else 0,
            "transactions": counts[hour]["hour_transactions"] if hour in counts else 0,
        }
        for hour in range(24)
    ]


def device_sales_analysis(*, device, start: dt.date, end: dt.date, threshold: float) -> dict:
    """Volume, trends, forecast and anomalies of one device over local days ``start``–``end``: two queries."""
    return device_analysis(
        daily=device_daily_series(device=device, start=start, end=end),
        hourly=device_hourly_pattern(device=device, start=start, end=end),
        threshold=threshold,
    )


def fleet_daily_revenue(devices: QuerySet[Device], start: dt.date, end: dt.date) -> list[dict]:
    """The devices' revenue summed per local day from the device-day rollup, zero-filled: one query."""
    totals = dict(
        DeviceDailySales.objects.filter(device_id__in=devices.values("pk"), date__gte=start, date__lte=end)
        .values("date")
        .annotate(day_revenue=Sum("revenue"))
        .values_list("date", "day_revenue")
        .order_by()
    )
    days = [start + dt.timedelta(days=n) for n in range(DateRange(start, end).days)]
    return [{"date": day.isoformat(), "revenue": float(totals.get(day, 0))} for day in days]
