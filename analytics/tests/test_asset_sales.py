"""The asset-sales report: every figure against a plain computation over the raw sales; the score, ranking, API."""

import datetime as dt
import statistics
from decimal import Decimal

import numpy as np
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.asset_sales import min_max_normalise, rank_devices
from analytics.tests.helpers import END, START, day, two_places
from devices.choices import VenueType
from devices.models import Device
from devices.tests.factories import DeviceFactory, DeviceTypeFactory, LocationFactory, RouteFactory
from planograms.tests.factories import ProductFactory
from sales.models import Sale
from sales.services import sales_rollups_rebuild
from sales.tests.factories import local_datetime, sale_on

URL = reverse("asset-sales")
FLEET_ASSETS = ["A-100", "A-200", "B-300", "B-400"]  # the fixture's devices in service, by asset
WEIGHTS = {"revenue": 0.40, "consistency": 0.25, "growth": 0.20, "efficiency": 0.15}


@pytest.fixture
def fleet(db):
    """Four devices in the fleet (one that sold nothing), one retired, sales at the range's edges."""
    office, school = LocationFactory(venue_type=VenueType.OFFICE), LocationFactory(venue_type=VenueType.SCHOOL)
    combo, snack = DeviceTypeFactory(name="Combo"), DeviceTypeFactory(name="Snack")
    r1, r2 = RouteFactory(), RouteFactory()
    rising = DeviceFactory(asset="A-100", location=office, device_type=combo, route=r1)
    edges = DeviceFactory(asset="A-200", location=school, device_type=snack, route=r2)
    single = DeviceFactory(asset="B-300", location=office, device_type=combo, route=r2)
    idle = DeviceFactory(asset="B-400", location=school, device_type=snack, route=r1)
    retired = DeviceFactory(asset="Z-999", location=office, device_type=combo, route=r1, deleted_at=timezone.now())
    products = [ProductFactory(name=f"P{i}") for i in range(7)]

    for offset in range(7):  # every day, rising; seven products so the top five cut some
        for i, product in enumerate(products):
            sale_on(rising, product, day(offset), units=1 + i % 2, cash=f"{1 + offset * 0.25 + i * 0.1:.2f}")
    sale_on(edges, products[0], day(0), units=2, cash="3.00", hour=0, minute=5)
    sale_on(edges, products[1], day(3), units=1, cash="2.25")
    sale_on(edges, products[1], day(3), units=1, cash="2.25", hour=18)
    sale_on(edges, products[2], END, units=3, cash="4.10", hour=23, minute=50)
    sale_on(edges, products[2], START - dt.timedelta(days=1), units=5, cash="9.00", hour=23, minute=55)
    sale_on(edges, products[2], END + dt.timedelta(days=1), units=5, cash="9.00", hour=0, minute=5)
    sale_on(single, products[3], day(4), units=4, cash="12.00")
    sale_on(single, products[4], day(4), units=1, cash="3.75", hour=15)
    sale_on(retired, products[0], day(1), units=9, cash="99.00")
    sales_rollups_rebuild()
    return {"rising": rising, "edges": edges, "single": single, "idle": idle, "retired": retired}


def reference(start, end, devices=None):
    """The report computed the plain way: Python loops over the raw sales, no rollup, no numpy."""
    devices = list(devices if devices is not None else Device.objects.all())
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    sales = [s for s in Sale.objects.all() if start <= timezone.localdate(s.sold_at) <= end]
    rows = {}
    for device in devices:
        mine = [s for s in sales if s.device_id == device.pk]
        revenue = sum((s.cash_amount for s in mine), Decimal("0"))
        units = sum(s.units for s in mine)
        per_day = {d: [s for s in mine if timezone.localdate(s.sold_at) == d] for d in days}
        trend = [
            {
                "date": d.isoformat(),
                "revenue": two_places(sum((s.cash_amount for s in per_day[d]), Decimal("0"))),
                "units": sum(s.units for s in per_day[d]),
                "transactions": len(per_day[d]),
            }
            for d in days
        ]
        products = {}
        for s in mine:
            entry = products.setdefault(s.product_id, {"product_id": s.product_id, "name": s.product.name})
            entry["units"] = entry.get("units", 0) + s.units
            entry["revenue"] = entry.get("revenue", Decimal("0")) + s.cash_amount
        top = sorted(products.values(), key=lambda p: (-p["revenue"], -p["units"], p["product_id"]))[:5]
        daily = [float(sum((s.cash_amount for s in per_day[d]), Decimal("0"))) for d in days]
        mean = sum(daily) / len(daily)
        if mean > 0:
            consistency = min(1.0, max(0.0, 1 - statistics.pstdev(daily) / mean))
            xs = list(range(len(daily)))
            x_mean = sum(xs) / len(xs)
            sxx = sum((x - x_mean) ** 2 for x in xs)
            slope = sum((x - x_mean) * (y - mean) for x, y in zip(xs, daily, strict=True)) / sxx if sxx else 0.0
            growth = slope / mean
        else:
            consistency = growth = 0.0
        rows[device.pk] = {
            "device_id": device.pk,
            "asset": device.asset,
            "cooler": device.cooler,
            "location_name": device.location.name,
            "address": device.location.address,
            "latitude": str(device.location.latitude),
            "longitude": str(device.location.longitude),
            "device_type": device.device_type.name,
            "route": device.route.number,
            "total_transactions": len(mine),
            "total_units": units,
            "total_revenue": two_places(revenue),
            "avg_transaction_value": two_places(revenue / len(mine)) if mine else "0.00",
            "first_sale": min((s.sold_at for s in mine), default=None),
            "last_sale": max((s.sold_at for s in mine), default=None),
            "daily_revenue": two_places(revenue / len(days)),
            "daily_units": round(units / len(days), 2),
            "revenue_per_unit": two_places(revenue / units) if units else "0.00",
            "active_days": sum(1 for d in days if per_day[d]),
            "top_products": [{**p, "revenue": two_places(p["revenue"])} for p in top],
            "performance_trend": trend,
            "_revenue": revenue,
            "_components": {
                "revenue": float(revenue),
                "consistency": consistency,
                "growth": growth,
                "efficiency": float(revenue) / units if units else 0.0,
            },
        }
    for name, weight in WEIGHTS.items():
        values = [row["_components"][name] for row in rows.values()]
        low, high = min(values), max(values)
        for row in rows.values():
            normalised = 50.0 if abs(high - low) < 1e-12 else (row["_components"][name] - low) / (high - low) * 100
            row["_score"] = row.get("_score", 0.0) + normalised * weight
    ordered = sorted(rows.values(), key=lambda r: (-round(r["_score"], 2), -r["_revenue"], r["asset"]))
    for rank, row in enumerate(ordered, start=1):
        row["fleet_rank"] = rank
        row["percentile"] = round((len(ordered) - rank + 1) / len(ordered) * 100, 2)
    return ordered


def post(client, **body):
    return client.post(URL, body, format="json")


def report_for(client, start=START, end=END, **body):
    response = post(client, start_date=start.isoformat(), end_date=end.isoformat(), **body)
    assert response.status_code == 200, response.json()
    return response.json()


def test_every_device_figure_matches_a_plain_computation_over_the_raw_sales(fleet, client_for, manager):
    body = report_for(client_for(manager))
    expected = reference(START, END)

    assert sorted(r["asset"] for r in expected) == FLEET_ASSETS  # the loop below compares every device
    assert [d["device_id"] for d in body["devices"]] == [r["device_id"] for r in expected]
    for got, want in zip(body["devices"], expected, strict=True):
        for field in ("first_sale", "last_sale"):
            assert (parse_datetime(got[field]) if got[field] else None) == want[field], field
        assert got["performance_score"] == pytest.approx(round(want["_score"], 2), abs=0.011)
        plain = {k: v for k, v in want.items() if not k.startswith("_") and k not in ("first_sale", "last_sale")}
        assert {k: got[k] for k in plain} == plain
    assert fleet["retired"].pk not in {d["device_id"] for d in body["devices"]}
    assert body["time_period"] == {"start": START.isoformat(), "end": END.isoformat(), "days": 7}


def test_fleet_summary_and_benchmarks_match_a_plain_computation(fleet, client_for, viewer):
    body = report_for(client_for(viewer))
    expected = reference(START, END)
    active = [r for r in expected if r["_revenue"] > 0]
    revenues = [r["_revenue"] for r in active]
    top = max(active, key=lambda r: r["_revenue"])
    bottom = min(active, key=lambda r: r["_revenue"])
    quartiles = statistics.quantiles(revenues, n=4, method="exclusive")
    scores = {r["device_id"]: d["performance_score"] for r, d in zip(expected, body["devices"], strict=True)}
    bands = {"0-20": 0, "20-40": 0, "40-60": 0, "60-80": 0, "80-100": 0}
    for r in active:
        score = scores[r["device_id"]]
        bands[next(label for label in bands if score < int(label.split("-")[1]) or label == "80-100")] += 1

    assert body["fleet_summary"] == {
        "total_devices": 4,
        "active_devices": 3,
        "total_fleet_revenue": two_places(sum(revenues)),
        "average_device_revenue": two_places(sum(revenues) / len(revenues)),
        "median_device_revenue": two_places(sorted(revenues)[1]),
        "top_performer": {"device_id": top["device_id"], "asset": top["asset"], "total_revenue": top["total_revenue"]},
        "bottom_performer": {
            "device_id": bottom["device_id"],
            "asset": bottom["asset"],
            "total_revenue": bottom["total_revenue"],
        },
    }
    assert body["benchmarks"] == {
        "revenue_quartiles": {
            "q1": two_places(quartiles[0]),
            "q2": two_places(sorted(revenues)[1]),
            "q3": two_places(quartiles[2]),
        },
        "daily_revenue_avg": two_places(sum(Decimal(r["daily_revenue"]) for r in active) / len(active)),
        "units_per_device_avg": round(sum(r["total_units"] for r in active) / len(active), 2),
        "performance_distribution": bands,
    }


def test_an_empty_range_gives_zeros_and_null_summaries(fleet, client_for, manager):
    quiet = dt.date(2025, 1, 1)
    body = report_for(client_for(manager), start=quiet, end=quiet + dt.timedelta(days=2))

    assert body["count"] == 4
    # All equal: the ranking falls back to the asset number.
    assert [d["asset"] for d in body["devices"]] == FLEET_ASSETS
    for device in body["devices"]:
        assert device["total_revenue"] == "0.00"
        assert device["total_transactions"] == device["total_units"] == device["active_days"] == 0
        assert device["avg_transaction_value"] == device["revenue_per_unit"] == device["daily_revenue"] == "0.00"
        assert device["first_sale"] is device["last_sale"] is None
        assert device["top_products"] == []
        assert [d["revenue"] for d in device["performance_trend"]] == ["0.00"] * 3
        assert device["performance_score"] == 50.0  # every component equal across the fleet
    assert body["fleet_summary"] == {
        "total_devices": 4,
        "active_devices": 0,
        "total_fleet_revenue": "0.00",
        "average_device_revenue": None,
        "median_device_revenue": None,
        "top_performer": None,
        "bottom_performer": None,
    }
    assert body["benchmarks"]["revenue_quartiles"] == {"q1": None, "q2": None, "q3": None}
    assert body["benchmarks"]["daily_revenue_avg"] is None
    assert body["benchmarks"]["units_per_device_avg"] is None
    assert sum(body["benchmarks"]["performance_distribution"].values()) == 0


def test_no_devices_at_all_is_an_empty_report_not_an_error(db, client_for, manager):
    body = report_for(client_for(manager))

    assert body["count"] == 0
    assert body["devices"] == []
    assert body["fleet_summary"]["total_devices"] == 0


def test_a_device_with_a_single_sale_day(fleet, client_for, manager):
    single = fleet["single"]
    body = report_for(client_for(manager), filters={"device_ids": [single.pk]})

    (device,) = body["devices"]
    assert device["active_days"] == 1
    assert device["total_revenue"] == "15.75"
    assert device["total_transactions"] == 2
    assert device["avg_transaction_value"] == "7.88"
    assert device["daily_revenue"] == "2.25"
    assert device["revenue_per_unit"] == "3.15"
    assert parse_datetime(device["first_sale"]) == local_datetime(day(4))
    assert parse_datetime(device["last_sale"]) == local_datetime(day(4), 15)
    assert [p["name"] for p in device["top_products"]] == ["P3", "P4"]
    # Alone in the comparison, every component is "all equal": 50.
    assert (device["performance_score"], device["fleet_rank"], device["percentile"]) == (50.0, 1, 100.0)
    summary = body["benchmarks"]["revenue_quartiles"]
    assert summary == {"q1": "15.75", "q2": "15.75", "q3": "15.75"}


def test_one_day_range_has_no_growth_and_full_consistency(fleet, client_for, manager):
    body = report_for(client_for(manager), start=day(4), end=day(4))
    expected = reference(day(4), day(4))

    assert sorted(r["asset"] for r in expected) == FLEET_ASSETS
    assert [d["device_id"] for d in body["devices"]] == [r["device_id"] for r in expected]
    for got, want in zip(body["devices"], expected, strict=True):
        assert want["_components"]["growth"] == 0.0
        assert got["device_id"] == want["device_id"]
        assert got["performance_score"] == pytest.approx(round(want["_score"], 2), abs=0.011)
        assert len(got["performance_trend"]) == 1


def test_identical_devices_tie_and_are_ranked_by_asset(db, client_for, manager):
    product = ProductFactory()
    devices = [DeviceFactory(asset=asset) for asset in ("C-3", "C-1", "C-2")]
    for device in devices:
        sale_on(device, product, day(1), cash="2.00")
        sale_on(device, product, day(5), cash="3.00")
    sales_rollups_rebuild()

    body = report_for(client_for(manager))

    assert [d["asset"] for d in body["devices"]] == ["C-1", "C-2", "C-3"]
    assert {d["performance_score"] for d in body["devices"]} == {50.0}
    assert [d["fleet_rank"] for d in body["devices"]] == [1, 2, 3]
    assert [d["percentile"] for d in body["devices"]] == [100.0, 66.67, 33.33]


def test_a_score_tie_is_broken_by_revenue_then_asset():
    rows = [
        {"asset": "B", "performance_score": 70.0, "total_revenue": Decimal("10.00")},
        {"asset": "A", "performance_score": 70.0, "total_revenue": Decimal("10.00")},
        {"asset": "C", "performance_score": 70.0, "total_revenue": Decimal("12.00")},
        {"asset": "D", "performance_score": 90.0, "total_revenue": Decimal("1.00")},
    ]

    ranked = rank_devices(rows)

    assert [(r["asset"], r["fleet_rank"], r["percentile"]) for r in ranked] == [
        ("D", 1, 100.0),
        ("C", 2, 75.0),
        ("A", 3, 50.0),
        ("B", 4, 25.0),
    ]


def test_min_max_normalisation_gives_fifty_when_all_are_equal():
    assert min_max_normalise(np.array([3.0, 3.0])).tolist() == [50.0, 50.0]
    assert min_max_normalise(np.array([1.0, 2.0, 3.0])).tolist() == [0.0, 50.0, 100.0]


@pytest.mark.parametrize(
    ("filters", "assets"),
    [
        (lambda f: {"location": [f["rising"].location_id]}, {"A-100", "B-300"}),
        (lambda f: {"venue_type": ["school"]}, {"A-200", "B-400"}),
        (lambda f: {"device_type": [f["single"].device_type_id]}, {"A-100", "B-300"}),
        (lambda f: {"route": [f["edges"].route_id]}, {"A-200", "B-300"}),
        (lambda f: {"device_ids": [f["idle"].pk, f["single"].pk]}, {"B-300", "B-400"}),
        (lambda f: {"asset": "a-"}, {"A-100", "A-200"}),
        (lambda f: {"venue_type": ["office"], "route": [f["rising"].route_id]}, {"A-100"}),
    ],
)
def test_each_filter_narrows_the_devices(fleet, client_for, manager, filters, assets):
    body = report_for(client_for(manager), filters=filters(fleet))

    assert {d["asset"] for d in body["devices"]} == assets
    assert body["fleet_summary"]["total_devices"] == len(assets)
    # The score compares only the filtered devices.
    ids = {d["device_id"] for d in body["devices"]}
    expected = reference(START, END, Device.objects.filter(pk__in=ids))
    assert [d["device_id"] for d in body["devices"]] == [r["device_id"] for r in expected]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start_date": "2026-03-08", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "end_date"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"filters": {"location": [999_999]}}, "filters"),
        ({"filters": {"venue_type": ["casino"]}}, "filters"),
        ({"filters": {"device_ids": ["abc"]}}, "filters"),
        ({"filters": {"route": "12"}}, "filters"),
        ({"filters": {"device_type": [2**40]}}, "filters"),
        ({"filters": "office"}, "filters"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1001}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": 2}, "page"),
        ({"include": "trend,colour"}, "include"),
        ({"include": 5}, "include"),
    ],
)
def test_bad_requests_are_400_naming_the_field(fleet, client_for, manager, body, field):
    response = post(client_for(manager), **body)

    assert response.status_code == 400, response.content
    assert field in response.json()


def test_an_unknown_location_id_is_named(fleet, client_for, manager):
    response = post(client_for(manager), filters={"location": [fleet["rising"].location_id, 999_999]})

    assert response.json() == {"filters": {"location": ["Unknown id(s): 999999."]}}


def test_a_body_that_is_not_an_object_is_400(db, client_for, manager):
    response = client_for(manager).post(URL, [1, 2], format="json")

    assert response.status_code == 400


def test_anonymous_is_401_and_a_driver_403(db, api_client, client_for, driver):
    assert api_client.post(URL, {}, format="json").status_code == 401
    assert api_client.get(URL).status_code == 401
    assert client_for(driver).post(URL, {}, format="json").status_code == 403
    assert client_for(driver).get(URL).status_code == 403


def test_get_and_post_give_the_same_answer(fleet, client_for, manager):
    client = client_for(manager)
    filters = {"venue_type": ["office", "school"], "route": [fleet["rising"].route_id, fleet["edges"].route_id]}
    posted = report_for(client, filters=filters, page_size=2, page=2, include="trend")
    query = {
        "start_date": START.isoformat(),
        "end_date": END.isoformat(),
        "venue_type": "office,school",
        "route": [fleet["rising"].route_id, fleet["edges"].route_id],
        "page_size": 2,
        "page": 2,
        "include": "trend",
    }
    got = client.get(URL, query)

    assert got.status_code == 200, got.json()
    assert got.json() == posted


def test_pages_and_include_cut_the_answer_not_the_ranking(fleet, client_for, manager):
    client = client_for(manager)
    whole = report_for(client)
    first = report_for(client, page_size=3, include="")
    second = report_for(client, page_size=3, page=2, include=["top_products"])

    assert (first["count"], first["pages"], second["page"]) == (4, 2, 2)
    assert (len(first["devices"]), len(second["devices"])) == (3, 1)
    assert [d["device_id"] for d in first["devices"] + second["devices"]] == [d["device_id"] for d in whole["devices"]]
    assert all("performance_trend" not in d and "top_products" not in d for d in first["devices"])
    assert all("performance_trend" not in d and "top_products" in d for d in second["devices"])
    assert first["fleet_summary"] == second["fleet_summary"] == whole["fleet_summary"]
    assert first["benchmarks"] == whole["benchmarks"]
    assert second["devices"][0]["fleet_rank"] == 4


def test_a_driver_role_with_sales_rights_sees_only_their_routes(fleet, client_for, make_user):
    from django.contrib.auth.models import Permission

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_sale", content_type__app_label="sales"))
    route = fleet["rising"].route
    route.driver = user
    route.save()

    body = report_for(client_for(user))

    assert {d["asset"] for d in body["devices"]} == {"A-100", "B-400"}


@pytest.mark.parametrize("devices", [3, 25])
def test_the_number_of_queries_does_not_grow_with_the_fleet(
    db, client_for, manager, django_assert_max_num_queries, devices
):
    products = [ProductFactory() for _ in range(6)]
    location = LocationFactory()
    fleet = [DeviceFactory(location=location) for _ in range(devices)]
    for i, device in enumerate(fleet):
        for offset in range(3):
            for product in products:
                sale_on(device, product, day(offset), cash=f"{1 + i * 0.1:.2f}")
    sales_rollups_rebuild()
    client = client_for(manager)
    filters = {"location": [location.pk], "device_ids": [d.pk for d in fleet]}

    # The user's permissions (2), the two filters' ids, the devices, their sums; the page's trend and top products.
    with django_assert_max_num_queries(8):
        body = report_for(client, filters=filters)

    assert body["count"] == len(body["devices"]) == devices
    assert [len(d["top_products"]) for d in body["devices"]] == [5] * devices


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
    | st.sampled_from(["0001-01-01", "9999-12-31", "2026-03-02", "office", "trend", "", "1,2", "-1", "2147483648"])
)
VALUES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=3), max_leaves=5)
FILTERS = st.dictionaries(
    st.sampled_from(["location", "venue_type", "device_type", "route", "device_ids", "asset", "other"]), VALUES
)
BODIES = st.dictionaries(
    st.sampled_from(["start_date", "end_date", "page", "page_size", "include", "filters"]),
    VALUES | FILTERS,
)


def test_no_body_or_query_makes_a_500(fleet, client_for, manager):
    client = client_for(manager)

    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(body=BODIES)
    def answer_is_never_a_server_error(body):
        response = client.post(URL, body, format="json")
        assert response.status_code < 500, (body, response.content[:500])
        filters = body.get("filters") if isinstance(body.get("filters"), dict) else {}
        query = {k: v for k, v in {**body, **filters}.items() if isinstance(v, str | int)}
        response = client.get(URL, query)
        assert response.status_code < 500, (query, response.content[:500])

    answer_is_never_a_server_error()


OUTSIDE_THE_CALENDAR = ["The range falls outside the calendar."]


@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        # A date alone covers 30 days from it, or up to it (analytics.date_range): past the calendar's ends, 400
        # on the date given.
        ({"start_date": "9999-12-31"}, 400, {"start_date": OUTSIDE_THE_CALENDAR}),
        ({"end_date": "0001-01-01"}, 400, {"end_date": OUTSIDE_THE_CALENDAR}),
        # Both dates given: a one-day range inside the calendar, answered.
        ({"start_date": "0001-01-01", "end_date": "0001-01-01"}, 200, {"start": "0001-01-01", "end": "0001-01-01"}),
        ({"start_date": "9999-12-31", "end_date": "9999-12-31"}, 200, {"start": "9999-12-31", "end": "9999-12-31"}),
    ],
)
def test_dates_at_the_calendars_ends_follow_the_range_rules(fleet, client_for, manager, body, status, answer):
    # With devices that sold, so the top products' running totals are looked up at the calendar's ends.
    response = post(client_for(manager), **body)

    assert response.status_code == status, response.content[:500]
    if status == 400:
        assert response.json() == answer
    else:
        got = response.json()
        assert got["time_period"] == {**answer, "days": 1}
        assert [d["asset"] for d in got["devices"]] == FLEET_ASSETS  # nothing sold: ranked by asset
        assert {d["total_revenue"] for d in got["devices"]} == {"0.00"}
