"""When things happened, as clients say: the one rule every moment a client sends is held to.

- **Event moments** are when something happened that a client, not the server's clock, dates: a
  sale's ``sold_at`` (the bulk API, the admin's import), a restock's ``performed_at``, the read time
  of a DEX audit. One is plausible when it lies in the *event window*: not before
  ``settings.EARLIEST_EVENT`` (a date, its local midnight, or an ISO 8601 moment) and not more than
  ``settings.EVENT_CLOCK_SKEW`` seconds ahead of the server's clock (a client's clock runs a little
  fast; a sale in 2099 or in year 1 is a broken clock or a typo). ``event_moment_check`` refuses the
  others with a field message; the DEX import dates an implausible read at its upload instead.
- **Moments to compare with** (the ``sold_after``/``occurred_before`` filters) may lie anywhere the
  database can compare: ``moment_check`` takes a moment whose UTC offset PostgreSQL accepts (within
  ±15:59:59, whole seconds) and that stays within the calendar in UTC, and ``MomentFilter`` answers a
  400 naming the filter for the others, where they reached the database as 500s before.

``EventMomentField`` is the API's field for an event moment, ``validate_event_moment`` the validator
for any other field.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters import IsoDateTimeFilter
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers

# PostgreSQL refuses a timestamp whose offset passes 15:59:59 ("time zone displacement out of range") or
# has a fraction of a second. No zone has used more than ±14:00; local mean times had seconds (Chicago's
# was -5:50:36, what a bare date of year 1 gets).
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59, seconds=59)
OFFSET_REFUSED = "A UTC offset lies within ±15:59:59, in whole seconds."
OUT_OF_RANGE = "Out of range: a moment lies between 0001-01-01 and 9999-12-31 in UTC."


def moment_check(moment: dt.datetime) -> dt.datetime:
    """``moment`` (aware; naive is local) as the same instant in UTC, or ValidationError.

    Refused: an offset beyond ±15:59:59 or with a fraction of a second, and a moment outside years 1 to
    9999 once in UTC (0001-01-01T00:00+01:00 is in year 0).
    """
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    offset = moment.utcoffset()
    if abs(offset) > MAX_UTC_OFFSET or offset % dt.timedelta(seconds=1):
        raise ValidationError(OFFSET_REFUSED, code="offset")
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise ValidationError(OUT_OF_RANGE, code="out_of_range") from None


@dataclass(frozen=True)
class EventWindow:
    """The moments an event may have: from ``earliest`` to ``latest``, both included."""

    earliest: dt.datetime
    latest: dt.datetime
    now: dt.datetime

    def problem(self, moment: dt.datetime) -> str | None:
        """Why ``moment`` (aware) cannot be when an event happened, as a field message; None when it can."""
        if moment < self.earliest:
            return f"Must not be before {_local(self.earliest)}, the earliest moment an event may have."
        if moment > self.latest:
            return (
                f"Must not be more than {_duration(self.latest - self.now)} ahead of the server's clock"
                f" ({_local(self.now)})."
            )
        return None

    def __contains__(self, moment: dt.datetime) -> bool:
        return self.problem(moment) is None


def event_window(*, now: dt.datetime | None = None) -> EventWindow:
    """The event window as the settings draw it at ``now`` (the server's clock by default)."""
    now = now or timezone.now()
    return EventWindow(earliest=_earliest_event(), latest=now + _clock_skew(), now=now)


def event_moment_check(moment: dt.datetime, *, now: dt.datetime | None = None) -> dt.datetime:
    """``moment`` when it can be when an event happened (the event window, then ``moment_check``), else ValidationError.

    Naive is local. The window first: 9999-12-31T23:59 is far ahead of the clock before it is past the calendar.
    """
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    problem = event_window(now=now).problem(moment)
    if problem is not None:
        raise ValidationError(problem, code="implausible")
    moment_check(moment)
    return moment


def validate_event_moment(value: dt.datetime) -> None:
    """``event_moment_check`` as a validator, for model, form and serializer fields."""
    event_moment_check(value)


class EventMomentField(serializers.DateTimeField):
    """An API field for when something happened: a DRF ``DateTimeField`` held to ``validate_event_moment``."""

    def __init__(self, **kwargs):
        kwargs["validators"] = [*kwargs.get("validators", ()), validate_event_moment]
        super().__init__(**kwargs)

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            # DRF checks a naive moment by converting it to UTC, which 9999-12-31T23:59 local leaves the
            # calendar by: a 500 in DRF itself. The moment stays local, for the event window to refuse.
            return timezone.make_aware(value)


class MomentField(IsoDateTimeField):
    """An ISO 8601 moment to compare with (a bare date is local midnight), answered in UTC by ``moment_check``."""

    def to_python(self, value):
        moment = super().to_python(value)
        return None if moment is None else moment_check(moment)


class MomentFilter(IsoDateTimeFilter):
    """``IsoDateTimeFilter`` whose value is any moment the database can compare (``MomentField``), else a 400."""

    field_class = MomentField


def _earliest_event() -> dt.datetime:
    value = settings.EARLIEST_EVENT
    if isinstance(value, str):
        value = parse_datetime(value) or parse_date(value)
        if value is None:
            raise ValueError(f"EARLIEST_EVENT is {settings.EARLIEST_EVENT!r}: give a date or an ISO 8601 moment.")
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _clock_skew() -> dt.timedelta:
    skew = settings.EVENT_CLOCK_SKEW
    return skew if isinstance(skew, dt.timedelta) else dt.timedelta(seconds=skew)


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _duration(span: dt.timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds % 60 or not seconds:
        return f"{seconds} second{'s' * (seconds != 1)}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' * (minutes != 1)}"
