"""``cvd_portal.moments``: the one rule for the moments clients send, and the field every moment filter parses with."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cvd_portal.moments import (
    MAX_UTC_OFFSET,
    MomentField,
    event_moment_check,
    event_window,
    moment_check,
    validate_event_moment,
)

NOW = dt.datetime(2026, 3, 15, 18, 0, tzinfo=dt.UTC)
RULE = {"EARLIEST_EVENT": "2000-01-01", "EVENT_CLOCK_SKEW": 300}


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


def refusal(check, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as refused:
        check(*args, **kwargs)
    [message] = refused.value.messages
    return message


# --- The event window ---------------------------------------------------------------------------------


@override_settings(**RULE)
def test_the_window_runs_from_the_earliest_event_to_the_clock_skew_ahead_of_now():
    window = event_window(now=NOW)

    # A bare date is midnight in the operator's zone, as every day boundary is.
    assert (window.earliest, window.latest) == (local(2000, 1, 1), NOW + dt.timedelta(minutes=5))


@override_settings(**RULE)
@pytest.mark.parametrize(
    ("moment", "plausible"),
    [
        (local(2000, 1, 1), True),
        (local(2000, 1, 1) - dt.timedelta(microseconds=1), False),
        (NOW, True),
        (NOW + dt.timedelta(minutes=5), True),
        (NOW + dt.timedelta(minutes=5, microseconds=1), False),
        (local(1, 1, 1), False),
        (local(9999, 12, 31, 23, 59, 59), False),  # 10000-01-01 in UTC: the sale that broke every listing
        (local(2099, 1, 1), False),
        (dt.datetime(2026, 3, 15, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=6))), True),  # 17:59 UTC
    ],
)
def test_a_moment_is_plausible_inside_the_window_and_only_there(moment, plausible):
    assert (moment in event_window(now=NOW)) is plausible
    assert (event_window(now=NOW).problem(moment) is None) is plausible


@override_settings(**RULE)
def test_an_implausible_moment_is_refused_with_a_message_saying_which_end_it_passed():
    assert refusal(event_moment_check, local(1999, 12, 31, 23, 59), now=NOW) == (
        "Must not be before 2000-01-01T00:00:00-06:00, the earliest moment an event may have."
    )
    assert refusal(event_moment_check, local(2099, 1, 1), now=NOW) == (
        "Must not be more than 5 minutes ahead of the server's clock (2026-03-15T13:00:00-05:00)."
    )
    assert event_moment_check(NOW, now=NOW) == NOW


@override_settings(EARLIEST_EVENT="2024-06-01T08:00:00+00:00", EVENT_CLOCK_SKEW=90)
def test_the_window_is_configured_by_settings_a_moment_and_a_skew_in_seconds():
    window = event_window(now=NOW)

    assert (window.earliest, window.latest) == (
        dt.datetime(2024, 6, 1, 8, tzinfo=dt.UTC),
        NOW + dt.timedelta(seconds=90),
    )
    assert "90 seconds ahead" in window.problem(NOW + dt.timedelta(seconds=91))


@override_settings(**RULE)
def test_the_validator_refuses_what_the_window_leaves_out_for_model_form_and_serializer_fields():
    validate_event_moment(timezone.now())
    assert refusal(validate_event_moment, timezone.now() + dt.timedelta(minutes=6)).startswith("Must not be more than")


# --- Moments a client compares with (filters) --------------------------------------------------------


@pytest.mark.parametrize(
    "offset",
    [
        MAX_UTC_OFFSET,
        -MAX_UTC_OFFSET,
        dt.timedelta(hours=5, minutes=30),
        dt.timedelta(hours=-5, minutes=-50, seconds=-36),
    ],
)
def test_any_offset_postgresql_takes_is_a_moment_answered_in_utc(offset):
    moment = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone(offset))

    checked = moment_check(moment)

    assert checked == moment
    assert checked.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize(
    "offset",
    [
        MAX_UTC_OFFSET + dt.timedelta(seconds=1),
        -MAX_UTC_OFFSET - dt.timedelta(seconds=1),
        dt.timedelta(hours=16),
        dt.timedelta(hours=23, minutes=59),
        dt.timedelta(hours=1, microseconds=500_000),
    ],
)
def test_an_offset_beyond_15_59_59_or_with_a_fraction_of_a_second_is_refused(offset):
    moment = dt.datetime(2026, 3, 1, 12, tzinfo=dt.timezone(offset))

    assert refusal(moment_check, moment) == "A UTC offset lies within ±15:59:59, in whole seconds."


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1))),
        dt.datetime(9999, 12, 31, 23, tzinfo=dt.timezone(-dt.timedelta(hours=1))),
        local(9999, 12, 31, 23),
    ],
)
def test_a_moment_outside_the_calendar_in_utc_is_refused(moment):
    assert refusal(moment_check, moment) == "Out of range: a moment lies between 0001-01-01 and 9999-12-31 in UTC."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-01-01T00:00:00+16:00", "A UTC offset lies within ±15:59:59, in whole seconds."),
        ("2026-01-01T00:00:00-23:59", "A UTC offset lies within ±15:59:59, in whole seconds."),
        ("2026-01-01T00:00:00+15:59:59.5", "A UTC offset lies within ±15:59:59, in whole seconds."),
        ("0001-01-01T00:00:00+01:00", "Out of range: a moment lies between 0001-01-01 and 9999-12-31 in UTC."),
        ("9999-12-31T23:00:00", "Out of range: a moment lies between 0001-01-01 and 9999-12-31 in UTC."),
        ("yesterday", "Enter a valid date/time."),
    ],
)
def test_the_filter_field_answers_a_message_for_what_the_database_cannot_compare(text, message):
    assert refusal(MomentField().clean, text) == message


def test_the_filter_field_reads_a_bare_date_as_local_midnight_and_answers_utc():
    cleaned = MomentField().clean("2026-03-02")

    assert cleaned == local(2026, 3, 2)
    assert cleaned.tzinfo == dt.UTC


@given(
    moment=st.datetimes(
        min_value=dt.datetime(1, 1, 2),
        max_value=dt.datetime(9999, 12, 30),
        timezones=st.integers(-57599, 57599).map(lambda seconds: dt.timezone(dt.timedelta(seconds=seconds))),
    )
)
def test_every_moment_the_field_accepts_is_the_same_instant_in_utc(moment):
    cleaned = MomentField().clean(moment.isoformat())

    assert cleaned == moment
    assert cleaned.tzinfo == dt.UTC
