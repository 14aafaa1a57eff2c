"""The sales rollups: rebuilt from the raw sales, or added to by a batch of newly recorded sales."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from cvd_portal.db import bulk_insert, listed_rows, update_by_id
from devices.locking import devices_lock
from devices.models import Device
from sales.models import DailyProductSales, DeviceDailySales, DeviceProductSales, Sale

if TYPE_CHECKING:
    from sales.services.ingestion import SaleEntry


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

    One ``UPDATE … FROM`` over a window sum per device-product in date order: the sums run over the
    devices' whole history, the writes touch the rebuilt days only.
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
    devices_lock(device_ids=device_ids)
    sales_rollups_rebuild(device_ids=device_ids, since=since)
    Device.all_objects.filter(pk__in=device_ids).update(sales_recorded_at=timezone.now())


@transaction.atomic
def sales_rollups_add(*, entries: Sequence["SaleEntry"]) -> None:
    """Add newly recorded sales to the rollups, as ``sales_rollups_rebuild`` would have them.

    The rebuild re-sums the touched devices' whole history (seconds for a fleet-wide batch); this
    adds the batch's sums instead, with a fixed number of statements whose work follows the batch,
    not the history: the daily product rollup (and its running totals from the batch's first day
    of each product on), the device-day rollup, and the all-time totals with their window counts.
    Tests compare the result with a rebuild. The caller holds the devices locked.
    """
    days, device_days, totals = {}, {}, {}
    local = timezone.get_current_timezone()
    for entry in entries:
        day = entry.sold_at.astimezone(local).date()
        for rollup, key in (
            (days, (entry.device_id, entry.product_id, day)),
            (device_days, (entry.device_id, day)),
            (totals, (entry.device_id, entry.product_id)),
        ):
            sums = rollup.get(key)
            if sums is None:
                rollup[key] = _RollupSums(entry.units, entry.cash_amount, 1, entry.sold_at, entry.sold_at)
            else:
                sums.add(entry)

    existing_totals = _rollup_existing(
        DeviceProductSales,
        ("device_id", "product_id"),
        totals,
        read=("window_start", "units", "revenue", "last_sold_at"),
    )
    running = _running_totals_added(days, existing_totals)
    new_days = _rollup_add(
        DailyProductSales,
        ("device_id", "product_id", "date"),
        days,
        count="transactions",
        more={"units_to_date": running.units, "revenue_to_date": running.revenue},
        new_rows_more={"units_to_date": running.units_before, "revenue_to_date": running.revenue_before},
    )
    if running.backfilled:
        _running_totals_from(running.backfilled)
    _rollup_add(DeviceDailySales, ("device_id", "date"), device_days, count="transactions")

    window_units = defaultdict(int)  # units of the batch in each counted total's window
    for (device_id, product_id, day), sums in days.items():
        totals[device_id, product_id].count = 0
        window_start = existing_totals.get((device_id, product_id), (None, None))[1]
        if window_start is not None and day >= window_start:
            window_units[device_id, product_id] += sums.units
    for device_id, product_id, _ in new_days:
        totals[device_id, product_id].count += 1
    _rollup_add(
        DeviceProductSales,
        ("device_id", "product_id"),
        totals,
        count="days_with_sales",
        more={"units_in_window": window_units},
    )


@dataclass
class _RunningTotalsAdded:
    """What a batch adds to the daily rows' running totals, by day key; see ``_running_totals_added``."""

    units: dict[tuple, int]
    revenue: dict[tuple, Decimal]
    units_before: dict[tuple, int]
    revenue_before: dict[tuple, Decimal]
    backfilled: dict[tuple, "_RollupSums"]


def _running_totals_added(days: Mapping[tuple, "_RollupSums"], existing_totals) -> _RunningTotalsAdded:
    """What the batch adds to each day's ``units_to_date`` and ``revenue_to_date``, without reading history.

    A product whose days so far all fall on or before the batch's first day for it, the usual case
    of sales arriving as they happen, has no later rows to shift: each batch day's running total
    grows by the batch's running sum, and a new day starts from the product's all-time total
    before the batch (an existing day, the product's last, already counts it). The days of the
    products the batch reaches back into are answered as ``backfilled``, for
    ``_running_totals_from`` to recompute.
    """
    added = _RunningTotalsAdded(units={}, revenue={}, units_before={}, revenue_before={}, backfilled={})
    local = timezone.get_current_timezone()
    by_product = defaultdict(list)
    for key in sorted(days, key=lambda key: key[2]):
        by_product[key[:2]].append(key)
    for product, keys in by_product.items():
        _, _, units_before, revenue_before, last_sold_at = existing_totals.get(product, (None, None, 0, 0, None))
        if last_sold_at is not None and last_sold_at.astimezone(local).date() > keys[0][2]:
            for key in keys:
                added.backfilled[key] = days[key]
            continue
        units, revenue = 0, Decimal(0)
        for key in keys:
            units += days[key].units
            revenue += days[key].revenue
            added.units[key], added.revenue[key] = units, revenue
            added.units_before[key], added.revenue_before[key] = units_before, Decimal(revenue_before)
    return added


@dataclass
class _RollupSums:
    """A rollup row's additive values: units, revenue, a count (sales or days), first and last sale."""

    units: int
    revenue: Decimal
    count: int
    first_sold_at: dt.datetime
    last_sold_at: dt.datetime

    def add(self, entry: "SaleEntry") -> None:
        self.units += entry.units
        self.revenue += entry.cash_amount
        self.count += 1
        self.first_sold_at = min(self.first_sold_at, entry.sold_at)
        self.last_sold_at = max(self.last_sold_at, entry.sold_at)


def _rollup_existing(model, keys: Sequence[str], sums: Mapping[tuple, _RollupSums], read=()) -> dict[tuple, tuple]:
    """The rows of ``model`` already holding some of the keys: key → (id, *read columns)."""
    table = model._meta.db_table
    key_fields = {key: model._meta.get_field(key.removesuffix("_id")) for key in keys}
    batch, params = listed_rows(connection, key_fields, [dict(zip(keys, key, strict=True)) for key in sums])
    columns = ", ".join(f"{table}.{name}" for name in ("id", *keys, *read))
    match = " AND ".join(f"{table}.{key} = batch.{key}" for key in keys)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} JOIN {batch} AS batch ON {match}", params)
        # psycopg answers what the ORM would read (aware datetimes, Decimals): no conversion.
        return {tuple(values[: len(keys)]): (pk, *values[len(keys) :]) for pk, *values in cursor.fetchall()}


def _rollup_add(model, keys, sums: Mapping[tuple, _RollupSums], *, count: str, more=None, new_rows_more=None):
    """Add ``sums`` to the rows of ``model`` holding their keys and insert the others; answer the keys inserted.

    One ``UPDATE … FROM`` the listed sums (first and last sale widened), ``RETURNING`` the keys it
    found, then one insert of the rest: no read of the rows first. ``more`` gives further additive
    columns by key, ``new_rows_more`` what a new row adds to them (0 where a key is missing).
    """
    more, new_rows_more = more or {}, new_rows_more or {}
    table = model._meta.db_table
    # Typed as the column, so that PostgreSQL's arrays are never a mix of Decimal and int.
    more_zero = {name: model._meta.get_field(name).to_python(0) for name in more}
    rows = {
        key: {
            **dict(zip(keys, key, strict=True)),
            "units": row_sums.units,
            "revenue": row_sums.revenue,
            count: row_sums.count,
            "first_sold_at": row_sums.first_sold_at,
            "last_sold_at": row_sums.last_sold_at,
            **{name: by_key.get(key, more_zero[name]) for name, by_key in more.items()},
        }
        for key, row_sums in sums.items()
    }
    if not rows:
        return set()
    names = list(next(iter(rows.values())))
    batch, params = listed_rows(connection, {name: model._meta.get_field(name) for name in names}, list(rows.values()))
    assignments = [f"{name} = {table}.{name} + batch.{name}" for name in ("units", "revenue", count, *more)] + [
        f"first_sold_at = CASE WHEN batch.first_sold_at < {table}.first_sold_at"
        f" THEN batch.first_sold_at ELSE {table}.first_sold_at END",
        f"last_sold_at = CASE WHEN batch.last_sold_at > {table}.last_sold_at"
        f" THEN batch.last_sold_at ELSE {table}.last_sold_at END",
    ]
    match = " AND ".join(f"{table}.{key} = batch.{key}" for key in keys)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} FROM {batch} AS batch WHERE {match}"
            f" RETURNING {', '.join(f'{table}.{key}' for key in keys)}",
            params,
        )
        new_keys = set(rows) - set(cursor.fetchall())
    for key in new_keys:
        for name, by_key in new_rows_more.items():
            rows[key][name] += by_key.get(key, 0)
    bulk_insert(model, [rows[key] for key in new_keys])
    return new_keys


def _running_totals_from(days: Mapping[tuple, _RollupSums]) -> None:
    """Recompute ``units_to_date`` and ``revenue_to_date`` of each device-product's days from the batch's first on.

    The totals of the day before are unchanged by the batch: each later day's total is that plus
    the running sum of the days since. For sales of today, one row a device-product.
    """
    since = {}
    for device_id, product_id, day in days:
        since[device_id, product_id] = min(day, since.get((device_id, product_id), day))
    table = DailyProductSales._meta.db_table
    batch, params = listed_rows(
        connection,
        {
            "device_id": DailyProductSales._meta.get_field("device"),
            "product_id": DailyProductSales._meta.get_field("product"),
            "since": DailyProductSales._meta.get_field("date"),
        },
        [
            {"device_id": device_id, "product_id": product_id, "since": day}
            for (device_id, product_id), day in since.items()
        ],
    )
    before = (
        f"SELECT {{column}} FROM {table} AS earlier WHERE earlier.device_id = day.device_id"
        " AND earlier.product_id = day.product_id AND earlier.date < batch.since ORDER BY earlier.date DESC LIMIT 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT day.id, day.device_id, day.product_id, day.units, day.revenue,"
            f" COALESCE(({before.format(column='units_to_date')}), 0),"
            f" COALESCE(({before.format(column='revenue_to_date')}), 0)"
            f" FROM {table} AS day JOIN {batch} AS batch ON day.device_id = batch.device_id"
            " AND day.product_id = batch.product_id AND day.date >= batch.since"
            " ORDER BY day.device_id, day.product_id, day.date",
            params,
        )
        rows = cursor.fetchall()
    running, product = [], None
    for pk, device_id, product_id, units, revenue, units_before, revenue_before in rows:
        if (device_id, product_id) != product:
            product, units_to_date, revenue_to_date = (device_id, product_id), units_before, revenue_before
        units_to_date += units
        revenue_to_date += revenue
        running.append({"id": pk, "units_to_date": units_to_date, "revenue_to_date": revenue_to_date})
    update_by_id(
        DailyProductSales,
        ["units_to_date = batch.units_to_date", "revenue_to_date = batch.revenue_to_date"],
        running,
    )
