"""Fleet comparisons: sales by location and venue type, the top devices by a metric, and sales per ISO week.

Every read is set-based over the rollups (the asset-sales report's, and ``DeviceDailySales`` for the
weeks): a fixed number of queries whatever the fleet size, grouped in the database.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, FilteredRelation, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from cvd_portal.money import money
from devices.models import Device
from sales.models import DeviceDailySales

from .asset_sales import asset_sales_report
from .calculations import percent_change
from .date_range import DateRange

ZERO = Decimal("0.00")
METRICS = ("revenue", "units", "score")
DEFAULT_TOP_LIMIT = 10
MAX_TOP_LIMIT = 1000
DEFAULT_WEEKS = 12
MAX_WEEKS = 104


def _sales_totals(relation: str) -> dict:
    """Revenue, units and transactions summed over ``relation`` (a range-filtered join), zero when it is empty."""
    return {
        "revenue": Coalesce(
            Sum(f"{relation}__revenue"), Value(ZERO), output_field=DecimalField(max_digits=14, decimal_places=2)
        ),
        "units": Coalesce(Sum(f"{relation}__units"), 0),
        "transactions": Coalesce(Sum(f"{relation}__transactions"), 0),
    }


def _with_sales_in_range(devices: QuerySet[Device], start: dt.date, end: dt.date) -> QuerySet[Device]:
    # The date condition sits in the join's ON clause, so a device without sales in the range keeps
    # one row of NULLs and is still counted, with zeros.
    return devices.annotate(
        in_range=FilteredRelation(
            "daily_product_sales",
            condition=Q(daily_product_sales__date__gte=start, daily_product_sales__date__lte=end),
        )
    )


def _per_device(row: dict) -> Decimal:
    return money(row["revenue"] / row["devices"]) if row["devices"] else ZERO


def location_performance(*, devices: QuerySet[Device], start: dt.date, end: dt.date) -> dict:
    """Sales from ``start`` to ``end`` (local days, inclusive) of ``devices``, by location and by venue type.

    Two grouped queries. Every device counts towards its location's and venue type's ``devices``, with
    zeros when it sold nothing; devices without a location form one group whose location fields are None.
    Both lists are sorted by revenue descending, then by name (venue type) and id for a stable order.
    """
    joined = _with_sales_in_range(devices, start, end)
    locations = list(
        joined.values(
            "location_id", "location__name", "location__venue_type", "location__latitude", "location__longitude"
        )
        .annotate(devices=Count("pk", distinct=True), **_sales_totals("in_range"))
        .order_by("-revenue", "location__name", "location_id")
    )
    venue_types = list(
        joined.values("location__venue_type")
        .annotate(
            locations=Count("location_id", distinct=True),
            devices=Count("pk", distinct=True),
            **_sales_totals("in_range"),
        )
        .order_by("-revenue", "location__venue_type")
    )
    return {
        "time_period": {"start": start, "end": end, "days": DateRange(start, end).days},
        "locations": [
            {
                "location_id": row["location_id"],
                "name": row["location__name"],
                "venue_type": row["location__venue_type"],
                "latitude": row["location__latitude"],
                "longitude": row["location__longitude"],
                "devices": row["devices"],
                "revenue": money(row["revenue"]),
                "units": row["units"],
                "transactions": row["transactions"],
                "revenue_per_device": _per_device(row),
            }
            for row in locations
        ],
        "venue_types": [
            {
                "venue_type": row["location__venue_type"],
                "locations": row["locations"],
                "devices": row["devices"],
                "revenue": money(row["revenue"]),
                "units": row["units"],
                "revenue_per_device": _per_device(row),
            }
            for row in venue_types
        ],
    }


def top_performers(
    *, devices: QuerySet[Device], start: dt.date, end: dt.date, metric: str = "revenue", limit: int = DEFAULT_TOP_LIMIT
) -> dict:
    """The best ``limit`` of ``devices`` by ``metric`` (revenue, units or score) from ``start`` to ``end``.

    The score is the asset-sales performance score, computed by ``asset_sales_report`` over all of
    ``devices`` (so it matches that report for the same filters and range). Order: the metric
    descending, then revenue descending, then asset, so ``rank`` (1..n) is total and deterministic.
    """
    if metric not in METRICS:
        raise ValueError(f"Unknown metric {metric!r}.")
    # Every device on one page: the score only means something across all the compared devices.
    report = asset_sales_report(devices=devices, start=start, end=end, page_size=None, include=frozenset())
    value = {"revenue": "total_revenue", "units": "total_units", "score": "performance_score"}[metric]
    ranked = sorted(report["devices"], key=lambda r: (-r[value], -r["total_revenue"], r["asset"]))[:limit]
    return {
        "time_period": report["time_period"],
        "metric": metric,
        "limit": limit,
        "compared_devices": report["count"],
        "devices": [
            {
                "rank": rank,
                "device_id": row["device_id"],
                "asset": row["asset"],
                "location_name": row["location_name"],
                "revenue": row["total_revenue"],
                "units": row["total_units"],
                "score": row["performance_score"],
            }
            for rank, row in enumerate(ranked, start=1)
        ],
    }


def last_complete_week_end(today: dt.date) -> dt.date:
    """The Sunday that ends the last complete ISO week before ``today``'s week."""
    return today - dt.timedelta(days=today.weekday() + 1)


def weekly_sales(*, devices: QuerySet[Device], weeks: int = DEFAULT_WEEKS, today: dt.date | None = None) -> dict:
    """Sales of ``devices`` in each of the last ``weeks`` complete ISO weeks (Monday to Sunday, local days).

    The current week is left out, being partial, so every week compares like with like. One grouped
    query, which also reads the week before the first so that every week has its ``revenue_change_pct``:
    the change of revenue against the previous week (``percent_change``: in percent, None when that
    week took nothing). ``active_devices`` counts the devices with sales that week. Weeks without sales are zeros.
    """
    today = today or timezone.localdate()
    last_end = last_complete_week_end(today)
    first_start = last_end - dt.timedelta(weeks=weeks + 1) + dt.timedelta(days=1)
    rows = (
        DeviceDailySales.objects.filter(device_id__in=devices.values("pk"), date__gte=first_start, date__lte=last_end)
        .annotate(week=TruncWeek("date"))
        .values("week")
        .annotate(
            revenue=Sum("revenue"),
            units=Sum("units"),
            transactions=Sum("transactions"),
            active_devices=Count("device_id", distinct=True),
        )
        .order_by()
    )
    by_week = {row["week"]: row for row in rows}
    result = []
    previous = None
    for i in range(weeks + 1):
        week_start = first_start + dt.timedelta(weeks=i)
        row = by_week.get(week_start, {})
        revenue = money(row.get("revenue") or 0)
        if previous is not None:
            result.append(
                {
                    "week_start": week_start,
                    "week_end": week_start + dt.timedelta(days=6),
                    "revenue": revenue,
                    "units": row.get("units") or 0,
                    "transactions": row.get("transactions") or 0,
                    "active_devices": row.get("active_devices") or 0,
                    "revenue_change_pct": percent_change(revenue, previous),
                }
            )
        previous = revenue
    return {"weeks": weeks, "current_week_excluded_from": last_end + dt.timedelta(days=1), "results": result}
