"""Asset sales: each device's sales over a range of local days, its performance score and its rank in the fleet.

Read from the rollups, never from the raw sales, in a fixed number of queries whatever the fleet
size: the devices with their location, type and route; every device's totals and the sums its score
needs, grouped in the database from the device-day rollup (``DeviceDailySales``); then, for the
devices on the requested page only, their days (the trend) and their top products (from the
running totals of ``DailyProductSales``).
"""

import datetime as dt
import math
import statistics
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from cvd_portal.api.pagination import DEFAULT_PAGE_SIZE, paginate
from cvd_portal.api.pagination import MAX_PAGE_SIZE as MAX_PAGE_SIZE  # re-exported: the benchmark reads it here
from cvd_portal.db import DayNumber
from cvd_portal.money import money
from devices.filtersets import DeviceFilterSet, validated_filterset
from devices.models import Device
from sales.models import DailyProductSales, DeviceDailySales, DeviceProductSales
from sales.services import local_midnight

from .date_range import DateRange
from .score_bands import SCORE_BANDS, score_band

ZERO = Decimal("0.00")
TOP_PRODUCTS = 5
SCORE_WEIGHTS = {"revenue": 0.40, "consistency": 0.25, "growth": 0.20, "efficiency": 0.15}
HEAVY_FIELDS = frozenset({"trend", "top_products"})


def asset_sales_devices(devices: QuerySet[Device], filters=None, *, request=None) -> QuerySet[Device]:
    """``devices`` narrowed by ``DeviceFilterSet``'s parameters ``filters`` (a QueryDict or a dict); none: all of them.

    Raises ValidationError keyed by each parameter that is wrong.
    """
    return validated_filterset(DeviceFilterSet, filters, queryset=devices, request=request).qs


# --- The score: pure functions over numbers ---------------------------------------------------------


def score_components(sums: dict[str, np.ndarray], days: int) -> dict[str, np.ndarray]:
    """The four raw components of the performance score, one value per device.

    ``sums`` holds, per device, sums over the days of the range in cents (a day without sales
    counts as zero): ``revenue`` (Σ r), ``revenue_squared`` (Σ r²), ``revenue_by_day`` (Σ r·x, x the
    day number 0, 1, … of the range) and ``units``. Integers, so the components are exact up to
    the final division.

    - revenue: the device's total revenue over the range.
    - consistency: 1 − the coefficient of variation of daily revenue (population standard deviation
      over the mean, every day of the range counted), clipped to [0, 1]; 0 for a device without sales.
    - growth: the least-squares slope of daily revenue against the day number, divided by the mean
      daily revenue, so a fraction of the device's own level per day; 0 for a device without sales
      or a one-day range.
    - efficiency: revenue per unit sold; 0 for a device without units.
    """
    revenue, units = sums["revenue"], sums["units"]
    selling = revenue > 0
    safe_revenue = np.where(selling, revenue, 1).astype(float)

    # σ/μ = √(D·Σr² − (Σr)²) / Σr: the D² of the variance and the D of the mean cancel.
    spread = np.maximum(days * sums["revenue_squared"] - revenue * revenue, 0).astype(float)
    consistency = np.where(selling, np.clip(1.0 - np.sqrt(spread) / safe_revenue, 0.0, 1.0), 0.0)

    # slope = Σ(x − x̄)·r / Σ(x − x̄)², x̄ = (D − 1)/2 and Σ(x − x̄)² = D(D² − 1)/12; over the mean Σr/D.
    sxx = days * (days * days - 1) / 12
    centred = (2 * sums["revenue_by_day"] - (days - 1) * revenue).astype(float) / 2
    growth = np.where(selling & (sxx > 0), centred / (sxx or 1) * days / safe_revenue, 0.0)

    efficiency = np.where(units > 0, revenue / np.where(units > 0, units, 1) / 100, 0.0)
    return {"revenue": revenue / 100, "consistency": consistency, "growth": growth, "efficiency": efficiency}


def min_max_normalise(values: np.ndarray) -> np.ndarray:
    """``values`` mapped onto 0–100 (smallest 0, largest 100); 50 for everyone when all are equal."""
    if values.size == 0:
        return values.astype(float)
    low, high = float(values.min()), float(values.max())
    if math.isclose(low, high, rel_tol=1e-12, abs_tol=1e-12):
        return np.full(values.shape, 50.0)
    return (values - low) / (high - low) * 100.0


def performance_scores(components: dict[str, np.ndarray]) -> np.ndarray:
    """The composite score, 0–100: revenue 40%, consistency 25%, growth 20%, efficiency 15%.

    Each component is first normalised by min–max across the compared devices, so a score says
    where a device stands in this fleet over this range, not an absolute level.
    """
    total = None
    for name, weight in SCORE_WEIGHTS.items():
        part = min_max_normalise(components[name]) * weight
        total = part if total is None else total + part
    return total


def rank_key(row: dict):
    """Score descending, then total revenue descending, then asset: a total, deterministic order."""
    return (-row["performance_score"], -row["total_revenue"], row["asset"])


def rank_devices(rows: list[dict]) -> list[dict]:
    """``rows`` sorted by ``rank_key`` with ``fleet_rank`` 1..n and ``percentile`` = (n − rank + 1) / n × 100."""
    ranked = sorted(rows, key=rank_key)
    n = len(ranked)
    for rank, row in enumerate(ranked, start=1):
        row["fleet_rank"] = rank
        row["percentile"] = round((n - rank + 1) / n * 100, 2)
    return ranked


# --- Fleet figures ----------------------------------------------------------------------------------


def _performer(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {"device_id": row["device_id"], "asset": row["asset"], "total_revenue": row["total_revenue"]}


def fleet_summary(rows: list[dict]) -> dict:
    """Counts and revenue of the compared devices; averages, median and performers over active devices only.

    A device is active when it took revenue in the range (the spec's ``total_revenue > 0``); without any
    active device the averages and performers are None.
    Ties for top or bottom performer go to the first asset in alphabetical order.
    """
    active = [row for row in rows if row["total_revenue"] > 0]
    revenues = [row["total_revenue"] for row in active]
    return {
        "total_devices": len(rows),
        "active_devices": len(active),
        "total_fleet_revenue": money(sum(revenues, ZERO)),
        "average_device_revenue": money(statistics.mean(revenues)) if revenues else None,
        "median_device_revenue": money(statistics.median(revenues)) if revenues else None,
        "top_performer": _performer(min(active, key=lambda r: (-r["total_revenue"], r["asset"]), default=None)),
        "bottom_performer": _performer(min(active, key=lambda r: (r["total_revenue"], r["asset"]), default=None)),
    }


def fleet_benchmarks(rows: list[dict]) -> dict:
    """Benchmarks over the active devices (revenue in the range above zero), as the spec defines them.

    Quartiles are ``statistics.quantiles(n=4)`` (the 'exclusive' method) with the median as q2; one
    active device is every quartile; none gives None. ``performance_distribution`` counts the active
    devices' scores per band of 20.
    """
    active = [row for row in rows if row["total_revenue"] > 0]
    revenues = [row["total_revenue"] for row in active]
    distribution = {band.label: 0 for band in SCORE_BANDS}
    for row in active:
        distribution[score_band(row["performance_score"]).label] += 1
    if len(revenues) >= 2:
        q1, _, q3 = statistics.quantiles(revenues, n=4, method="exclusive")
        quartiles = {"q1": money(q1), "q2": money(statistics.median(revenues)), "q3": money(q3)}
    elif revenues:
        quartiles = {"q1": revenues[0], "q2": revenues[0], "q3": revenues[0]}
    else:
        quartiles = {"q1": None, "q2": None, "q3": None}
    return {
        "revenue_quartiles": quartiles,
        "daily_revenue_avg": money(statistics.mean(r["daily_revenue"] for r in active)) if active else None,
        "units_per_device_avg": round(statistics.mean(r["total_units"] for r in active), 2) if active else None,
        "performance_distribution": distribution,
    }


# --- Reads ------------------------------------------------------------------------------------------


def _device_rows(devices: QuerySet[Device]) -> list[dict]:
    fields = {
        "device_id": "pk",
        "asset": "asset",
        "cooler": "cooler",
        "location_name": "location__name",
        "address": "location__address",
        "latitude": "location__latitude",
        "longitude": "location__longitude",
        "device_type": "device_type__name",
        "route": "route__number",
    }
    return [
        {name: row[source] for name, source in fields.items()}
        for row in devices.order_by("pk").values(*fields.values())
    ]


def _device_sums(device_pks: QuerySet, start: dt.date, end: dt.date):
    """Per device with sales in the range: the totals and the sums the score needs, in one grouped read."""
    revenue = ExpressionWrapper(F("revenue") * 100, output_field=DecimalField())
    return (
        DeviceDailySales.objects.filter(device_id__in=device_pks, date__gte=start, date__lte=end)
        .values("device_id")
        .annotate(
            revenue_total=Sum("revenue"),
            units_total=Sum("units"),
            transactions_total=Sum("transactions"),
            days_with_sales=Count("pk"),
            first=Min("first_sold_at"),
            last=Max("last_sold_at"),
            revenue_squared=Sum(ExpressionWrapper(revenue * revenue, output_field=DecimalField())),
            revenue_by_day=Sum(ExpressionWrapper(revenue * DayNumber("date", start), output_field=DecimalField())),
        )
        .order_by()
    )


def _daily_trend(device_ids: list[int], day_list: list[dt.date]) -> dict[int, list[dict]]:
    """Each device's revenue, units and transactions on every day of ``day_list``, zero-filled."""
    per_day = defaultdict(dict)
    rows = DeviceDailySales.objects.filter(device_id__in=device_ids, date__gte=day_list[0], date__lte=day_list[-1])
    for device_id, date, revenue, units, transactions in rows.values_list(
        "device_id", "date", "revenue", "units", "transactions"
    ).order_by():
        per_day[device_id][date] = (money(revenue), units, transactions)
    return {
        device_id: [
            {"date": day, "revenue": revenue, "units": units, "transactions": transactions}
            for day in day_list
            for revenue, units, transactions in [per_day[device_id].get(day, (ZERO, 0, 0))]
        ]
        for device_id in device_ids
    }


def _to_date(field: str, total: str, day: dt.date | None) -> Case | Value | F:
    """A device-product's running total ``field`` at the end of ``day`` (None: before its first sale).

    Its all-time ``total`` when its last sale came before the day ended, 0 when its first came after;
    otherwise its last rollup row on or before the day (an index lookup, made only then).
    """
    output_field = DailyProductSales._meta.get_field(field)
    if day is None:
        return Value(0, output_field=output_field)
    if day == dt.date.max:  # the calendar's last day never ends: every sale came before
        return F(total)
    day_end = local_midnight(day + dt.timedelta(days=1))
    last_row = DailyProductSales.objects.filter(
        device=OuterRef("device"), product=OuterRef("product"), date__lte=day
    ).order_by("-date")
    return Case(
        When(last_sold_at__lt=day_end, then=F(total)),
        When(first_sold_at__gte=day_end, then=Value(0)),
        default=Coalesce(Subquery(last_row.values(field)[:1]), 0),
        output_field=output_field,
    )


def device_top_products(
    *, device_ids: list[int], start: dt.date, end: dt.date, limit: int = TOP_PRODUCTS
) -> dict[int, list[dict]]:
    """Each device's best ``limit`` products by revenue over the range (ties: more units, then product id).

    A product's sales over the range are its running totals at ``end`` less those the day before
    ``start``: at most two index lookups per product the device ever sold, however long the range.
    """
    per_device = defaultdict(list)
    if not device_ids:
        return per_device
    before = start - dt.timedelta(days=1) if start > dt.date.min else None
    rows = (
        DeviceProductSales.objects.filter(device_id__in=device_ids)
        .annotate(
            range_units=_to_date("units_to_date", "units", end) - _to_date("units_to_date", "units", before),
            range_revenue=(
                _to_date("revenue_to_date", "revenue", end) - _to_date("revenue_to_date", "revenue", before)
            ),
        )
        .values_list("device_id", "product_id", "product__name", "range_units", "range_revenue")
        .order_by()
    )
    for device_id, product_id, name, units, revenue in rows:
        # Filtered here, not in SQL: a WHERE on the difference would make the database look it up again.
        if units > 0:
            per_device[device_id].append(
                {"product_id": product_id, "name": name, "units": units, "revenue": money(revenue)}
            )
    for device_id, products in per_device.items():
        products.sort(key=lambda p: (-p["revenue"], -p["units"], p["product_id"]))
        per_device[device_id] = products[:limit]
    return per_device


# The device row fields the ranking may be re-sorted by (``order_by``), '-' in front for descending.
ORDERABLE_FIELDS = (
    "fleet_rank",
    "asset",
    "location_name",
    "device_type",
    "route",
    "total_revenue",
    "total_units",
    "total_transactions",
    "daily_revenue",
    "avg_transaction_value",
    "active_days",
    "performance_score",
)


def asset_sales_report(
    *,
    devices: QuerySet[Device],
    start: dt.date,
    end: dt.date,
    page: int = 1,
    page_size: int | None = DEFAULT_PAGE_SIZE,
    include: frozenset[str] = HEAVY_FIELDS,
    order_by: str = "fleet_rank",
) -> dict:
    """Every device of ``devices``, with its sales from ``start`` to ``end`` (local days, inclusive), ranked.

    The score, the ranking, ``fleet_summary`` and ``benchmarks`` cover all of ``devices`` (with zeros for
    a device that sold nothing); ``devices`` in the answer is one page of the ranking, sorted first by
    ``order_by`` (one of ``ORDERABLE_FIELDS``, '-' in front for descending; ties and devices without the
    field keep rank order, the latter last), cut into pages by ``paginate`` (``page_size`` None: every
    device on one page). ``include`` names the heavy per-device fields to add to that page: ``trend``
    (every day of the range, zero-filled) and ``top_products``. Raises ValidationError for a page past
    the last or an unknown ``order_by``.
    """
    order_field = order_by.removeprefix("-")
    if order_field not in ORDERABLE_FIELDS:
        raise ValidationError({"order_by": f"Cannot sort by {order_by!r}; choose among {', '.join(ORDERABLE_FIELDS)}."})
    days = DateRange(start, end).days
    rows = _device_rows(devices)
    index = {row["device_id"]: i for i, row in enumerate(rows)}

    sums = {
        name: np.zeros(len(rows), dtype=object) for name in ("revenue", "revenue_squared", "revenue_by_day", "units")
    }
    for row in rows:
        row.update(
            total_transactions=0, total_units=0, total_revenue=ZERO, first_sale=None, last_sale=None, active_days=0
        )
    for sale in _device_sums(devices.values("pk"), start, end):
        i = index.get(sale["device_id"])
        if i is None:  # the device left the fleet between the two reads
            continue
        row = rows[i]
        row.update(
            total_revenue=money(sale["revenue_total"]),
            total_units=sale["units_total"],
            total_transactions=sale["transactions_total"],
            active_days=sale["days_with_sales"],
            first_sale=sale["first"],
            last_sale=sale["last"],
        )
        # Whole cents (and cents²) however the database summed them.
        sums["revenue"][i] = int(row["total_revenue"] * 100)
        sums["revenue_squared"][i] = round(sale["revenue_squared"])
        sums["revenue_by_day"][i] = round(sale["revenue_by_day"])
        sums["units"][i] = sale["units_total"]

    scores = performance_scores(score_components(sums, days))
    for i, row in enumerate(rows):
        revenue, units, transactions = row["total_revenue"], row["total_units"], row["total_transactions"]
        row["avg_transaction_value"] = money(revenue / transactions) if transactions else ZERO
        row["daily_revenue"] = money(revenue / days)
        row["daily_units"] = round(units / days, 2)
        row["revenue_per_unit"] = money(revenue / units) if units else ZERO
        # Ranked on the score as shown, so two devices showing the same score are a tie the revenue breaks.
        row["performance_score"] = round(float(scores[i]), 2)

    ranked = rank_devices(rows)
    # Sorting is stable, so ties keep rank order even when descending.
    ordered = sorted(
        (row for row in ranked if row[order_field] is not None),
        key=lambda row: row[order_field],
        reverse=order_by.startswith("-"),
    ) + [row for row in ranked if row[order_field] is None]
    paged = paginate(ordered, page=page, page_size=page_size or max(len(ordered), 1))
    page_rows = paged.object_list
    page_ids = [row["device_id"] for row in page_rows]

    if "trend" in include:
        trends = _daily_trend(page_ids, [start + dt.timedelta(days=i) for i in range(days)])
        for row in page_rows:
            row["performance_trend"] = trends[row["device_id"]]
    if "top_products" in include:
        top = device_top_products(device_ids=page_ids, start=start, end=end)
        for row in page_rows:
            row["top_products"] = top.get(row["device_id"], [])

    return {
        "count": paged.paginator.count,
        "page": page,
        "page_size": paged.paginator.per_page,
        "pages": paged.paginator.num_pages,
        "time_period": {"start": start, "end": end, "days": days},
        "fleet_summary": fleet_summary(ranked),
        "benchmarks": fleet_benchmarks(ranked),
        "devices": page_rows,
    }
