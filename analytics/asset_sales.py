"""Asset sales: each device's sales over a range of local days, its performance score and its rank in the fleet.

Read from the daily rollup (``DailyProductSales``), never from the raw sales, in a fixed number of
queries whatever the fleet size: the devices with their location, type and route; every device's
sales per day (the totals, the trend and the score are all summed from it in Python); and the top
products of the devices on the requested page only.
"""

import datetime as dt
import math
import statistics
from collections import defaultdict
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, QuerySet, Sum

from cvd_portal.money import money
from devices.models import Device

from .models import DailyProductSales

ZERO = Decimal("0.00")
TOP_PRODUCTS = 5
SCORE_WEIGHTS = {"revenue": 0.40, "consistency": 0.25, "growth": 0.20, "efficiency": 0.15}
SCORE_BANDS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 100))
HEAVY_FIELDS = frozenset({"trend", "top_products"})
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def asset_sales_devices(
    devices: QuerySet[Device],
    *,
    location_ids=None,
    venue_types=None,
    device_type_ids=None,
    route_ids=None,
    device_ids=None,
    asset: str | None = None,
) -> QuerySet[Device]:
    """``devices`` narrowed by the report's filters; a filter left as None (or empty) does not narrow."""
    if location_ids:
        devices = devices.filter(location_id__in=location_ids)
    if venue_types:
        devices = devices.filter(location__venue_type__in=venue_types)
    if device_type_ids:
        devices = devices.filter(device_type_id__in=device_type_ids)
    if route_ids:
        devices = devices.filter(route_id__in=route_ids)
    if device_ids:
        devices = devices.filter(pk__in=device_ids)
    if asset:
        devices = devices.filter(asset__icontains=asset)
    return devices


# --- The score: pure functions over numbers ---------------------------------------------------------


def score_components(daily_revenue: np.ndarray, total_units: np.ndarray) -> dict[str, np.ndarray]:
    """The four raw components of the performance score, one value per device (row of ``daily_revenue``).

    ``daily_revenue`` is devices × every day of the range, zero-filled.

    - revenue: the device's total revenue over the range.
    - consistency: 1 − the coefficient of variation of daily revenue (population standard deviation
      over the mean), clipped to [0, 1]; 0 for a device without sales.
    - growth: the least-squares slope of daily revenue against the day number (0, 1, …), divided by
      the mean daily revenue, so a fraction of the device's own level per day; 0 for a device without
      sales or a one-day range.
    - efficiency: revenue per unit sold; 0 for a device without units.
    """
    devices, days = daily_revenue.shape
    revenue = daily_revenue.sum(axis=1)
    mean = daily_revenue.mean(axis=1) if days else np.zeros(devices)
    selling = mean > 0
    safe_mean = np.where(selling, mean, 1.0)

    cv = daily_revenue.std(axis=1) / safe_mean if days else np.zeros(devices)
    consistency = np.where(selling, np.clip(1.0 - cv, 0.0, 1.0), 0.0)

    x = np.arange(days, dtype=float) - (days - 1) / 2
    sxx = float(x @ x)
    # Σ(x − x̄)(y − ȳ) = Σ(x − x̄)·y because the centred x sum to zero.
    slope = daily_revenue @ x / sxx if sxx else np.zeros(devices)
    growth = np.where(selling, slope / safe_mean, 0.0)

    efficiency = np.where(total_units > 0, revenue / np.where(total_units > 0, total_units, 1), 0.0)
    return {"revenue": revenue, "consistency": consistency, "growth": growth, "efficiency": efficiency}


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


def score_band(score: float) -> str:
    """The band label a score falls in: lower bound inclusive, 100 in the top band."""
    for low, high in SCORE_BANDS:
        if score < high:
            return f"{low}-{high}"
    low, high = SCORE_BANDS[-1]
    return f"{low}-{high}"


def fleet_benchmarks(rows: list[dict]) -> dict:
    """Benchmarks over the active devices (revenue in the range above zero), as the spec defines them.

    Quartiles are ``statistics.quantiles(n=4)`` (the 'exclusive' method) with the median as q2; one
    active device is every quartile; none gives None. ``performance_distribution`` counts the active
    devices' scores per band of 20.
    """
    active = [row for row in rows if row["total_revenue"] > 0]
    revenues = [row["total_revenue"] for row in active]
    distribution = {f"{low}-{high}": 0 for low, high in SCORE_BANDS}
    for row in active:
        distribution[score_band(row["performance_score"])] += 1
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


def _daily_sales(device_pks: QuerySet, start: dt.date, end: dt.date):
    return (
        DailyProductSales.objects.filter(device_id__in=device_pks, date__gte=start, date__lte=end)
        .values("device_id", "date")
        .annotate(
            day_revenue=Sum("revenue"),
            day_units=Sum("units"),
            day_transactions=Sum("transactions"),
            first=Min("first_sold_at"),
            last=Max("last_sold_at"),
        )
        .order_by()
    )


def device_top_products(
    *, device_ids: list[int], start: dt.date, end: dt.date, limit: int = TOP_PRODUCTS
) -> dict[int, list[dict]]:
    """Each device's best ``limit`` products by revenue over the range (ties: more units, then product id)."""
    per_device = defaultdict(list)
    if not device_ids:
        return per_device
    rows = (
        DailyProductSales.objects.filter(device_id__in=device_ids, date__gte=start, date__lte=end)
        .values("device_id", "product_id", "product__name")
        .annotate(product_units=Sum("units"), product_revenue=Sum("revenue"))
        .order_by()
    )
    for row in rows:
        per_device[row["device_id"]].append(
            {
                "product_id": row["product_id"],
                "name": row["product__name"],
                "units": row["product_units"],
                "revenue": money(row["product_revenue"]),
            }
        )
    for device_id, products in per_device.items():
        products.sort(key=lambda p: (-p["revenue"], -p["units"], p["product_id"]))
        per_device[device_id] = products[:limit]
    return per_device


def asset_sales_report(
    *,
    devices: QuerySet[Device],
    start: dt.date,
    end: dt.date,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    include: frozenset[str] = HEAVY_FIELDS,
) -> dict:
    """Every device of ``devices``, with its sales from ``start`` to ``end`` (local days, inclusive), ranked.

    The score, the ranking, ``fleet_summary`` and ``benchmarks`` cover all of ``devices`` (with zeros for
    a device that sold nothing); ``devices`` in the answer is one page of the ranking. ``include`` names
    the heavy per-device fields to add to that page: ``trend`` (every day of the range, zero-filled) and
    ``top_products``. Raises ValidationError for a page past the last.
    """
    days = (end - start).days + 1
    day_list = [start + dt.timedelta(days=i) for i in range(days)]
    rows = _device_rows(devices)
    index = {row["device_id"]: i for i, row in enumerate(rows)}

    daily_revenue = np.zeros((len(rows), days))
    total_units = np.zeros(len(rows))
    per_day = [{} for _ in rows]
    for row in rows:
        row.update(
            total_transactions=0, total_units=0, total_revenue=ZERO, first_sale=None, last_sale=None, active_days=0
        )
    for sale in _daily_sales(devices.values("pk"), start, end):
        i = index.get(sale["device_id"])
        if i is None:  # the device left the fleet between the two reads
            continue
        row = rows[i]
        revenue = money(sale["day_revenue"])
        row["total_revenue"] += revenue
        row["total_units"] += sale["day_units"]
        row["total_transactions"] += sale["day_transactions"]
        row["active_days"] += 1
        row["first_sale"] = sale["first"] if row["first_sale"] is None else min(row["first_sale"], sale["first"])
        row["last_sale"] = sale["last"] if row["last_sale"] is None else max(row["last_sale"], sale["last"])
        daily_revenue[i, (sale["date"] - start).days] = float(revenue)
        total_units[i] += sale["day_units"]
        per_day[i][sale["date"]] = (revenue, sale["day_units"], sale["day_transactions"])

    scores = performance_scores(score_components(daily_revenue, total_units))
    for i, row in enumerate(rows):
        revenue, units, transactions = row["total_revenue"], row["total_units"], row["total_transactions"]
        row["avg_transaction_value"] = money(revenue / transactions) if transactions else ZERO
        row["daily_revenue"] = money(revenue / days)
        row["daily_units"] = round(units / days, 2)
        row["revenue_per_unit"] = money(revenue / units) if units else ZERO
        # Ranked on the score as shown, so two devices showing the same score are a tie the revenue breaks.
        row["performance_score"] = round(float(scores[i]), 2)
        row["_days"] = per_day[i]

    ranked = rank_devices(rows)
    count = len(ranked)
    pages = max(1, math.ceil(count / page_size))
    if page > pages:
        raise ValidationError({"page": f"Page {page} is past the last page, {pages}."})
    page_rows = ranked[(page - 1) * page_size : page * page_size]

    top = (
        device_top_products(device_ids=[r["device_id"] for r in page_rows], start=start, end=end)
        if "top_products" in include
        else {}
    )
    for row in page_rows:
        if "trend" in include:
            row["performance_trend"] = [
                {"date": day, "revenue": revenue, "units": units, "transactions": transactions}
                for day in day_list
                for revenue, units, transactions in [row["_days"].get(day, (ZERO, 0, 0))]
            ]
        if "top_products" in include:
            row["top_products"] = top.get(row["device_id"], [])
    for row in ranked:
        del row["_days"]

    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": pages,
        "time_period": {"start": start, "end": end, "days": days},
        "fleet_summary": fleet_summary(ranked),
        "benchmarks": fleet_benchmarks(ranked),
        "devices": page_rows,
    }
