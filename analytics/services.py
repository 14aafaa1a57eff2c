"""Writes to sales data and the rollups derived from it."""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from devices.models import Device

from .models import DailyProductSales, Sale


def local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the operator's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@transaction.atomic
def daily_sales_rebuild(*, device_ids: Iterable[int] | None = None, since: dt.date | None = None) -> None:
    """Recompute the daily rollup from the raw sales, for some devices and days or for all.

    Delete-and-insert in one transaction, grouped in the database (``INSERT … SELECT``),
    so the rollup is exact and the work never passes through Python row by row.
    """
    sales = Sale.objects.all()
    rollup = DailyProductSales.objects.all()
    if device_ids is not None:
        device_ids = list(device_ids)
        sales = sales.filter(device_id__in=device_ids)
        rollup = rollup.filter(device_id__in=device_ids)
    if since is not None:
        sales = sales.filter(sold_at__gte=local_midnight(since))
        rollup = rollup.filter(date__gte=since)
    rollup.delete()

    grouped = (
        sales.annotate(day=TruncDate("sold_at", tzinfo=timezone.get_current_timezone()))
        .values("device_id", "product_id", "day")
        .annotate(
            total_units=Sum("units"),
            total_revenue=Sum("cash_amount"),
            sale_count=Count("id"),
            first=Min("sold_at"),
            last=Max("sold_at"),
        )
        .order_by()
    )
    select_sql, params = grouped.query.sql_with_params()
    table = DailyProductSales._meta.db_table
    columns = "device_id, product_id, date, units, revenue, transactions, first_sold_at, last_sold_at"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) {select_sql}", params)


@transaction.atomic
def sales_recorded(*, device_ids: Iterable[int], since: dt.date | None = None) -> None:
    """Every path that writes sales calls this: the rollup catches up and the metrics go stale.

    ``since`` is the earliest local day the new sales fall on (None: rebuild all days).
    """
    device_ids = sorted(set(device_ids))
    daily_sales_rebuild(device_ids=device_ids, since=since)
    Device.all_objects.filter(pk__in=device_ids).update(sales_recorded_at=timezone.now())
