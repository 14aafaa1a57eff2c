"""The analytics pages: the asset sales dashboard and the device detail page.

Thin views over the same reads the API serves (``asset_sales_report``, ``location_performance``,
``device_sales_analysis``), so a page never shows a figure the API would not.
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import InvalidPage, Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from analytics.api.device_analysis import DEFAULT_THRESHOLD
from analytics.api.exports import EXPORT_FORMATS, WHOLE_RANKING
from analytics.asset_sales import asset_sales_devices, asset_sales_report, device_top_products, score_band
from analytics.comparisons import location_performance
from analytics.forms import AssetSalesDashboardForm, DateRangeForm
from analytics.selectors import device_sales_analysis, fleet_daily_revenue
from cvd_portal.money import money
from devices.selectors import devices_visible_to
from metrics.selectors import device_cabinets_with_metrics
from sales.api.permissions import VIEW_SALES

TABLE_PAGE_SIZE = 25
PRESET_DAYS = (7, 30, 90, 365)
TOP_LOCATIONS = 10
# The sort a column starts with: the best first for figures, A to Z for names.
ASCENDING_FIRST = {"fleet_rank", "asset", "location_name", "device_type", "route"}


# --- The dashboard -----------------------------------------------------------------------------------


def fleet_kpis(report: dict) -> dict:
    """The dashboard's headline figures from an ``asset_sales_report`` over the whole ranking."""
    summary, days = report["fleet_summary"], report["time_period"]["days"]
    return {
        "revenue": summary["total_fleet_revenue"],
        "units": sum(row["total_units"] for row in report["devices"]),
        "transactions": sum(row["total_transactions"] for row in report["devices"]),
        "active_devices": summary["active_devices"],
        "daily_revenue": money(summary["total_fleet_revenue"] / days),
        "median_device_revenue": summary["median_device_revenue"],
    }


KPI_CARDS = (
    ("revenue", "Fleet revenue", True),
    ("units", "Units sold", False),
    ("transactions", "Transactions", False),
    ("active_devices", "Active devices", False),
    ("daily_revenue", "Avg. daily revenue", True),
    ("median_device_revenue", "Median device revenue", True),
)


def kpi_cards(current: dict, previous: dict) -> list[dict]:
    """Each KPI with the previous period's value and the change in percent (None when there is no base)."""
    cards = []
    for key, label, is_money in KPI_CARDS:
        value, before = current[key], previous[key]
        change = None
        if value is not None and before:
            change = round(float((Decimal(value) - Decimal(before)) / Decimal(before) * 100), 1)
        cards.append(
            {"key": key, "label": label, "value": value, "previous": before, "change": change, "money": is_money}
        )
    return cards


def _query(params: dict, **changes) -> str:
    return "?" + urlencode({**params, **changes})


# (row field, header, is a number, hidden on phones to keep rank, asset, revenue, units and score in view)
TABLE_COLUMNS = (
    ("fleet_rank", "Rank", True, False),
    ("asset", "Asset", False, False),
    ("location_name", "Location", False, True),
    ("device_type", "Type", False, True),
    ("route", "Route", False, True),
    ("total_revenue", "Revenue", True, False),
    ("daily_revenue", "Daily avg", True, True),
    ("total_units", "Units", True, False),
    ("total_transactions", "Trans.", True, True),
    ("avg_transaction_value", "Avg trans.", True, True),
    ("active_days", "Days sold", True, True),
    ("performance_score", "Score", True, False),
)


def table_columns(params: dict, current: str) -> list[dict]:
    """Each column of the device table with the link that sorts by it (toggling the current sort) and its state."""
    columns = []
    for field, label, numeric, optional in TABLE_COLUMNS:
        if current.removeprefix("-") == field:
            state = "descending" if current.startswith("-") else "ascending"
            target = field if current.startswith("-") else f"-{field}"
        else:
            state = "none"
            target = field if field in ASCENDING_FIRST else f"-{field}"
        columns.append(
            {
                "field": field,
                "label": label,
                "numeric": numeric,
                "optional": optional,
                "state": state,
                "url": _query(params, sort=target),
            }
        )
    return columns


def _date_presets(params: dict, start: dt.date, end: dt.date) -> list[dict]:
    """Links to the last N days ending yesterday, keeping the filters."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    presets = []
    for days in PRESET_DAYS:
        first = yesterday - dt.timedelta(days=days - 1)
        presets.append(
            {
                "label": f"{days} days",
                "url": _query(params, start_date=first.isoformat(), end_date=yesterday.isoformat()),
                "active": (first, yesterday) == (start, end),
            }
        )
    return presets


def _map_points(rows: list[dict]) -> list[dict]:
    return [
        {
            "asset": row["asset"],
            "location": row["location_name"],
            "lat": float(row["latitude"]),
            "lng": float(row["longitude"]),
            "revenue": str(row["total_revenue"]),
            "daily_revenue": str(row["daily_revenue"]),
            "units": row["total_units"],
            "score": row["performance_score"],
            "band": score_band(row["performance_score"]),
            "url": reverse("analytics:device", args=[row["device_id"]]),
        }
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]


@login_required
@permission_required(VIEW_SALES, raise_exception=True)
def dashboard(request):
    """The asset sales dashboard: KPIs against the previous period, the ranked device table, charts and a map."""
    form = AssetSalesDashboardForm(request.GET, user=request.user)
    if not form.is_valid():
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    values = form.cleaned_data
    start, end = values["start_date"], values["end_date"]
    devices = asset_sales_devices(
        devices_visible_to(request.user),
        location_ids=[values["location"].pk] if values["location"] else None,
        venue_types=[values["venue_type"]] if values["venue_type"] else None,
        device_type_ids=[values["device_type"].pk] if values["device_type"] else None,
        route_ids=[values["route"].pk] if values["route"] else None,
        asset=values["asset"],
    )
    # The whole ranking in one read: the KPIs and the map need every device, the table one page of it.
    report = asset_sales_report(
        devices=devices, start=start, end=end, page_size=WHOLE_RANKING, include=frozenset(), order_by=values["sort"]
    )
    span = end - start + dt.timedelta(days=1)
    previous = asset_sales_report(
        devices=devices, start=start - span, end=end - span, page_size=WHOLE_RANKING, include=frozenset()
    )
    try:
        table_page = Paginator(report["devices"], TABLE_PAGE_SIZE).page(values["page"])
    except InvalidPage as error:
        form.add_error("page", str(error))
        return render(request, "analytics/dashboard.html", {"form": form}, status=400)
    for row in table_page:
        row["score_band"] = score_band(row["performance_score"])

    params = form.filter_query()
    sorted_params = {**params, "sort": values["sort"]}
    locations = location_performance(devices=devices, start=start, end=end)
    context = {
        "form": form,
        "report": report,
        "previous_period": {"start": start - span, "end": end - span},
        "kpis": kpi_cards(fleet_kpis(report), fleet_kpis(previous)),
        "table_page": table_page,
        "page_links": {
            "previous": _query(sorted_params, page=table_page.previous_page_number())
            if table_page.has_previous()
            else None,
            "next": _query(sorted_params, page=table_page.next_page_number()) if table_page.has_next() else None,
        },
        "columns": table_columns(params, values["sort"]),
        "presets": _date_presets(params, start, end),
        "exports": [
            {"format": file_format, "url": f"{reverse('asset-sales-export')}{_query(params, format=file_format)}"}
            for file_format in EXPORT_FORMATS
        ],
        "charts": {
            "trend": fleet_daily_revenue(devices, start, end),
            "locations": [
                {"name": row["name"] or "No location", "revenue": float(row["revenue"])}
                for row in locations["locations"][:TOP_LOCATIONS]
            ],
            "venue_types": [
                {"name": row["venue_type"] or "none", "revenue": float(row["revenue"])}
                for row in locations["venue_types"]
            ],
            "score_bands": report["benchmarks"]["performance_distribution"],
        },
        "map": {"points": _map_points(report["devices"]), "tile_url": settings.MAP_TILE_URL},
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
    }
    return render(request, "analytics/dashboard.html", context)


# --- The device page ---------------------------------------------------------------------------------


@login_required
def device_detail(request, pk):
    """One device: its cabinets and slots with their metrics and, for those who may read sales, its sales analysis.

    A device the user cannot see (a driver's device on another route) answers 404.
    """
    device = get_object_or_404(
        devices_visible_to(request.user).select_related("location", "device_type", "route", "metrics"), pk=pk
    )
    context = {"device": device, "cabinets": device_cabinets_with_metrics(device)}
    if not request.user.has_perm(VIEW_SALES):
        return render(request, "analytics/device_detail.html", context)

    form = DateRangeForm(request.GET)
    context["form"] = form
    if not form.is_valid():
        return render(request, "analytics/device_detail.html", context, status=400)
    start, end = form.cleaned_data["start_date"], form.cleaned_data["end_date"]
    analysis = device_sales_analysis(device=device, start=start, end=end, threshold=DEFAULT_THRESHOLD)
    daily = analysis["volume"]["daily"]
    forecast = analysis["trends"]["forecast"]
    context.update(
        analysis=analysis,
        start=start,
        end=end,
        totals={
            "revenue": sum((row["revenue"] for row in daily), Decimal("0.00")),
            "units": sum(row["units"] for row in daily),
            "transactions": sum(row["transactions"] for row in daily),
        },
        top_products=device_top_products(device_ids=[device.pk], start=start, end=end)[device.pk],
        charts={
            "daily": [{"date": row["date"].isoformat(), "revenue": float(row["revenue"])} for row in daily],
            "forecast": [
                {
                    "date": row["date"].isoformat(),
                    "revenue": float(row["predicted_revenue"]),
                    "lower": float(row["lower"]),
                    "upper": float(row["upper"]),
                }
                for row in forecast["days"] or []
            ],
            "anomalies": [
                {"date": row["date"].isoformat(), "revenue": float(row["revenue"]), "type": row["type"]}
                for row in analysis["anomalies"]["days"]
            ],
            "weekdays": [
                {"name": row["name"], "revenue": float(row["mean_revenue"] or 0)}
                for row in analysis["trends"]["day_of_week"]
            ],
            "hours": analysis["volume"]["hourly_pattern"],
        },
    )
    return render(request, "analytics/device_detail.html", context)
