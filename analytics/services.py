"""Writes to sales data and the rollups derived from it."""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from devices.models import Device
from planograms.models import SLOT_POSITION_PATTERN, PlanogramSlot, Product
from planograms.services.inventory import (
    SlotSales,
    bulk_insert,
    listed_rows,
    metrics_refresh_on_commit,
    slot_quantities_sell,
    update_by_id,
)

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


# Ingestion: resolving raw sale rows, and recording resolved sales with their inventory effect.


@dataclass(frozen=True)
class SaleEntry:
    """One resolved sale, ready to record: ids, not names."""

    device_id: int
    product_id: int
    slot_id: int | None
    units: int
    cash_amount: Decimal
    sold_at: dt.datetime
    transaction_id: str | None = None


@dataclass(frozen=True)
class SalesRecorded:
    """What ``sales_record`` did: sales recorded, retried ones left out, slots that ran short."""

    recorded: int
    duplicates: int
    shortfalls: int
    units_short: int = 0


@transaction.atomic
def sales_record(*, entries: Sequence[SaleEntry], user=None) -> SalesRecorded:
    """Record a batch of resolved sales, all or nothing, and take them from the slots' stock.

    Idempotent by transaction id: an entry whose (device, transaction id) is already recorded,
    or repeats an earlier entry of the batch, is left out, so a client may retry a batch safely.
    Each slot's quantity drops by the batch's units for it, never below zero; the units beyond
    the stock are kept as the slot's movement's shortfall. The rollups take the batch's sums
    (``sales_rollups_add``, what ``sales_recorded``'s rebuild would give, without re-summing the
    devices' history), the devices' metrics are marked stale as ``sales_recorded`` marks them, and
    the incremental metrics run is queued for after the commit. A fixed number of queries whatever
    the batch's size.
    """
    device_ids = sorted({entry.device_id for entry in entries})
    # The devices are locked first, in id order as everywhere, so concurrent batches over the same
    # devices take turns: the second sees the first's transaction ids, and no sale is counted twice.
    list(Device.all_objects.filter(pk__in=device_ids).order_by("pk").select_for_update().values_list("pk"))
    seen = _recorded_transactions(entries)
    fresh = []
    for entry in entries:
        if entry.transaction_id is not None:
            key = (entry.device_id, entry.transaction_id)
            if key in seen:
                continue
            seen.add(key)
        fresh.append(entry)
    if not fresh:
        return SalesRecorded(recorded=0, duplicates=len(entries), shortfalls=0)

    bulk_insert(Sale, [_sale_row(entry) for entry in fresh])
    units_by_slot, last_sold_at = defaultdict(int), {}
    for entry in fresh:
        if entry.slot_id is not None:
            units_by_slot[entry.slot_id] += entry.units
            last_sold_at[entry.slot_id] = max(entry.sold_at, last_sold_at.get(entry.slot_id, entry.sold_at))
    decrement = slot_quantities_sell(
        sales_by_slot={slot_id: SlotSales(units, last_sold_at[slot_id]) for slot_id, units in units_by_slot.items()},
        user=user,
    )
    sales_rollups_add(entries=fresh)
    Device.all_objects.filter(pk__in={entry.device_id for entry in fresh}).update(sales_recorded_at=timezone.now())
    metrics_refresh_on_commit()
    return SalesRecorded(
        recorded=len(fresh),
        duplicates=len(entries) - len(fresh),
        shortfalls=decrement.shortfalls,
        units_short=decrement.units_short,
    )


def _recorded_transactions(entries: Sequence[SaleEntry]) -> set[tuple[int, str]]:
    """The (device, transaction id) pairs of ``entries`` already recorded: one index lookup a pair."""
    pairs = {(entry.device_id, entry.transaction_id) for entry in entries if entry.transaction_id is not None}
    if not pairs:
        return set()
    batch, params = listed_rows(
        connection,
        {"device_id": Sale._meta.get_field("device"), "transaction_id": Sale._meta.get_field("transaction_id")},
        [{"device_id": device_id, "transaction_id": transaction_id} for device_id, transaction_id in pairs],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sale.device_id, sale.transaction_id FROM {Sale._meta.db_table} AS sale JOIN {batch} AS batch"
            " ON sale.device_id = batch.device_id AND sale.transaction_id = batch.transaction_id",
            params,
        )
        return set(cursor.fetchall())


@transaction.atomic
def sales_rollups_add(*, entries: Sequence[SaleEntry]) -> None:
    """Add newly recorded sales to the rollups, as ``sales_rollups_rebuild`` would have them.

    The rebuild re-sums the touched devices' whole history (seconds for a fleet-wide batch); this
    adds the batch's sums instead, with a fixed number of statements whose work follows the batch,
    not the history: the daily product rollup (and its running totals from the batch's first day
    of each product on), the device-day rollup, and the all-time totals with their window counts.
    Tests compare the result with a rebuild. The caller holds the devices locked.
    """
    days, device_days, totals = {}, {}, {}
    for entry in entries:
        day = timezone.localdate(entry.sold_at)
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

    existing_days = _rollup_existing(DailyProductSales, ("device_id", "product_id", "date"), days)
    _rollup_write(DailyProductSales, ("device_id", "product_id", "date"), days, existing_days, count="transactions")
    _running_totals_from(days)
    existing_device_days = _rollup_existing(DeviceDailySales, ("device_id", "date"), device_days)
    _rollup_write(DeviceDailySales, ("device_id", "date"), device_days, existing_device_days, count="transactions")

    existing_totals = _rollup_existing(DeviceProductSales, ("device_id", "product_id"), totals, read=("window_start",))
    window_units = defaultdict(int)  # units of the batch in each counted total's window
    for (device_id, product_id, day), sums in days.items():
        totals[device_id, product_id].count = 0
        window_start = existing_totals.get((device_id, product_id), (None, None))[1]
        if window_start is not None and day >= window_start:
            window_units[device_id, product_id] += sums.units
    for device_id, product_id, day in days:
        totals[device_id, product_id].count += (device_id, product_id, day) not in existing_days
    _rollup_write(
        DeviceProductSales,
        ("device_id", "product_id"),
        totals,
        existing_totals,
        count="days_with_sales",
        more={"units_in_window": window_units},
    )


@dataclass
class _RollupSums:
    """A rollup row's additive values: units, revenue, a count (sales or days), first and last sale."""

    units: int
    revenue: Decimal
    count: int
    first_sold_at: dt.datetime
    last_sold_at: dt.datetime

    def add(self, entry: SaleEntry) -> None:
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
        found = cursor.fetchall()
    converters = [field.to_python for field in key_fields.values()] + [
        model._meta.get_field(name).to_python for name in read
    ]
    existing = {}
    for pk, *values in found:
        values = [convert(value) for convert, value in zip(converters, values, strict=True)]
        existing[tuple(values[: len(keys)])] = (pk, *values[len(keys) :])
    return existing


def _rollup_write(model, keys, sums: Mapping[tuple, _RollupSums], existing, *, count: str, more=None) -> None:
    """Add ``sums`` to the existing rows (first and last sale widened) and insert the others.

    ``more`` gives further additive columns by key (0 where a key is missing).
    """
    more = more or {}
    table = model._meta.db_table

    def values(key, row_sums):
        return {
            "units": row_sums.units,
            "revenue": row_sums.revenue,
            count: row_sums.count,
            "first_sold_at": row_sums.first_sold_at,
            "last_sold_at": row_sums.last_sold_at,
            **{name: by_key.get(key, 0) for name, by_key in more.items()},
        }

    added = [{"id": existing[key][0], **values(key, row_sums)} for key, row_sums in sums.items() if key in existing]
    if added:
        update_by_id(
            model,
            [f"{name} = {table}.{name} + batch.{name}" for name in ("units", "revenue", count, *more)]
            + [
                f"first_sold_at = CASE WHEN batch.first_sold_at < {table}.first_sold_at"
                f" THEN batch.first_sold_at ELSE {table}.first_sold_at END",
                f"last_sold_at = CASE WHEN batch.last_sold_at > {table}.last_sold_at"
                f" THEN batch.last_sold_at ELSE {table}.last_sold_at END",
            ],
            added,
        )
    bulk_insert(
        model,
        [
            {**dict(zip(keys, key, strict=True)), **values(key, row_sums)}
            for key, row_sums in sums.items()
            if key not in existing
        ],
    )


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
            product, units_to_date, revenue_to_date = (
                (device_id, product_id),
                units_before,
                Decimal(str(revenue_before)),
            )
        units_to_date += units
        revenue_to_date += Decimal(str(revenue))
        running.append({"id": pk, "units_to_date": units_to_date, "revenue_to_date": revenue_to_date})
    update_by_id(
        DailyProductSales,
        ["units_to_date = batch.units_to_date", "revenue_to_date = batch.revenue_to_date"],
        running,
    )


def _sale_row(entry: SaleEntry) -> dict:
    return {
        "device_id": entry.device_id,
        "product_id": entry.product_id,
        "slot_id": entry.slot_id,
        "units": entry.units,
        "cash_amount": entry.cash_amount,
        "sold_at": entry.sold_at,
        "transaction_id": entry.transaction_id,
    }


class SaleRowsInvalid(ValidationError):
    """Sale rows that cannot be recorded; ``row_errors`` maps each bad row's index to its fields' messages.

    Also a plain ValidationError whose ``rows`` messages name row, field and problem, for callers
    that show flat messages.
    """

    def __init__(self, row_errors: dict[int, dict[str, list[str]]]):
        self.row_errors = row_errors
        super().__init__(
            {
                "rows": [
                    f"Row {index}, {field}: {message}"
                    for index, fields in row_errors.items()
                    for field, messages in fields.items()
                    for message in messages
                ]
            }
        )


@dataclass
class _SaleRow:
    """One raw row's values, parsed but not yet looked up."""

    device: int | str
    product: int | str | None
    slot: str | None
    cabinet: int | None
    units: int
    cash_amount: Decimal
    sold_at: dt.datetime
    transaction_id: str | None


MAX_UNITS = 2_147_483_647  # the database's integer
MAX_CABINETS = 3


def sales_rows_resolve(rows: Sequence, *, devices=None) -> list[SaleEntry]:
    """Turn raw sale rows into entries for ``sales_record``, or raise ``SaleRowsInvalid`` naming every bad row.

    A row is a mapping with:

    - ``device``: its asset (a string) or id (a number), among ``devices`` (by default the active fleet);
    - ``product``: its SKU (a string) or id (a number); may be left out when ``slot`` is given,
      and is then the slot's product;
    - ``slot``: a position such as ``"A1"`` among the device's slots, optional; ``cabinet`` (its
      index, 1 to 3) picks the cabinet when several have that position (by default the parent, 1);
    - ``units`` (a whole number from 1; 1 when left out), ``cash_amount`` (a decimal from 0, at most
      2 places), ``sold_at`` (ISO 8601; without an offset, in the operator's time zone);
    - ``transaction_id``: the client's id of the sale, optional, at most 100 characters.

    Types are checked in Python without a serializer per row, and every name is looked up for the
    whole batch at once: three queries whatever the number of rows.
    """
    devices = Device.objects.all() if devices is None else devices
    errors: dict[int, dict[str, list[str]]] = {}
    # Rows with bad values are looked up too, so each bad row is answered with all its problems at once.
    parsed: dict[int, _SaleRow] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[index] = {"non_field_errors": ["Each row must be an object."]}
            continue
        errors[index] = {}
        parsed[index] = _sale_row_parse(row, errors[index])

    device_by_ref = _lookup(devices, "asset", [row.device for row in parsed.values() if row.device is not None])
    product_by_ref = _lookup(
        Product.objects.all(), "sku", [row.product for row in parsed.values() if row.product is not None]
    )
    positions = {row.slot for row in parsed.values() if row.slot is not None}
    slots_at = defaultdict(dict)  # (device id, position) → {cabinet index: (slot id, product id)}
    if positions:
        slots = PlanogramSlot.objects.filter(
            planogram__cabinet__device__in=[device for device, _ in device_by_ref.values()], position__in=positions
        ).values_list("planogram__cabinet__device_id", "position", "planogram__cabinet__index", "pk", "product_id")
        for device_id, position, cabinet, slot_id, product_id in slots:
            slots_at[device_id, position][cabinet] = (slot_id, product_id)

    entries = []
    for index, row in parsed.items():
        row_errors = errors[index]
        device = device_by_ref.get(row.device)
        if device is None and row.device is not None:
            row_errors["device"] = [_unknown("asset", "device id", row.device)]
        product_id = slot_id = None
        if row.product is not None:
            product = product_by_ref.get(row.product)
            if product is None:
                row_errors["product"] = [_unknown("SKU", "product id", row.product)]
            else:
                product_id = product[0]
        if device is not None and row.slot is not None:
            slot_id, slot_product_id, problem = _slot_pick(slots_at[device[0], row.slot], row, asset=device[1])
            if problem:
                row_errors["slot"] = [problem]
            elif product_id is None and row.product is None:
                product_id = slot_product_id
                if product_id is None:
                    row_errors["product"] = [f"Slot {row.slot} holds no product; give the product."]
        if row_errors:
            continue
        entries.append(
            SaleEntry(
                device_id=device[0],
                product_id=product_id,
                slot_id=slot_id,
                units=row.units,
                cash_amount=row.cash_amount,
                sold_at=row.sold_at,
                transaction_id=row.transaction_id,
            )
        )
    errors = {index: row_errors for index, row_errors in errors.items() if row_errors}
    if errors:
        raise SaleRowsInvalid(errors)
    return entries


def _sale_row_parse(row: Mapping, errors: dict) -> _SaleRow:
    """Check a row's types and ranges: a bad field's value is None and its messages go to ``errors``."""

    def field(name, parse, *, required=True, default=None):
        value = row.get(name)
        if value is None or value == "":
            if required:
                errors[name] = ["This field is required."]
            return default
        try:
            return parse(value)
        except ValueError as problem:
            errors[name] = [str(problem)]
            return None

    values = _SaleRow(
        device=field("device", _reference),
        product=field("product", _reference, required=False),
        slot=field("slot", _slot_position, required=False),
        cabinet=field("cabinet", lambda value: _whole_number(value, 1, MAX_CABINETS), required=False),
        units=field("units", lambda value: _whole_number(value, 1, MAX_UNITS), required=False, default=1),
        cash_amount=field("cash_amount", _money),
        sold_at=field("sold_at", _moment),
        transaction_id=field("transaction_id", _transaction_id, required=False),
    )
    if values.product is None and values.slot is None and "product" not in errors and "slot" not in errors:
        errors["product"] = ["Give the product, or the slot it was sold from."]
    return values


def _reference(value) -> int | str:
    """A natural key (a string) or an id (a number)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise ValueError("Give a name (a string) or an id (a number).")


def _whole_number(value, minimum: int, maximum: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("A whole number is required.")
    # Django's validator messages, as the model's own validation words them.
    if value < minimum:
        raise ValueError(f"Ensure this value is greater than or equal to {minimum}.")
    if value > maximum:
        raise ValueError(f"Ensure this value is less than or equal to {maximum}.")
    return value


def _money(value) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("A number is required.")
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError("A number is required.") from None
    if not amount.is_finite():
        raise ValueError("A number is required.")
    if amount < 0:
        raise ValueError("Ensure this value is greater than or equal to 0.")
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e8"):
        raise ValueError("At most 8 digits before the decimal point and 2 after.")
    return amount.quantize(Decimal("0.01"))


def _moment(value) -> dt.datetime:
    """An ISO 8601 string, or a datetime (a spreadsheet's cell); without an offset, in the operator's zone."""
    try:
        moment = value if isinstance(value, dt.datetime) else parse_datetime(value.strip())
    except (AttributeError, ValueError):
        moment = None
    if moment is None:
        raise ValueError(f"“{value}” is not a date and time; write it in ISO 8601, e.g. 2025-03-01T14:30:00-06:00.")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _slot_position(value) -> str:
    position = value.strip().upper() if isinstance(value, str) else None
    if position is None or not re.fullmatch(SLOT_POSITION_PATTERN, position):
        raise ValueError("Use a row letter and a column number, e.g. A1.")
    return position


def _transaction_id(value) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("Give the transaction id as a string.")
    value = str(value).strip()
    if len(value) > 100:
        raise ValueError("At most 100 characters.")
    return value


def _lookup(queryset, key: str, references) -> dict[int | str, tuple[int, str]]:
    """``(pk, natural key)`` of each reference found: strings by ``key``, numbers by id, in one query."""
    names = {reference for reference in references if isinstance(reference, str)}
    ids = {reference for reference in references if isinstance(reference, int)}
    if not names and not ids:
        return {}
    found = {}
    for pk, name in queryset.filter(Q(**{f"{key}__in": names}) | Q(pk__in=ids)).values_list("pk", key):
        if name in names:
            found[name] = (pk, name)
        if pk in ids:
            found[pk] = (pk, name)
    return found


def _unknown(key: str, id_label: str, reference) -> str:
    return f"Unknown {key} “{reference}”." if isinstance(reference, str) else f"Unknown {id_label} {reference}."


def _slot_pick(by_cabinet: dict, row: _SaleRow, *, asset: str):
    """(slot id, its product id, problem) of the row's slot among the device's cabinets."""
    if row.cabinet is not None:
        if row.cabinet in by_cabinet:
            return (*by_cabinet[row.cabinet], None)
        return None, None, f"Device {asset} has no slot {row.slot} in cabinet {row.cabinet}."
    if not by_cabinet:
        return None, None, f"Device {asset} has no slot {row.slot}."
    if 1 in by_cabinet or len(by_cabinet) == 1:
        return (*by_cabinet.get(1, next(iter(by_cabinet.values()))), None)
    return None, None, f"Device {asset} has a slot {row.slot} in more than one added cabinet; give the cabinet."
