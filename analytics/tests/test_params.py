import datetime as dt

import pytest
from django.utils import timezone

from analytics.api.params import DateRangeSerializer


def validated(**data):
    serializer = DateRangeSerializer(data=data)
    assert serializer.is_valid(), serializer.errors
    return serializer.validated_data["start_date"], serializer.validated_data["end_date"]


def test_defaults_to_the_last_30_whole_days():
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert validated() == (yesterday - dt.timedelta(days=29), yesterday)


def test_a_range_is_inclusive_and_may_be_one_day():
    assert validated(start_date="2026-03-01", end_date="2026-03-01") == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_date": "2026-03-02", "end_date": "2026-03-01"}, "end_date"),
        ({"start_date": "2025-01-01", "end_date": "2026-01-02"}, "end_date"),
        ({"start_date": "March 1st"}, "start_date"),
        ({"end_date": 20260301}, "end_date"),
        ({"start_date": "9999-12-31"}, "start_date"),
        ({"end_date": "0001-01-01"}, "end_date"),
    ],
)
def test_bad_ranges_are_field_errors(data, field):
    serializer = DateRangeSerializer(data=data)
    assert not serializer.is_valid()
    assert list(serializer.errors) == [field]
