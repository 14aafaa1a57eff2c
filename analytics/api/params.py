"""Query parameters the analytics endpoints share: an inclusive range of local days."""

import datetime as dt

from django.utils import timezone
from rest_framework import serializers

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


class DateRangeSerializer(serializers.Serializer):
    """``start_date`` and ``end_date``, both inclusive, in the operator's time zone.

    Defaults to the last 30 days ending yesterday (today is not over yet); at most 366 days.
    """

    start_date = serializers.DateField(required=False, help_text="First day, inclusive (YYYY-MM-DD).")
    end_date = serializers.DateField(required=False, help_text="Last day, inclusive (YYYY-MM-DD).")

    def validate(self, attrs):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        span = dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
        try:
            end = attrs.get("end_date") or (attrs["start_date"] + span if "start_date" in attrs else yesterday)
            start = attrs.get("start_date") or end - span
        except OverflowError:  # a single date near 0001-01-01 or 9999-12-31: its default range leaves the calendar
            raise serializers.ValidationError(
                {"start_date" if "start_date" in attrs else "end_date": ["The range falls outside the calendar."]}
            ) from None
        if start > end:
            raise serializers.ValidationError({"end_date": ["The end date is before the start date."]})
        if (end - start).days + 1 > MAX_RANGE_DAYS:
            raise serializers.ValidationError(
                {
                    "end_date": [
                        f"A range covers at most {MAX_RANGE_DAYS} days; this one covers {(end - start).days + 1}."
                    ]
                }
            )
        return {**attrs, "start_date": start, "end_date": end}
