"""``percent_change``: the one change-in-percent rule the dashboard's KPI cards and the weekly comparison share."""

import datetime as dt
import decimal
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from analytics.calculations import percent_change
from analytics.comparisons import last_complete_week_end, weekly_sales
from analytics.views import KPI_CARDS, kpi_cards
from devices.models import Device
from devices.tests.factories import DeviceFactory
from planograms.tests.factories import ProductFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import sale_on


@pytest.mark.parametrize(("current", "previous"), [(5, 0), (Decimal("5.00"), Decimal("0.00")), (5, None), (None, 5)])
def test_percent_change_is_none_without_a_base_to_compare_with(current, previous):
    assert percent_change(current, previous) is None


@pytest.mark.parametrize(
    ("current", "previous", "expected"),
    [
        (150, 100, 50.0),
        (50, 100, -50.0),
        (0, 100, -100.0),
        (100, 100, 0.0),
        (4, 3, 33.33),  # 33.333…
        (2, 3, -33.33),
        (5, 3, 66.67),  # 66.666… rounds up
        (Decimal("9.01"), Decimal("8.00"), 12.63),  # 12.625: a tie, away from zero (round() would say 12.62)
        (Decimal("6.99"), Decimal("8.00"), -12.63),  # -12.625: a tie, away from zero
        (Decimal("100.125"), Decimal("100"), 0.13),  # 0.125: a tie
        (Decimal("100.0049"), Decimal("100"), 0.0),  # 0.0049 rounds to zero, not to -0.0
        (0.3, 0.1, 200.0),  # floats: 0.1 and 0.3 are not exact, the change still rounds to 200
        (-5, -10, 50.0),  # a rise from a negative base is a positive change
    ],
)
def test_percent_change_is_the_change_over_the_previous_value_rounded_half_away_from_zero_to_2_places(
    current, previous, expected
):
    got = percent_change(current, previous)

    assert got == expected
    assert str(got) != "-0.0"


def reference_change(current: int, previous: int) -> float:
    """The change worked out in decimal arithmetic with room to spare, rounded half up (away from zero)."""
    with decimal.localcontext() as context:
        context.prec = 60
        change = (Decimal(current) - Decimal(previous)) / abs(Decimal(previous)) * 100
        return float(change.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@given(
    current=st.integers(min_value=0, max_value=10**9),
    previous=st.integers(min_value=1, max_value=10**9),
)
def test_percent_change_of_amounts_in_cents_matches_decimal_arithmetic(current, previous):
    assert percent_change(Decimal(current) / 100, Decimal(previous) / 100) == reference_change(current, previous)


def test_the_kpi_cards_give_each_figure_its_percent_change():
    current = {"revenue": Decimal("9.01"), "units": 5, "transactions": 4, "active_devices": 3}
    previous = {"revenue": Decimal("8.00"), "units": 3, "transactions": 0, "active_devices": 3}
    current |= {"daily_revenue": Decimal("1.00"), "median_device_revenue": None}
    previous |= {"daily_revenue": Decimal("0.80"), "median_device_revenue": Decimal("2.00")}

    changes = {card["key"]: card["change"] for card in kpi_cards(current, previous)}

    assert [key for key, _label, _money in KPI_CARDS] == list(changes)
    assert changes == {
        "revenue": 12.63,
        "units": 66.67,
        "transactions": None,
        "active_devices": 0.0,
        "daily_revenue": 25.0,
        "median_device_revenue": None,
    }


def test_the_weekly_comparison_gives_each_week_its_percent_change(db):
    last_end = last_complete_week_end(timezone.localdate())
    device = DeviceFactory()
    for week_start, cash in ((last_end - dt.timedelta(days=13), "8.00"), (last_end - dt.timedelta(days=6), "9.01")):
        sale_on(device, ProductFactory(), week_start + dt.timedelta(days=2), cash=cash)
    sales_rollups_rebuild()

    results = weekly_sales(devices=Device.objects.all(), weeks=2)["results"]

    assert [(row["revenue"], row["revenue_change_pct"]) for row in results] == [
        (Decimal("8.00"), None),
        (Decimal("9.01"), 12.63),
    ]
