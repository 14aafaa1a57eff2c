"""Benchmark of the asset-sales report and its exports against the spec's per-device pattern (run by hand).

    .venv/bin/python bench/analytics.py                     # 1,000 devices × 90 days
    .venv/bin/python bench/analytics.py --repeat 15 --spec-repeat 3

Prints p50 and p95 of the all-devices asset-sales report (trend and top products for every device)
called directly and over HTTP, of the request the dashboard makes (every device ranked, trend and
top products for the first page of 100), of each export format, then the
spec's pattern on the same database (one aggregate over the raw sales, then two queries per device)
and the ratio. Reads only: the superuser is never saved and nothing is written.
"""

import datetime as dt
import time

from common import ensure_fleet, fleet_summary, parse_args, percentile, setup_django, spec_sales_index, timed

args = parse_args(
    __doc__,
    **{"--spec-repeat": {"type": int, "default": 3, "help": "runs of the spec's pattern (it is slow)"}},
)
# A 15-run default: p95 of five runs would be the maximum.
if args.repeat == 5:
    args.repeat = 15
setup_django(args.database_url)

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from analytics.asset_sales import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, asset_sales_devices, asset_sales_report  # noqa: E402
from devices.selectors import devices_visible_to  # noqa: E402

EXPORT_FORMATS = ("csv", "xlsx", "pdf")


def report_range():
    """The fleet's 90 whole local days, ending yesterday (today is not over)."""
    end = timezone.localdate() - dt.timedelta(days=1)
    return end - dt.timedelta(days=args.days - 1), end


def superuser_client():
    """An API client authenticated as an unsaved superuser: every permission, and nothing written."""
    user = get_user_model()(username="bench", is_superuser=True, is_staff=True, is_active=True)
    # The bench's settings are local ones, whose ALLOWED_HOSTS do not include the test client's 'testserver'.
    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(user)
    return client, user


def spec_pattern(start, end):
    """The spec's ``get_asset_sales_analytics``: one aggregate over raw sales, then two queries per device.

    Per device, as its ``calculate_device_metrics`` does: the product performance (units and revenue per
    product, best first) and the daily trend (revenue, units and transactions per local day). Answers
    the number of devices.
    """
    # The spec's BETWEEN on dates, written as the local days' bounds so both sides read the same sales.
    low = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    high = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    zone = settings.TIME_ZONE
    days = (end - start).days + 1
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.asset, d.cooler, l.name, l.address, dt.name, COUNT(s.id), SUM(s.units),"
            " SUM(s.cash_amount), AVG(s.cash_amount), MIN(s.sold_at), MAX(s.sold_at)"
            " FROM devices_device d LEFT JOIN devices_location l ON d.location_id = l.id"
            " LEFT JOIN devices_devicetype dt ON d.device_type_id = dt.id"
            " LEFT JOIN sales_sale s ON d.id = s.device_id AND s.sold_at >= %s AND s.sold_at < %s"
            " WHERE d.deleted_at IS NULL GROUP BY d.id, d.asset, d.cooler, l.name, l.address, dt.name"
            " ORDER BY SUM(s.cash_amount) DESC NULLS LAST",
            [low, high],
        )
        devices = cursor.fetchall()
        for device_id, *_, units, revenue, _avg, _first, _last in devices:
            cursor.execute(
                "SELECT p.id, p.name, SUM(s.units), SUM(s.cash_amount) AS revenue FROM sales_sale s"
                " JOIN planograms_product p ON s.product_id = p.id"
                " WHERE s.device_id = %s AND s.sold_at >= %s AND s.sold_at < %s"
                " GROUP BY p.id, p.name ORDER BY revenue DESC",
                [device_id, low, high],
            )
            top_products = cursor.fetchall()[:5]
            cursor.execute(
                "SELECT DATE(s.sold_at AT TIME ZONE %s) AS day, SUM(s.cash_amount), SUM(s.units), COUNT(s.id)"
                " FROM sales_sale s WHERE s.device_id = %s AND s.sold_at >= %s AND s.sold_at < %s"
                " GROUP BY day ORDER BY day",
                [zone, device_id, low, high],
            )
            trend = cursor.fetchall()
            # The spec's per-device arithmetic, so its Python share is counted too.
            _metrics = {
                "daily_revenue": round((revenue or 0) / days, 2),
                "daily_units": round((units or 0) / days, 2),
                "revenue_per_unit": round(revenue / units, 2) if units else 0,
                "active_days": len(trend),
                "top_products": top_products,
            }
    return len(devices)


def export_url():
    try:
        return reverse("asset-sales-export")
    except NoReverseMatch:
        return None


def print_timing(label, durations):
    p50, p95 = percentile(durations, 0.5), percentile(durations, 0.95)
    print(f"{label}: p50 {p50:.3f} s, p95 {p95:.3f} s ({len(durations)} runs)")


def main():
    ensure_fleet(args)
    counts = fleet_summary()
    print("fleet: " + ", ".join(f"{value:,} {label}" for label, value in counts.items()))
    start, end = report_range()
    print(f"range: {start} – {end} ({(end - start).days + 1} days), trend and top products for every device")
    client, user = superuser_client()

    def direct():
        devices = asset_sales_devices(devices_visible_to(user))
        return asset_sales_report(devices=devices, start=start, end=end, page_size=MAX_PAGE_SIZE)

    report = direct()
    assert report["count"] == counts["devices"] and report["pages"] == 1, "the page must cover the whole fleet"
    direct_durations = timed(direct, args.repeat)
    print_timing("asset-sales (ours, asset_sales_report)", direct_durations)

    body = {"start_date": start.isoformat(), "end_date": end.isoformat(), "page_size": MAX_PAGE_SIZE}

    def over_http():
        response = client.post("/api/analytics/asset-sales", body, format="json")
        assert response.status_code == 200, response.content[:500]

    over_http()  # warm-up: URL resolution and serializer set-up happen once
    http_durations = timed(over_http, args.repeat)
    print_timing("asset-sales (ours, POST over HTTP)", http_durations)

    def default_page():
        response = client.post("/api/analytics/asset-sales", {**body, "page_size": DEFAULT_PAGE_SIZE}, format="json")
        assert response.status_code == 200, response.content[:500]

    # What the portal's table asks for: the whole fleet ranked, heavy fields for the first page only.
    page_durations = timed(default_page, args.repeat)
    print_timing(f"asset-sales (ours, POST over HTTP, page of {DEFAULT_PAGE_SIZE})", page_durations)

    url = export_url()
    if url is None:
        print("export: no /api/analytics/asset-sales/export endpoint yet; not measured")
    for file_format in EXPORT_FORMATS if url else ():
        query = {"start_date": start.isoformat(), "end_date": end.isoformat(), "format": file_format}

        def export(query=query):
            response = client.get(url, query)
            assert response.status_code == 200, response.content[:500]
            return len(response.content)

        size = export()
        print_timing(f"export {file_format} (ours, {size / 1024:.0f} KiB)", timed(export, args.repeat))

    spec_durations = []
    with spec_sales_index():
        for _ in range(args.spec_repeat):
            started = time.perf_counter()
            spec_devices = spec_pattern(start, end)
            spec_durations.append(time.perf_counter() - started)
    spec = percentile(sorted(spec_durations), 0.5)
    print(f"spec pattern: {spec:.1f} s (p50 of {args.spec_repeat} runs; {1 + 2 * spec_devices:,} queries on raw sales)")
    print(f"ratio: {spec / percentile(page_durations, 0.5):.1f}× (spec pattern / ours over HTTP, page of 100, p50)")
    print(f"ratio: {spec / percentile(http_durations, 0.5):.1f}× (spec pattern / ours over HTTP, every device, p50)")
    print(f"ratio: {spec / percentile(direct_durations, 0.5):.1f}× (spec pattern / asset_sales_report, p50)")


main()
