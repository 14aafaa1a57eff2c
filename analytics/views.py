"""The analytics pages: the asset sales dashboard and the device detail page.

Thin views over the same reads the API serves (``asset_sales_report``, ``location_performance``,
``device_sales_analysis``), so a page never shows a figure the API would not.
"""

from decimal import Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from analytics.api.device_analysis import DEFAULT_THRESHOLD
from analytics.api.exports import EXPORT_FORMATS
from analytics.asset_sales import asset_sales_report, device_top_products
from analytics.calculations import percent_change
from analytics.comparisons import location_performance
from analytics.date_range import DateRange
from analytics.forms import AssetSalesDashboardForm, DateRangeForm
from analytics.score_bands import score_band, score_bands_for_pages
from analytics.selectors import device_sales_analysis, fleet_daily_revenue
from cvd_portal.api.pagination import paginate
from cvd_portal.money import money
from devices.filtersets import DeviceFilterSet
from devices.selectors import devices_visible_to
from metrics.selectors import device_cabinets_with_metrics
from sales.api.permissions import VIEW_SALES

# The device table's rows per page: a fixed size, paged by the API's rule (``paginate``).
TABLE_PAGE_SIZE = 25
PRESET_DAYS = (7, 30, 90, 365)
# The DeviceFilterSet parameters the dashboard offers as controls (any other it is given still narrows).
DASHBOARD_FILTERS = ("location", "venue_type", "device_type", "route", "asset")
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
    """Each KPI with the previous period's value and its ``percent_change`` (None when there is no base)."""
    return [
        {
            "key": key,
            "label": label,
            "value": current[key],
            "previous": previous[key],
            "change": percent_change(current[key], previous[key]),
            "money": is_money,
        }
        for key, label, is_money in KPI_CARDS
    ]


def _query(params: dict, **changes) -> str:
    return "?" + urlencode({**params, **changes}, doseq=True)


def _filter_params(dates: DateRange, filterset: DeviceFilterSet) -> dict:
    """The range and the filters given, as query parameters (the API's names), for export, sort and page links."""
    params = {"start_date": dates.start.isoformat(), "end_date": dates.end.isoformat()}
    for name in filterset.filters:
        values = [value for value in filterset.data.getlist(name) if value]
        if values:
            params[name] = values
    return params


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


def _date_presets(params: dict, dates: DateRange) -> list[dict]:
    """Links to the last N whole days (``DateRange.last``), keeping the filters."""
    presets = []
    for days in PRESET_DAYS:
        preset = DateRange.last(days)
        presets.append(
            {
                "label": f"{days} days",
                "url": _query(params, start_date=preset.start.isoformat(), end_date=preset.end.isoformat()),
                "active": preset == dates,
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
            "band": score_band(row["performance_score"]).label,
            "url": reverse("analytics:device", args=[row["device_id"]]),
        }
        for row in rows
        if row["latitude"] is not None and row["longitude"] is not None
    ]


@login_required
@permission_required(VIEW_SALES, raise_exception=True)
def dashboard(request):
    """The asset sales dashboard: KPIs against the previous period, the ranked device table, charts and a map.

    The devices are those the user may see, narrowed by ``DeviceFilterSet`` (whose form gives the
    filter controls), as the API's are.
    """
    form = AssetSalesDashboardForm(request.GET)
    filterset = DeviceFilterSet(request.GET, queryset=devices_visible_to(request.user), request=request)
    controls = {"form": form, "filterset": filterset, "filters": [filterset.form[name] for name in DASHBOARD_FILTERS]}
    # Both forms validated, so every wrong control shows its error at once.
    if not (form.is_valid() & filterset.is_valid()):
        return render(request, "analytics/dashboard.html", controls, status=400)
    values = form.cleaned_data
    dates = values["dates"]
    start, end = dates.start, dates.end
    devices = filterset.qs
    # The whole ranking in one read: the KPIs and the map need every device, the table one page of it.
    report = asset_sales_report(
        devices=devices, start=start, end=end, page_size=None, include=frozenset(), order_by=values["sort"]
    )
    before = dates.previous()
    previous = asset_sales_report(
        devices=devices, start=before.start, end=before.end, page_size=None, include=frozenset()
    )
    try:
        table_page = paginate(report["devices"], page=values["page"], page_size=TABLE_PAGE_SIZE)
    except ValidationError as error:
        form.add_error(None, error)
        return render(request, "analytics/dashboard.html", controls, status=400)
    for row in table_page:
        row["score_band"] = score_band(row["performance_score"])

    params = _filter_params(dates, filterset)
    sorted_params = {**params, "sort": values["sort"]}
    locations = location_performance(devices=devices, start=start, end=end)
    context = {
        **controls,
        "report": report,
        "previous_period": {"start": before.start, "end": before.end},
        "kpis": kpi_cards(fleet_kpis(report), fleet_kpis(previous)),
        "table_page": table_page,
        "page_links": {
            "previous": _query(sorted_params, page=table_page.previous_page_number())
            if table_page.has_previous()
            else None,
            "next": _query(sorted_params, page=table_page.next_page_number()) if table_page.has_next() else None,
        },
        "columns": table_columns(params, values["sort"]),
        "presets": _date_presets(params, dates),
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
            "score_distribution": report["benchmarks"]["performance_distribution"],
        },
        "score_bands": score_bands_for_pages(),
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
