"""``DateRange``: the one range-of-days rule, and the API's serializer and the pages' form both following it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import assume, example, given
from hypothesis import strategies as st

from analytics.api.params import DateRangeSerializer
from analytics.date_range import DateRange
from analytics.forms import DateRangeForm
from devices.tests.factories import DeviceFactory

TODAY = dt.date(2026, 3, 15)


def error_of(start=None, end=None) -> dict:
    with pytest.raises(ValidationError) as raised:
        DateRange.from_dates(start, end, today=TODAY)
    return raised.value.message_dict


def test_no_dates_give_the_last_30_whole_days_ending_yesterday():
    assert DateRange.from_dates(today=TODAY) == DateRange(dt.date(2026, 2, 13), dt.date(2026, 3, 14))


def test_the_default_range_follows_the_local_calendar():
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert DateRange.from_dates() == DateRange(yesterday - dt.timedelta(days=29), yesterday)


def test_both_ends_are_inclusive_so_one_day_is_a_range_of_one():
    one_day = DateRange.from_dates(dt.date(2026, 3, 1), dt.date(2026, 3, 1), today=TODAY)
    assert (one_day.start, one_day.end, one_day.days) == (dt.date(2026, 3, 1), dt.date(2026, 3, 1), 1)
    assert DateRange(dt.date(2026, 2, 1), dt.date(2026, 2, 28)).days == 28


def test_a_start_alone_covers_30_days_from_it_and_an_end_alone_30_days_up_to_it():
    assert DateRange.from_dates(dt.date(2026, 1, 1), today=TODAY) == DateRange(
        dt.date(2026, 1, 1), dt.date(2026, 1, 30)
    )
    assert DateRange.from_dates(end=dt.date(2026, 1, 30), today=TODAY) == DateRange(
        dt.date(2026, 1, 1), dt.date(2026, 1, 30)
    )


def test_a_range_covers_at_most_366_days():
    leap_year = DateRange.from_dates(dt.date(2024, 1, 1), dt.date(2024, 12, 31), today=TODAY)
    assert leap_year.days == 366
    assert error_of(dt.date(2024, 1, 1), dt.date(2025, 1, 1)) == {
        "end_date": ["A range covers at most 366 days; this one covers 367."]
    }


def test_an_end_before_the_start_is_an_error_on_the_end_date():
    assert error_of(dt.date(2026, 3, 2), dt.date(2026, 3, 1)) == {
        "end_date": ["The end date is before the start date."]
    }


def test_a_default_range_that_leaves_the_calendar_is_an_error_on_the_date_given():
    assert error_of(start=dt.date.max) == {"start_date": ["The range falls outside the calendar."]}
    assert error_of(end=dt.date.min) == {"end_date": ["The range falls outside the calendar."]}


def test_the_previous_range_has_the_same_length_and_ends_the_day_before():
    march = DateRange(dt.date(2026, 3, 1), dt.date(2026, 3, 14))
    assert march.previous() == DateRange(dt.date(2026, 2, 15), dt.date(2026, 2, 28))


def test_the_previous_range_is_clipped_to_the_calendar_never_past_its_first_day():
    # The dashboard compares with the previous range: at 0001-01-01 it answered 500 (OverflowError).
    assert DateRange(dt.date(1, 1, 11), dt.date(1, 2, 9)).previous() == DateRange(dt.date(1, 1, 1), dt.date(1, 1, 10))
    # No day comes before the calendar's first: the first day stands for the range before it, where nothing sold.
    assert DateRange(dt.date.min, dt.date(1, 1, 30)).previous() == DateRange(dt.date.min, dt.date.min)


@given(start=st.dates(), days=st.integers(1, 366))
@example(start=dt.date.min, days=30)
@example(start=dt.date(1, 1, 11), days=30)
def test_any_range_in_the_calendar_has_a_previous_range_in_it(start, days):
    assume(start <= dt.date.max - dt.timedelta(days=days - 1))
    dates = DateRange(start, start + dt.timedelta(days=days - 1))

    before = dates.previous()

    assert dt.date.min <= before.start <= before.end
    if dates.start - dt.date.min >= dt.timedelta(days=dates.days):
        assert (before.days, before.end) == (dates.days, dates.start - dt.timedelta(days=1))
    else:
        assert before.start == dt.date.min


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "0001-01-01"},  # the dashboard answered 500
        {"start_date": "0001-01-01", "end_date": "0001-01-01"},
        {"start_date": "0001-01-10"},
        {"end_date": "9999-12-31"},
        {"start_date": "9999-12-31", "end_date": "9999-12-31"},
    ],
)
def test_the_pages_and_the_device_analysis_answer_ranges_at_the_calendars_ends(client, client_for, manager, query):
    device = DeviceFactory()
    client.force_login(manager)

    dashboard = client.get(reverse("analytics:dashboard"), query)
    analysis = client_for(manager).get(reverse("device-analysis", args=[device.pk]), query)
    page = client.get(reverse("analytics:device", args=[device.pk]), query)

    assert (dashboard.status_code, analysis.status_code, page.status_code) == (200, 200, 200)


def test_the_last_n_days_end_yesterday():
    assert DateRange.last(7, today=TODAY) == DateRange(dt.date(2026, 3, 8), dt.date(2026, 3, 14))


# --- The API and the pages read a range the same way -------------------------------------------------


def through_the_api(data: dict):
    serializer = DateRangeSerializer(data=data)
    if serializer.is_valid():
        return (serializer.validated_data["start_date"], serializer.validated_data["end_date"])
    return {name: [str(message) for message in messages] for name, messages in serializer.errors.items()}


def through_the_page(data: dict):
    form = DateRangeForm(data)
    if form.is_valid():
        return (form.cleaned_data["start_date"], form.cleaned_data["end_date"])
    return {name: list(messages) for name, messages in form.errors.items()}


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"start_date": "2026-03-01"},
        {"end_date": "2026-03-01"},
        {"start_date": "2026-03-01", "end_date": "2026-03-01"},
        {"start_date": "2024-01-01", "end_date": "2024-12-31"},
        {"start_date": "2024-01-01", "end_date": "2025-01-01"},
        {"start_date": "2026-03-02", "end_date": "2026-03-01"},
        {"start_date": "9999-12-31"},
        {"end_date": "0001-01-01"},
    ],
)
def test_the_api_and_the_pages_resolve_a_range_alike(data):
    assert through_the_api(data) == through_the_page(data)


@given(
    start=st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))),
    end=st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))),
)
def test_any_pair_of_dates_resolves_alike_on_the_api_and_the_pages(start, end):
    data = {name: value.isoformat() for name, value in (("start_date", start), ("end_date", end)) if value}
    assert through_the_api(data) == through_the_page(data)
