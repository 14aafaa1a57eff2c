"""One device's analysis equals plain computations over the raw sales the test wrote."""

import datetime as dt
import math
import statistics
import string
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.urls import reverse
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from devices.services import device_soft_delete
from devices.tests.factories import DeviceFactory, RouteFactory
from planograms.tests.factories import ProductFactory
from sales.models import Sale
from sales.services import sales_recorded
from sales.tests.factories import SaleFactory, local_datetime

pytestmark = pytest.mark.django_db
ZONE = ZoneInfo(settings.TIME_ZONE)
START = dt.date(2026, 3, 2)  # a Monday


def record(device, sales):
    """Write ``(local datetime, units, cash)`` sales for ``device`` over two products, then roll them up."""
    products = [ProductFactory(), ProductFactory()]
    for n, (sold_at, units, cash) in enumerate(sales):
        SaleFactory(device=device, product=products[n % 2], sold_at=sold_at, units=units, cash_amount=Decimal(cash))
    sales_recorded(device_ids=[device.pk])


def analysis(client, device, start, end, **params):
    url = reverse("device-analysis", args=[device.pk])
    response = client.get(url, {"start_date": start.isoformat(), "end_date": end.isoformat(), **params})
    assert response.status_code == 200, response.content[:500]
    return response.json()


def days_between(start, end):
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def expected_days(device, start, end):
    """Units, transactions, revenue and first/last local sale time per local day, by a plain pass."""
    days = {
        day: {"units": 0, "transactions": 0, "revenue": Decimal(0), "times": []} for day in days_between(start, end)
    }
    for sale in Sale.objects.filter(device=device):
        moment = sale.sold_at.astimezone(ZONE)
        if moment.date() in days:
            row = days[moment.date()]
            row["units"] += sale.units
            row["transactions"] += 1
            row["revenue"] += sale.cash_amount
            row["times"].append(moment.time())
    return days


def textbook_line(values):
    """Least squares by the textbook formulas: slope, intercept, r²."""
    n = len(values)
    xs = list(range(n))
    x_bar, y_bar = sum(xs) / n, sum(values) / n
    sxy = sum((x - x_bar) * (y - y_bar) for x, y in zip(xs, values, strict=True))
    sxx = sum((x - x_bar) ** 2 for x in xs)
    slope = sxy / sxx
    intercept = y_bar - slope * x_bar
    ss_tot = sum((y - y_bar) ** 2 for y in values)
    ss_res = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, values, strict=True))
    return slope, intercept, 1 - ss_res / ss_tot


def varied_sales(device, start, days):
    """A few sales a day of varying size and time, some days without any."""
    sales = []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        if n % 6 == 5:
            continue
        for k in range(1 + n % 3):
            sales.append(
                (local_datetime(day, 7 + (n * 5 + k * 3) % 15, (n * 7) % 60), 1 + (n + k) % 4, f"{1 + n % 5}.{k}5")
            )
    record(device, sales)


def test_daily_volume_equals_raw_sales_per_local_day(client_for, viewer):
    device = DeviceFactory()
    end = START + dt.timedelta(days=20)
    varied_sales(device, START, 21)
    SaleFactory(device=DeviceFactory(), sold_at=local_datetime(START))  # another device's sale counts nowhere here
    body = analysis(client_for(viewer), device, START, end)

    expected = expected_days(device, START, end)
    assert [row["date"] for row in body["volume"]["daily"]] == [d.isoformat() for d in expected]
    for row in body["volume"]["daily"]:
        want = expected[dt.date.fromisoformat(row["date"])]
        assert row["units"] == want["units"]
        assert row["transactions"] == want["transactions"]
        assert row["revenue"] == f"{want['revenue']:.2f}"
        assert row["first_sale"] == (min(want["times"]).isoformat() if want["times"] else None)
        assert row["last_sale"] == (max(want["times"]).isoformat() if want["times"] else None)

    units = [row["units"] for row in expected.values()]
    peak_day = max(expected, key=lambda day: (expected[day]["units"], -day.toordinal()))
    volume = body["volume"]
    assert volume["peak_volume_day"] == {"date": peak_day.isoformat(), "units": max(units)}
    assert volume["average_daily_volume"] == pytest.approx(sum(units) / len(units), abs=1e-4)
    consistency = min(1, max(0, 1 - statistics.pstdev(units) / statistics.mean(units)))
    assert volume["volume_consistency"] == pytest.approx(consistency, abs=1e-4)


def test_trends_equal_textbook_least_squares_and_weekday_means(client_for, viewer):
    device = DeviceFactory()
    end = START + dt.timedelta(days=27)
    varied_sales(device, START, 28)
    body = analysis(client_for(viewer), device, START, end)
    expected = expected_days(device, START, end)

    for key, values in [
        ("revenue_trend", [float(row["revenue"]) for row in expected.values()]),
        ("volume_trend", [row["units"] for row in expected.values()]),
    ]:
        slope, intercept, r_squared = textbook_line(values)
        trend = body["trends"][key]
        assert trend["slope"] == pytest.approx(slope, abs=1e-4)
        assert trend["intercept"] == pytest.approx(intercept, abs=1e-4)
        assert trend["r_squared"] == pytest.approx(r_squared, abs=1e-4)
    slope = textbook_line([float(row["revenue"]) for row in expected.values()])[0]
    assert body["trends"]["trend_direction"] == ("increasing" if slope > 0 else "decreasing")

    weekdays = defaultdict(list)
    for day, row in expected.items():
        weekdays[day.weekday()].append(row)
    day_of_week = body["trends"]["day_of_week"]
    assert [entry["weekday"] for entry in day_of_week] == list(range(7))  # every weekday, Monday first
    for entry in day_of_week:
        rows = weekdays[entry["weekday"]]
        assert entry["days"] == len(rows) == 4
        mean_revenue = sum(row["revenue"] for row in rows) / len(rows)
        assert entry["mean_revenue"] == f"{mean_revenue.quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"
        assert entry["mean_units"] == pytest.approx(sum(row["units"] for row in rows) / len(rows), abs=1e-4)

    by_revenue = sorted(expected, key=lambda day: (-expected[day]["revenue"], day))
    assert [row["date"] for row in body["trends"]["peak_days"]] == [d.isoformat() for d in by_revenue[:3]]
    by_low = sorted(expected, key=lambda day: (expected[day]["revenue"], day))
    assert [row["date"] for row in body["trends"]["low_days"]] == [d.isoformat() for d in by_low[:3]]


def test_anomalies_equal_z_scores_by_hand(client_for, viewer):
    device = DeviceFactory()
    end = START + dt.timedelta(days=29)
    revenue = {day: Decimal("20.00") + n % 3 for n, day in enumerate(days_between(START, end))}
    spike, dip = START + dt.timedelta(days=9), START + dt.timedelta(days=20)
    revenue[spike], revenue[dip] = Decimal("140.00"), Decimal("0.00")
    record(device, [(local_datetime(day), 1, cash) for day, cash in revenue.items() if cash])

    values = [float(cash) for cash in revenue.values()]
    mean, sigma = statistics.mean(values), statistics.pstdev(values)
    z_by_day = {day: (float(cash) - mean) / sigma for day, cash in revenue.items()}
    for threshold in (2.5, 1.0):
        body = analysis(client_for(viewer), device, START, end, threshold=threshold)
        expected = [(day, z) for day, z in z_by_day.items() if abs(z) > threshold]
        # The spike is some 5 standard deviations out, the dip about 1.1: only the spike passes 2.5.
        assert [day for day, _ in expected] == ([spike] if threshold == 2.5 else [spike, dip])
        assert body["anomalies"]["threshold"] == threshold
        assert [row["date"] for row in body["anomalies"]["days"]] == [day.isoformat() for day, _ in expected]
        for row, (day, z) in zip(body["anomalies"]["days"], expected, strict=True):
            assert row["revenue"] == f"{revenue[day]:.2f}"
            assert row["z_score"] == pytest.approx(z, abs=1e-4)
            assert row["type"] == ("high" if z > 0 else "low")
            assert row["severity"] == ("severe" if abs(z) > 3.5 else "moderate")
    assert {row["severity"] for row in body["anomalies"]["days"]} == {"severe", "moderate"}
    assert {row["type"] for row in body["anomalies"]["days"]} == {"high", "low"}


def test_empty_range_is_all_zeros_without_anomalies_or_forecast(client_for, viewer):
    device = DeviceFactory()
    record(device, [(local_datetime(START - dt.timedelta(days=1), 23, 59), 3, "9.00")])  # the day before the range
    end = START + dt.timedelta(days=29)
    body = analysis(client_for(viewer), device, START, end)

    assert len(body["volume"]["daily"]) == 30
    assert all(row["units"] == row["transactions"] == 0 and row["revenue"] == "0.00" for row in body["volume"]["daily"])
    assert body["volume"]["peak_volume_day"] is None
    assert body["volume"]["average_daily_volume"] == 0
    assert body["volume"]["volume_consistency"] is None
    assert body["volume"]["hourly_pattern"] == [{"hour": hour, "units": 0, "transactions": 0} for hour in range(24)]
    assert body["trends"]["revenue_trend"] == {"slope": 0, "intercept": 0, "r_squared": 0}
    assert body["trends"]["trend_direction"] == "flat"
    assert body["anomalies"]["days"] == []
    forecast = body["trends"]["forecast"]
    assert forecast["days"] is None
    assert "0 of 30 days with sales" in forecast["reason"]


def test_single_sale_day(client_for, viewer):
    device = DeviceFactory()
    day = START + dt.timedelta(days=3)
    record(device, [(local_datetime(day, 9, 15), 2, "3.00"), (local_datetime(day, 17, 40), 1, "1.75")])
    body = analysis(client_for(viewer), device, day, day)

    assert body["volume"]["daily"] == [
        {"date": day.isoformat(), "units": 3, "transactions": 2, "revenue": "4.75"}
        | {"first_sale": "09:15:00", "last_sale": "17:40:00"}
    ]
    assert body["volume"]["peak_volume_day"] == {"date": day.isoformat(), "units": 3}
    assert body["volume"]["average_daily_volume"] == 3
    assert body["volume"]["volume_consistency"] == 1
    assert body["trends"]["revenue_trend"] == {"slope": 0, "intercept": 4.75, "r_squared": 0}
    assert body["trends"]["trend_direction"] == "flat"
    assert body["anomalies"]["days"] == []
    assert body["trends"]["forecast"]["days"] is None


@pytest.mark.parametrize("dst_day", [dt.date(2026, 3, 8), dt.date(2026, 11, 1)])
def test_late_evening_sale_on_a_dst_change_day_lands_on_its_local_day(client_for, viewer, dst_day):
    device = DeviceFactory()
    late, early = local_datetime(dst_day, 23, 30), local_datetime(dst_day + dt.timedelta(days=1), 0, 30)
    assert late.astimezone(dt.UTC).date() == dst_day + dt.timedelta(days=1)  # the UTC date would be the next day
    record(device, [(late, 2, "3.00"), (early, 1, "1.00")])
    body = analysis(client_for(viewer), device, dst_day - dt.timedelta(days=1), dst_day + dt.timedelta(days=1))

    daily = {row["date"]: row for row in body["volume"]["daily"]}
    assert daily[dst_day.isoformat()]["units"] == 2
    assert daily[dst_day.isoformat()]["last_sale"] == "23:30:00"
    assert daily[(dst_day + dt.timedelta(days=1)).isoformat()]["first_sale"] == "00:30:00"
    hours = {row["hour"]: row["units"] for row in body["volume"]["hourly_pattern"]}
    assert hours[23] == 2 and hours[0] == 1
    assert sum(hours.values()) == 3


def test_hourly_pattern_counts_local_hours_of_the_range(client_for, viewer):
    device = DeviceFactory()
    end = START + dt.timedelta(days=9)
    varied_sales(device, START - dt.timedelta(days=2), 14)  # some sales fall outside the range
    body = analysis(client_for(viewer), device, START, end)

    expected = defaultdict(lambda: {"units": 0, "transactions": 0})
    for sale in Sale.objects.filter(device=device):
        moment = sale.sold_at.astimezone(ZONE)
        if START <= moment.date() <= end:
            expected[moment.hour]["units"] += sale.units
            expected[moment.hour]["transactions"] += 1
    assert body["volume"]["hourly_pattern"] == [{"hour": hour, **expected[hour]} for hour in range(24)]


def weekly_revenue(start, days, noise):
    """A rising daily revenue with a weekend bump and a fixed, alternating noise of size ``noise``."""
    return {
        start + dt.timedelta(days=n): Decimal(100 + 2 * n + (25 if n % 7 >= 5 else 0) + noise * (-1) ** (n * n // 3))
        for n in range(days)
    }


def test_forecast_follows_trend_and_weekdays_and_noise_widens_its_interval(client_for, viewer):
    end = START + dt.timedelta(days=27)
    widths = {}
    for noise in (2, 15):
        device = DeviceFactory()
        revenue = weekly_revenue(START, 28, noise)
        record(device, [(local_datetime(day), 1, cash) for day, cash in revenue.items()])
        forecast = analysis(client_for(viewer), device, START, end)["trends"]["forecast"]
        assert forecast["reason"] is None
        days = forecast["days"]
        assert [row["date"] for row in days] == [
            d.isoformat() for d in days_between(end + dt.timedelta(1), end + dt.timedelta(30))
        ]

        # The point prediction, by an independent least-squares fit of the same model with numpy.
        def design(index, day):
            return [1.0, float(index)] + [1.0 if day.weekday() == w else 0.0 for w in range(1, 7)]

        history = list(revenue)
        beta = np.linalg.lstsq(
            np.array([design(n, day) for n, day in enumerate(history)]),
            np.array([float(cash) for cash in revenue.values()]),
            rcond=None,
        )[0]
        for n, row in enumerate(days):
            day = dt.date.fromisoformat(row["date"])
            predicted = float(np.dot(design(len(history) + n, day), beta))
            assert float(row["predicted_revenue"]) == pytest.approx(max(0.0, predicted), abs=0.01)
            assert Decimal(row["lower"]) <= Decimal(row["predicted_revenue"]) <= Decimal(row["upper"])
            assert Decimal(row["lower"]) < Decimal(row["upper"])
        widths[noise] = [Decimal(row["upper"]) - Decimal(row["lower"]) for row in days]
    assert all(noisy > calm for calm, noisy in zip(widths[2], widths[15], strict=True))


def test_forecast_needs_fourteen_days_with_sales(client_for, viewer):
    device = DeviceFactory()
    end = START + dt.timedelta(days=29)
    record(device, [(local_datetime(START + dt.timedelta(days=2 * n)), 1, "2.00") for n in range(13)])
    forecast = analysis(client_for(viewer), device, START, end)["trends"]["forecast"]
    assert forecast["days"] is None
    assert "13 of 30 days with sales" in forecast["reason"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start_date": "2026-03-10", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "end_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"threshold": "0"}, "threshold"),
        ({"threshold": "-1"}, "threshold"),
        ({"threshold": "10.5"}, "threshold"),
        ({"threshold": "abc"}, "threshold"),
        ({"threshold": "nan"}, "threshold"),
        ({"threshold": "inf"}, "threshold"),
    ],
)
def test_bad_parameters_are_400_with_field_messages(client_for, viewer, params, field):
    response = client_for(viewer).get(reverse("device-analysis", args=[DeviceFactory().pk]), params)
    assert response.status_code == 400
    assert field in response.json()


def test_threshold_of_ten_and_default_range_are_accepted(client_for, viewer):
    response = client_for(viewer).get(reverse("device-analysis", args=[DeviceFactory().pk]), {"threshold": "10"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["volume"]["daily"]) == 30
    assert body["anomalies"]["threshold"] == 10


def test_anonymous_is_401_and_driver_is_403(api_client, client_for, driver):
    device = DeviceFactory(route=RouteFactory(driver=driver))
    url = reverse("device-analysis", args=[device.pk])
    assert api_client.get(url).status_code == 401
    assert client_for(driver).get(url).status_code == 403


def test_device_outside_the_users_routes_or_retired_is_404(client_for, viewer, manager):
    analyst = UserFactory()
    analyst.user_permissions.add(Permission.objects.get(content_type__app_label="sales", codename="view_sale"))
    own = DeviceFactory(route=RouteFactory(driver=analyst))
    other = DeviceFactory()
    client = client_for(analyst)
    assert client.get(reverse("device-analysis", args=[own.pk])).status_code == 200
    assert client.get(reverse("device-analysis", args=[other.pk])).status_code == 404
    assert client_for(viewer).get(reverse("device-analysis", args=[other.pk])).status_code == 200
    device_soft_delete(device=other, user=manager)
    assert client_for(viewer).get(reverse("device-analysis", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("days", [5, 60])
def test_query_count_does_not_grow_with_the_data(client_for, viewer, django_assert_max_num_queries, days):
    device = DeviceFactory()
    varied_sales(device, START, days)
    client = client_for(viewer)
    with django_assert_max_num_queries(5):
        analysis(client, device, START, START + dt.timedelta(days=days - 1))


INVALID = object()  # a query value that is not one of its parameter's
NOT_A_DAY = st.sampled_from(["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026/03/01", "1.3.2026"])
LETTERS = st.text(alphabet=string.ascii_letters, min_size=1, max_size=8)  # never a date; "nan", "inf" not finite
# Days anywhere, near the calendar's ends (where a date alone leaves it) and within a couple of years (where two
# dates are often in order and 366 days apart or less).
DAYS = st.one_of(
    st.dates(),
    st.dates(max_value=dt.date.min + dt.timedelta(days=60)),
    st.dates(min_value=dt.date.max - dt.timedelta(days=60)),
    st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2026, 12, 31)),
)
# (query text, what it stands for): a day, INVALID, or None for an empty value, which counts as no value.
DATE_VALUES = st.one_of(
    DAYS.map(lambda day: (day.isoformat(), day)),
    (NOT_A_DAY | LETTERS).map(lambda text: (text, INVALID)),
    st.just(("", None)),
)
THRESHOLD_VALUES = st.one_of(
    st.floats().map(lambda x: (repr(x), x if math.isfinite(x) and 0 < x <= 10 else INVALID)),
    st.integers(min_value=-3, max_value=13).map(lambda n: (str(n), n if 0 < n <= 10 else INVALID)),
    LETTERS.map(lambda text: (text, INVALID)),
    st.just(("", 2.5)),
)


def as_drawn(**days):
    """Days as DATE_VALUES draws them: name → (ISO text, day)."""
    return {name: (day.isoformat(), day) for name, day in days.items()}


def expected_status(start, end, threshold):
    """400 when a value is not one or the range breaks analytics.date_range's rules; 200 otherwise.

    The rules worked on day numbers: no dates, the last 30 days; one date, 30 days from it or up to it; the
    end not before the start, at most 366 days, all within the calendar (0001-01-01 to 9999-12-31).
    """
    if any(value is INVALID for value in (start, end, threshold)):
        return 400
    if start is None and end is None:
        return 200
    first = start.toordinal() if start else end.toordinal() - 29
    last = end.toordinal() if end else start.toordinal() + 29
    inside = dt.date.min.toordinal() <= first and last <= dt.date.max.toordinal()
    return 200 if inside and first <= last and last - first + 1 <= 366 else 400


def test_a_query_gets_the_status_its_values_call_for_and_no_query_makes_a_500(client_for, viewer):
    """Values of known meaning get exactly the 200 or 400 the rules give; any text at all gets no 500."""
    client = client_for(viewer)
    url = reverse("device-analysis", args=[DeviceFactory().pk])

    @hypothesis_settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        params=st.fixed_dictionaries(
            {}, optional={"start_date": DATE_VALUES, "end_date": DATE_VALUES, "threshold": THRESHOLD_VALUES}
        )
    )
    # The rules' edges, every run: a date alone 29 days from either end of the calendar, and 366 or 367 days.
    @example(params=as_drawn(start_date=dt.date.max))
    @example(params=as_drawn(start_date=dt.date.max - dt.timedelta(days=29)))
    @example(params=as_drawn(end_date=dt.date.min))
    @example(params=as_drawn(end_date=dt.date.min + dt.timedelta(days=29)))
    @example(params=as_drawn(start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 12, 31)))
    @example(params=as_drawn(start_date=dt.date(2024, 1, 1), end_date=dt.date(2025, 1, 1)))
    @example(params=as_drawn(start_date=dt.date(2026, 3, 2), end_date=dt.date(2026, 3, 1)))
    def answer_is_the_one_the_rules_give(params):
        query = {name: text for name, (text, _) in params.items()}
        meant = {name: value for name, (_, value) in params.items()}
        expected = expected_status(meant.get("start_date"), meant.get("end_date"), meant.get("threshold", 2.5))
        response = client.get(url, query)
        assert response.status_code == expected, (query, response.content[:500])

    values = st.text(max_size=12) | st.sampled_from(["2026-03-01", "2024-02-29", "1", "0", "1e308", "-0", "2.5"])

    @hypothesis_settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(params=st.dictionaries(st.sampled_from(["start_date", "end_date", "threshold"]), values))
    def answer_is_never_a_server_error(params):
        assert client.get(url, params).status_code < 500, params

    answer_is_the_one_the_rules_give()
    answer_is_never_a_server_error()
