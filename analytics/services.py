"""Writes to sales data and the rollups derived from it."""

import datetime as dt
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from devices.models import Device

from .models import DailyProductSales, DeviceDailySales, DeviceProductSales, Sale


def local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the operator's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@transaction.atomic
def sales_rollups_rebuild(*, device_ids: Iterable[int] | None = None, since: dt.date | None = None) -> None:
    """Recompute the rollups from the raw sales, for some devices and days or for all.

    The daily product rollup is rebuilt for the given days; the device-day rollup for the same days
    and the all-time totals for the given devices are then summed from it (the totals' window counts
    left for ``sales_windows_refresh``).
    Delete-and-insert in one transaction, grouped in the database (``INSERT … SELECT``), so
    both are exact and no row passes through Python.
    """
    sales = Sale.objects.all()
    days = DailyProductSales.objects.all()
    device_days = DeviceDailySales.objects.all()
    totals = DeviceProductSales.objects.all()
    if device_ids is not None:
        device_ids = list(device_ids)
        sales = sales.filter(device_id__in=device_ids)
        days = days.filter(device_id__in=device_ids)
        device_days = device_days.filter(device_id__in=device_ids)
        totals = totals.filter(device_id__in=device_ids)
    if since is not None:
        sales = sales.filter(sold_at__gte=local_midnight(since))
        days = days.filter(date__gte=since)
        device_days = device_days.filter(date__gte=since)

    days.delete()
    _insert_from_select(
        DailyProductSales,
        ["device_id", "product_id", "date", "units", "revenue", "transactions", "first_sold_at", "last_sold_at"],
        sales.annotate(day=TruncDate("sold_at", tzinfo=timezone.get_current_timezone()))
        .values("device_id", "product_id", "day")
        .annotate(
            total_units=Sum("units"),
            total_revenue=Sum("cash_amount"),
            sale_count=Count("id"),
            first=Min("sold_at"),
            last=Max("sold_at"),
        ),
    )
    running_totals_refresh(device_ids=device_ids, since=since)
    device_days.delete()
    _insert_from_select(
        DeviceDailySales,
        ["device_id", "date", "units", "revenue", "transactions", "first_sold_at", "last_sold_at"],
        days.values("device_id", "date").annotate(
            total_units=Sum("units"),
            total_revenue=Sum("revenue"),
            sale_count=Sum("transactions"),
            first=Min("first_sold_at"),
            last=Max("last_sold_at"),
        ),
    )
    totals.delete()
    all_days = DailyProductSales.objects.all()
    if device_ids is not None:
        all_days = all_days.filter(device_id__in=device_ids)
    _insert_from_select(
        DeviceProductSales,
        ["device_id", "product_id", "units", "revenue", "days_with_sales", "first_sold_at", "last_sold_at"],
        all_days.values("device_id", "product_id").annotate(
            total_units=Sum("units"),
            total_revenue=Sum("revenue"),
            day_count=Count("id"),
            first=Min("first_sold_at"),
            last=Max("last_sold_at"),
        ),
    )


def running_totals_refresh(*, device_ids: list[int] | None = None, since: dt.date | None = None) -> None:
    """Set ``units_to_date`` and ``revenue_to_date`` of the daily rollup rows from ``since`` on.

    One ``UPDATE … FROM`` over a window sum per device-product in date order (PostgreSQL, and
    SQLite from 3.33): the sums run over the devices' whole history, the writes touch the rebuilt days only.
    """
    table = DailyProductSales._meta.db_table
    where, params = [], []
    if device_ids is not None:
        where.append(f"device_id IN ({', '.join(['%s'] * len(device_ids))})")
        params += device_ids
    history = f"WHERE {where[0]}" if where else ""
    rebuilt = ""
    if since is not None:
        rebuilt = f"AND {table}.date >= %s"
        params.append(since)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET units_to_date = running.units, revenue_to_date = running.revenue"
            f" FROM (SELECT id, SUM(units) OVER product_days AS units, SUM(revenue) OVER product_days AS revenue"
            f" FROM {table} {history}"
            " WINDOW product_days AS (PARTITION BY device_id, product_id ORDER BY date)) AS running"
            f" WHERE {table}.id = running.id {rebuilt}",
            params,
        )


def sales_windows_refresh(*, devices, window_start: dt.date) -> None:
    """Count each device-product's units since ``window_start`` where the count is for another window.

    A window opens at local midnight, so this works once a day (and after totals are rebuilt);
    otherwise it finds nothing to do with one cheap query. A fixed number of queries either way.
    """
    stale = DeviceProductSales.objects.filter(device__in=devices).exclude(window_start=window_start)
    # Asked first: an UPDATE with a correlated subquery is costed high enough for PostgreSQL to
    # JIT-compile it, a quarter of a second spent even when no row needs it.
    if not stale.exists():
        return
    units = (
        DailyProductSales.objects.filter(device=OuterRef("device"), product=OuterRef("product"), date__gte=window_start)
        .order_by()
        .values("device")
        .annotate(total=Sum("units"))
        .values("total")
    )
    stale.update(units_in_window=Coalesce(Subquery(units), 0), window_start=window_start)


def _insert_from_select(model, columns: list[str], grouped) -> None:
    """``INSERT INTO model (columns) <grouped>``: the grouped queryset's columns, in order."""
    select_sql, params = grouped.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) {select_sql}", params)


@transaction.atomic
def sales_recorded(*, device_ids: Iterable[int], since: dt.date | None = None) -> None:
    """Every path that writes sales calls this: the rollups catch up and the metrics go stale.

    ``since`` is the earliest local day the new sales fall on (None: rebuild all days).
    """
    device_ids = sorted(set(device_ids))
    # Lock the devices first, in the order the metrics engine locks them, so the two never deadlock.
    list(Device.all_objects.filter(pk__in=device_ids).order_by("pk").select_for_update().values_list("pk"))
    sales_rollups_rebuild(device_ids=device_ids, since=since)
    Device.all_objects.filter(pk__in=device_ids).update(sales_recorded_at=timezone.now())
