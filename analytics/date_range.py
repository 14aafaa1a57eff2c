"""The range of local days a report covers: one rule for the API, the pages and the exports.

Days are the operator's (``TIME_ZONE``) and both ends are inclusive. A range covers at most
``MAX_RANGE_DAYS`` days and by default the last ``DEFAULT_RANGE_DAYS`` whole days, ending yesterday
(today is not over yet). The API's ``DateRangeSerializer`` and the pages' ``DateRangeForm`` only
parse the two dates and hand them to ``DateRange.from_dates``.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


@dataclass(frozen=True)
class DateRange:
    """``start`` to ``end``, local days, both inclusive."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "DateRange":
        """The range of the same length that ends the day before this one starts, clipped to the calendar.

        Near 0001-01-01 it keeps the days that exist; a range that starts on that day has none before it, and
        its first day stands in (no sale is dated so early: ``cvd_portal.moments``), so the comparison is with
        nothing either way and never leaves the calendar.
        """
        first = dt.date.min
        if self.start == first:
            return DateRange(first, first)
        end = self.start - dt.timedelta(days=1)
        start = first if (end - first).days < self.days - 1 else end - dt.timedelta(days=self.days - 1)
        return DateRange(start, end)

    @classmethod
    def last(cls, days: int, *, today: dt.date | None = None) -> "DateRange":
        """The last ``days`` whole days: ending yesterday."""
        end = (today or timezone.localdate()) - dt.timedelta(days=1)
        return cls(end - dt.timedelta(days=days - 1), end)

    @classmethod
    def from_dates(
        cls, start: dt.date | None = None, end: dt.date | None = None, *, today: dt.date | None = None
    ) -> "DateRange":
        """The range a request asks for, either end optional.

        Neither: the last ``DEFAULT_RANGE_DAYS`` whole days. One: ``DEFAULT_RANGE_DAYS`` days from
        ``start``, or up to ``end``. Raises ValidationError keyed by ``start_date``/``end_date`` when
        the end comes before the start, when the range is longer than ``MAX_RANGE_DAYS`` days, or
        when a default range would leave the calendar.
        """
        span = dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
        try:
            if start is None and end is None:
                return cls.last(DEFAULT_RANGE_DAYS, today=today)
            end = end or start + span
            start = start or end - span
        except OverflowError:  # a single date near 0001-01-01 or 9999-12-31
            raise ValidationError(
                {"start_date" if end is None else "end_date": "The range falls outside the calendar."}
            ) from None
        if start > end:
            raise ValidationError({"end_date": "The end date is before the start date."})
        dates = cls(start, end)
        if dates.days > MAX_RANGE_DAYS:
            raise ValidationError(
                {"end_date": f"A range covers at most {MAX_RANGE_DAYS} days; this one covers {dates.days}."}
            )
        return dates
