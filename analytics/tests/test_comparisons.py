"""Fleet comparisons: by location and venue type, top performers, weekly sales; every figure against the raw sales."""

import datetime as dt
import itertools
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics.comparisons import last_complete_week_end
from analytics.tests.helpers import END, START, day, two_places
from devices.choices import VenueType
from devices.models import Device
from devices.tests.factories import DeviceFactory, DeviceTypeFactory, LocationFactory, RouteFactory
from planograms.tests.factories import ProductFactory
from sales.models import Sale
from sales.services import sales_rollups_rebuild
from sales.tests.factories import sale_on

LOCATIONS_URL = reverse("analytics-locations")
TOP_URL = reverse("analytics-top-performers")
WEEKLY_URL = reverse("analytics-weekly")
RANGE = {"start_date": START.isoformat(), "end_date": END.isoformat()}
FLEET_ASSETS = ["A-1", "A-2", "B-1", "N-1", "S-1", "S-2"]  # the fixture's devices in service, by asset


@pytest.fixture
def fleet(db):
    """Two offices and a school; one device idle, one without location, one retired; sales at the range's edges."""
    office_a = LocationFactory(name="Office A", venue_type=VenueType.OFFICE)
    office_b = LocationFactory(name="Office B", venue_type=VenueType.OFFICE)
    school = LocationFactory(name="School", venue_type=VenueType.SCHOOL)
    combo, snack = DeviceTypeFactory(name="Combo"), DeviceTypeFactory(name="Snack")
    r1, r2 = RouteFactory(), RouteFactory()
    devices = {
        "a1": DeviceFactory(asset="A-1", location=office_a, device_type=combo, route=r1),
        "a2": DeviceFactory(asset="A-2", location=office_a, device_type=snack, route=r2),
        "b1": DeviceFactory(asset="B-1", location=office_b, device_type=combo, route=r2),
        "s1": DeviceFactory(asset="S-1", location=school, device_type=snack, route=r1),
        "idle": DeviceFactory(asset="S-2", location=school, device_type=combo, route=r1),
        "nowhere": DeviceFactory(asset="N-1", location=None, device_type=combo, route=r2),
        "retired": DeviceFactory(
            asset="Z-9", location=office_a, device_type=combo, route=r1, deleted_at=timezone.now()
        ),
    }
    p1, p2, p3 = ProductFactory(), ProductFactory(), ProductFactory()
    for offset in range(7):
        sale_on(devices["a1"], p1, day(offset), units=2, cash=f"{2 + offset * 0.5:.2f}")
    sale_on(devices["a2"], p2, START, units=1, cash="3.10", hour=0, minute=5)
    sale_on(devices["a2"], p3, END, units=4, cash="8.40", hour=23, minute=55)
    sale_on(devices["a2"], p3, START - dt.timedelta(days=1), units=9, cash="90.00", hour=23, minute=55)
    sale_on(devices["a2"], p3, END + dt.timedelta(days=1), units=9, cash="90.00", hour=0, minute=5)
    sale_on(devices["b1"], p1, day(3), units=3, cash="7.25")
    sale_on(devices["b1"], p2, day(3), units=1, cash="1.75", hour=18)
    sale_on(devices["s1"], p2, day(5), units=5, cash="11.00")
    sale_on(devices["nowhere"], p1, day(2), units=1, cash="0.95")
    sale_on(devices["retired"], p1, day(1), units=9, cash="99.00")
    sales_rollups_rebuild()
    return devices


def raw_totals(start, end):
    """Revenue, units and transactions per device id, the plain way: a loop over the raw sales."""
    totals = defaultdict(lambda: {"revenue": Decimal("0"), "units": 0, "transactions": 0})
    for sale in Sale.objects.all():
        if start <= timezone.localdate(sale.sold_at) <= end:
            entry = totals[sale.device_id]
            entry["revenue"] += sale.cash_amount
            entry["units"] += sale.units
            entry["transactions"] += 1
    return totals


def reference_locations(start, end, devices=None):
    totals = raw_totals(start, end)
    devices = list(devices if devices is not None else Device.objects.all())
    by_location, by_venue = {}, {}
    for device in devices:
        location = device.location
        row = by_location.setdefault(
            location.pk if location else None,
            {
                "location_id": location.pk if location else None,
                "name": location.name if location else None,
                "venue_type": location.venue_type if location else None,
                "latitude": str(location.latitude) if location else None,
                "longitude": str(location.longitude) if location else None,
                "devices": 0,
                "revenue": Decimal("0"),
                "units": 0,
                "transactions": 0,
            },
        )
        venue = by_venue.setdefault(
            row["venue_type"],
            {"venue_type": row["venue_type"], "locations": set(), "devices": 0, "revenue": Decimal("0"), "units": 0},
        )
        row["devices"] += 1
        venue["devices"] += 1
        if location:
            venue["locations"].add(location.pk)
        for target in (row, venue):
            target["revenue"] += totals[device.pk]["revenue"]
            target["units"] += totals[device.pk]["units"]
        row["transactions"] += totals[device.pk]["transactions"]
    for row in [*by_location.values(), *by_venue.values()]:
        row["revenue_per_device"] = two_places(row["revenue"] / row["devices"])
    for venue in by_venue.values():
        venue["locations"] = len(venue["locations"])
    return by_location, by_venue


def get(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.json()
    return response.json()


# --- Locations and venue types ----------------------------------------------------------------------


def test_every_location_figure_matches_the_raw_sales(fleet, client_for, manager):
    body = get(client_for(manager), LOCATIONS_URL, **RANGE)
    by_location, by_venue = reference_locations(START, END)

    assert body["time_period"] == {"start": START.isoformat(), "end": END.isoformat(), "days": 7}
    # Offices A and B, the school and no location; offices, schools and no venue type.
    assert len(by_location) == 4
    assert set(by_venue) == {VenueType.OFFICE, VenueType.SCHOOL, None}
    assert {row["location_id"] for row in body["locations"]} == set(by_location)
    for row in body["locations"]:
        expected = by_location[row["location_id"]]
        assert row == {**expected, "revenue": two_places(expected["revenue"])}
    assert {row["venue_type"] for row in body["venue_types"]} == set(by_venue)
    for row in body["venue_types"]:
        expected = by_venue[row["venue_type"]]
        assert row == {**expected, "revenue": two_places(expected["revenue"])}


def test_locations_are_sorted_by_revenue_and_idle_devices_count_with_zeros(fleet, client_for, manager):
    body = get(client_for(manager), LOCATIONS_URL, **RANGE)

    revenues = [Decimal(row["revenue"]) for row in body["locations"]]
    venue_revenues = [Decimal(row["revenue"]) for row in body["venue_types"]]
    assert (len(revenues), len(venue_revenues)) == (4, 3)
    assert revenues == sorted(revenues, reverse=True)
    assert venue_revenues == sorted(venue_revenues, reverse=True)
    school = next(row for row in body["locations"] if row["name"] == "School")
    assert school["devices"] == 2  # the idle device is counted, and halves the revenue per device
    assert school["revenue_per_device"] == "5.50"


def test_the_retired_device_is_never_compared(fleet, client_for, manager):
    body = get(client_for(manager), LOCATIONS_URL, **RANGE)

    office_a = next(row for row in body["locations"] if row["name"] == "Office A")
    assert office_a["devices"] == 2


def test_an_empty_range_gives_zeros_for_every_device(fleet, client_for, manager):
    body = get(client_for(manager), LOCATIONS_URL, start_date="2025-01-01", end_date="2025-01-31")

    assert sum(row["devices"] for row in body["locations"]) == 6
    assert {(row["revenue"], row["units"], row["transactions"]) for row in body["locations"]} == {("0.00", 0, 0)}
    assert {row["revenue_per_device"] for row in body["venue_types"]} == {"0.00"}


def test_location_filters_narrow_the_devices(fleet, client_for, manager):
    client = client_for(manager)
    body = get(client, LOCATIONS_URL, **RANGE, venue_type="office", route=fleet["a1"].route_id)
    narrowed = Device.objects.filter(location__venue_type="office", route=fleet["a1"].route)
    by_location, by_venue = reference_locations(START, END, narrowed)

    assert [row["location_id"] for row in body["locations"]] == [fleet["a1"].location_id]
    assert body["locations"][0]["revenue"] == two_places(by_location[fleet["a1"].location_id]["revenue"])
    assert [row["venue_type"] for row in body["venue_types"]] == ["office"]
    assert body["venue_types"][0]["devices"] == by_venue["office"]["devices"] == 1


def test_no_devices_gives_empty_lists(fleet, client_for, manager):
    body = get(client_for(manager), LOCATIONS_URL, **RANGE, asset="no-such-asset")

    assert body["locations"] == body["venue_types"] == []


# --- Top performers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("metric", ["revenue", "units"])
def test_top_performers_by_revenue_or_units_match_the_raw_sales(fleet, client_for, manager, metric):
    body = get(client_for(manager), TOP_URL, **RANGE, metric=metric, limit=3)
    totals = raw_totals(START, END)
    devices = list(Device.objects.all())
    expected = sorted(devices, key=lambda d: (-totals[d.pk][metric], -totals[d.pk]["revenue"], d.asset))[:3]

    assert body["metric"] == metric
    assert body["compared_devices"] == 6
    assert [row["asset"] for row in body["devices"]] == [d.asset for d in expected]
    assert [row["rank"] for row in body["devices"]] == [1, 2, 3]
    for row, device in zip(body["devices"], expected, strict=True):
        assert row["revenue"] == two_places(totals[device.pk]["revenue"])
        assert row["units"] == totals[device.pk]["units"]
        assert row["location_name"] == (device.location.name if device.location else None)


def test_top_performers_by_score_follow_the_asset_sales_ranking(fleet, client_for, manager):
    client = client_for(manager)
    body = get(client, TOP_URL, **RANGE, metric="score", limit=1000)
    report = client.get(reverse("asset-sales"), {**RANGE, "include": ""}).json()

    assert sorted(d["asset"] for d in report["devices"]) == FLEET_ASSETS
    assert [row["asset"] for row in body["devices"]] == [d["asset"] for d in report["devices"]]
    assert [row["score"] for row in body["devices"]] == [d["performance_score"] for d in report["devices"]]
    assert [row["rank"] for row in body["devices"]] == [d["fleet_rank"] for d in report["devices"]]


def test_scores_are_the_same_whatever_the_metric(fleet, client_for, manager):
    client = client_for(manager)
    by_score = {r["asset"]: r["score"] for r in get(client, TOP_URL, **RANGE, metric="score", limit=100)["devices"]}
    by_units = {r["asset"]: r["score"] for r in get(client, TOP_URL, **RANGE, metric="units", limit=100)["devices"]}

    assert sorted(by_score) == FLEET_ASSETS
    assert by_score == by_units


def test_ties_are_broken_by_revenue_then_asset(db, client_for, manager):
    product = ProductFactory()
    devices = [DeviceFactory(asset=asset) for asset in ("C-3", "C-1", "C-2")]
    sale_on(devices[0], product, START, units=2, cash="5.00")
    sale_on(devices[1], product, START, units=2, cash="4.00")
    sale_on(devices[2], product, START, units=2, cash="5.00")
    sales_rollups_rebuild()

    body = get(client_for(manager), TOP_URL, **RANGE, metric="units")

    assert [(row["rank"], row["asset"]) for row in body["devices"]] == [(1, "C-2"), (2, "C-3"), (3, "C-1")]


def test_top_performers_over_an_empty_range_are_zeros(fleet, client_for, manager):
    body = get(client_for(manager), TOP_URL, start_date="2025-01-01", end_date="2025-01-07")

    assert [row["asset"] for row in body["devices"]] == sorted(d.asset for d in Device.objects.all())
    assert {(row["revenue"], row["units"], row["score"]) for row in body["devices"]} == {("0.00", 0, 50.0)}


def test_top_performers_honour_filters(fleet, client_for, manager):
    body = get(client_for(manager), TOP_URL, **RANGE, device_type=fleet["a2"].device_type_id)

    assert {row["asset"] for row in body["devices"]} == {"A-2", "S-1"}
    assert body["compared_devices"] == 2


# --- Weekly -----------------------------------------------------------------------------------------


@pytest.fixture
def weeks_fleet(db):
    """Sales over the last four complete weeks (one without sales) and in the current, partial week."""
    last_end = last_complete_week_end(timezone.localdate())
    monday = last_end - dt.timedelta(days=6)
    product = ProductFactory()
    first, second, _idle = DeviceFactory(), DeviceFactory(), DeviceFactory()
    week = lambda n: monday - dt.timedelta(weeks=n)  # noqa: E731 - week n before the last complete one
    sale_on(first, product, week(3), units=2, cash="4.00", hour=0, minute=5)  # a Monday's first minutes
    sale_on(first, product, week(3) + dt.timedelta(days=6), cash="6.00", hour=23, minute=55)  # a Sunday's last
    sale_on(second, product, week(2) + dt.timedelta(days=2), units=3, cash="5.00")
    sale_on(first, product, week(0), units=1, cash="2.50")
    sale_on(second, product, week(0) + dt.timedelta(days=6), units=1, cash="7.50")
    sale_on(first, product, last_end + dt.timedelta(days=1), units=9, cash="99.00")  # the current week
    sales_rollups_rebuild()
    return {"first": first, "second": second, "last_end": last_end}


def reference_weeks(last_end, weeks, devices=None):
    device_ids = {d.pk for d in (devices if devices is not None else Device.objects.all())}
    starts = [last_end - dt.timedelta(days=6) - dt.timedelta(weeks=n) for n in range(weeks, -1, -1)]
    rows = []
    for start in starts:
        end = start + dt.timedelta(days=6)
        sales = [
            s for s in Sale.objects.all() if s.device_id in device_ids and start <= timezone.localdate(s.sold_at) <= end
        ]
        rows.append(
            {
                "week_start": start.isoformat(),
                "week_end": end.isoformat(),
                "revenue": sum((s.cash_amount for s in sales), Decimal("0")),
                "units": sum(s.units for s in sales),
                "transactions": len(sales),
                "active_devices": len({s.device_id for s in sales}),
            }
        )
    for previous, row in itertools.pairwise(rows):
        change = (row["revenue"] - previous["revenue"]) / previous["revenue"] * 100 if previous["revenue"] else None
        row["revenue_change_pct"] = (
            float(change.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) if change is not None else None
        )
    return [{**row, "revenue": two_places(row["revenue"])} for row in rows[1:]]


def test_every_week_matches_the_raw_sales(weeks_fleet, client_for, manager):
    body = get(client_for(manager), WEEKLY_URL, weeks=5)

    assert body["weeks"] == 5
    assert body["current_week_excluded_from"] == (weeks_fleet["last_end"] + dt.timedelta(days=1)).isoformat()
    assert body["results"] == reference_weeks(weeks_fleet["last_end"], 5)


def test_weeks_start_on_monday_and_leave_out_the_current_week(weeks_fleet, client_for, manager):
    body = get(client_for(manager), WEEKLY_URL)

    assert len(body["results"]) == 12
    assert {dt.date.fromisoformat(row["week_start"]).weekday() for row in body["results"]} == {0}
    assert body["results"][-1]["week_end"] == weeks_fleet["last_end"].isoformat()
    assert body["results"][-1]["revenue"] == "10.00"  # not the 99.00 of the current week
    assert body["results"][-2]["revenue"] == "0.00"
    assert body["results"][-1]["revenue_change_pct"] is None  # after a week without sales


def test_weekly_change_is_against_the_week_before(weeks_fleet, client_for, manager):
    results = get(client_for(manager), WEEKLY_URL, weeks=3)["results"]

    assert [row["revenue"] for row in results] == ["5.00", "0.00", "10.00"]
    assert [row["revenue_change_pct"] for row in results] == [-50.0, -100.0, None]
    assert [row["active_devices"] for row in results] == [1, 0, 2]


def test_weekly_honours_filters(weeks_fleet, client_for, manager):
    device = weeks_fleet["first"]
    body = get(client_for(manager), WEEKLY_URL, weeks=4, device_ids=device.pk)

    expected = reference_weeks(weeks_fleet["last_end"], 4, [device])
    assert [row["revenue"] for row in expected] == ["10.00", "0.00", "0.00", "2.50"]  # not "second"'s
    assert body["results"] == expected


def test_weekly_without_sales_is_zeros(db, client_for, manager):
    results = get(client_for(manager), WEEKLY_URL, weeks=2)["results"]

    assert [(r["revenue"], r["units"], r["active_devices"], r["revenue_change_pct"]) for r in results] == [
        ("0.00", 0, 0, None)
    ] * 2


# --- Input, permissions, queries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "query", "field"),
    [
        (TOP_URL, {"limit": 0}, "limit"),
        (TOP_URL, {"limit": 1001}, "limit"),
        (TOP_URL, {"limit": "ten"}, "limit"),
        (TOP_URL, {"metric": "profit"}, "metric"),
        (WEEKLY_URL, {"weeks": 0}, "weeks"),
        (WEEKLY_URL, {"weeks": 105}, "weeks"),
        (LOCATIONS_URL, {"start_date": "2026-03-08", "end_date": "2026-03-02"}, "end_date"),
        (TOP_URL, {"start_date": "2026-03-08", "end_date": "2026-03-02"}, "end_date"),
        (LOCATIONS_URL, {"start_date": "March"}, "start_date"),
        (LOCATIONS_URL, {"venue_type": "castle"}, "filters"),
    ],
)
def test_bad_input_is_400_with_the_field(db, client_for, manager, url, query, field):
    response = client_for(manager).get(url, query)

    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("url", [LOCATIONS_URL, TOP_URL, WEEKLY_URL])
def test_unknown_filter_ids_are_400(fleet, client_for, manager, url):
    response = client_for(manager).get(url, {"location": [fleet["a1"].location_id, 999_999]})

    assert response.status_code == 400
    assert response.json() == {"filters": {"location": ["Unknown id(s): 999999."]}}


@pytest.mark.parametrize("url", [LOCATIONS_URL, TOP_URL, WEEKLY_URL])
def test_anonymous_is_401_and_a_driver_403(db, api_client, client_for, driver, url):
    assert api_client.get(url).status_code == 401
    assert client_for(driver).get(url).status_code == 403


@pytest.mark.parametrize("url", [LOCATIONS_URL, TOP_URL, WEEKLY_URL])
def test_a_user_sees_only_the_devices_of_their_routes(fleet, client_for, make_user, url):
    from django.contrib.auth.models import Permission

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_sale", content_type__app_label="sales"))
    route = fleet["a1"].route
    route.driver = user
    route.save()
    # The weekly sales cover the last complete weeks, not RANGE: a sale there on one of the user's devices and another.
    last_end = last_complete_week_end(timezone.localdate())
    sale_on(fleet["s1"], ProductFactory(), last_end, cash="4.00")
    sale_on(fleet["b1"], ProductFactory(), last_end, cash="6.00")
    sales_rollups_rebuild()

    response = client_for(user).get(url, RANGE)
    assert response.status_code == 200
    body = response.json()
    if url == TOP_URL:
        assert {row["asset"] for row in body["devices"]} == {"A-1", "S-1", "S-2"}
    elif url == LOCATIONS_URL:
        assert sum(row["devices"] for row in body["locations"]) == 3
    else:
        assert body["results"] == reference_weeks(last_end, 12, Device.objects.filter(route=route))
        assert body["results"][-1]["revenue"] == "4.00"
    # Someone else's device id is unknown to this user.
    other = client_for(user).get(url, {**RANGE, "device_ids": fleet["a2"].pk})
    assert other.status_code == 400


def queries_for(client, url, query):
    client.get(url, query)  # the user's permissions are cached on the first request; count a warm one
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200, response.json()
    return len(captured)


@pytest.mark.parametrize(
    ("url", "query", "expected"),
    [
        # One query checks the device_ids filter; then the grouped reads: by location and by venue type;
        # the devices and their sales per day (asset_sales_report); the sales per week.
        (LOCATIONS_URL, RANGE, 3),
        (TOP_URL, {**RANGE, "metric": "score"}, 3),
        (TOP_URL, {**RANGE, "metric": "revenue"}, 3),
        (WEEKLY_URL, {"weeks": 8}, 2),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_fleet(db, client_for, manager, url, query, expected):
    client = client_for(manager)
    products = [ProductFactory() for _ in range(3)]
    today = timezone.localdate()
    counts = []
    for size in (3, 20):
        Sale.objects.all().delete()
        Device.all_objects.all().delete()
        location = LocationFactory()
        fleet = [DeviceFactory(location=location if i % 2 else LocationFactory()) for i in range(size)]
        for i, device in enumerate(fleet):
            for offset in range(3):
                for product in products:
                    sale_on(device, product, day(offset), cash=f"{1 + i * 0.1:.2f}")
                    sale_on(device, product, today - dt.timedelta(days=7 * offset + 7), cash="2.00")
        sales_rollups_rebuild()
        filtered = {**query, "device_ids": [d.pk for d in fleet]}
        counts.append(queries_for(client, url, filtered))

    assert counts == [expected, expected]


VALUES = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=10),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-03-02", "office", "score", "units", "", "1,2", "-1", "0"]),
)
QUERIES = st.dictionaries(
    st.sampled_from(
        [
            "start_date",
            "end_date",
            "limit",
            "metric",
            "weeks",
            "location",
            "venue_type",
            "device_type",
            "route",
            "device_ids",
            "asset",
            "other",
        ]
    ),
    st.lists(VALUES, min_size=1, max_size=3),
)


def test_no_query_string_makes_a_500(fleet, client_for, manager):
    client = client_for(manager)

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query=QUERIES, url=st.sampled_from([LOCATIONS_URL, TOP_URL, WEEKLY_URL]))
    def answer_is_never_a_server_error(query, url):
        response = client.get(url, query)
        assert response.status_code < 500, (url, query, response.content[:500])

    answer_is_never_a_server_error()
