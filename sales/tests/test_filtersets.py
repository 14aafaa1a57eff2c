"""The sales FilterSet on its own: every filter against sales chosen by hand, and the errors it answers."""

import datetime as dt

import pytest
from django.http import QueryDict

from devices.services import device_soft_delete
from devices.tests.factories import DeviceFactory, RouteFactory
from planograms.tests.factories import PlanogramSlotFactory, ProductFactory
from sales.filtersets import SaleFilterSet
from sales.models import Sale
from sales.tests.factories import SaleFactory, local_datetime

pytestmark = pytest.mark.django_db

MARCH_1, MARCH_2, MARCH_3 = dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)
UNKNOWN_CHOICE = "Select a valid choice. That choice is not one of the available choices."
OFFSET_REFUSED = "A UTC offset lies within ±15:59:59, in whole seconds."
OUT_OF_RANGE = "Out of range: a moment lies between 0001-01-01 and 9999-12-31 in UTC."


@pytest.fixture
def sales():
    """Five sales around local midnight of 2 March 2026, each differing in what the filters read.

    Each is named by its transaction id. ``late`` is at 23:30 the evening before (05:30 UTC on the 2nd),
    ``midnight`` exactly at local midnight, ``next`` at the following midnight. D-1 is on the north route,
    D-2 on the south one, D-3 on none; only ``late`` names the slot it came from.
    """
    north, south = RouteFactory(name="North"), RouteFactory(name="South")
    first = DeviceFactory(asset="D-1", route=north)
    second = DeviceFactory(asset="D-2", route=south)
    third = DeviceFactory(asset="D-3", route=None)
    cola, chips = ProductFactory(name="Cola"), ProductFactory(name="Chips")
    slot = PlanogramSlotFactory(planogram__cabinet__device=first, position="A1", product=cola)

    def sale(name, device, product, at, slot=None):
        return SaleFactory(transaction_id=name, device=device, product=product, slot=slot, sold_at=at)

    sale("late", first, cola, local_datetime(MARCH_1, 23, 30), slot=slot)
    sale("midnight", first, chips, local_datetime(MARCH_2, 0))
    sale("noon", second, cola, local_datetime(MARCH_2, 12))
    sale("morning", third, chips, local_datetime(MARCH_2, 8))
    sale("next", third, chips, local_datetime(MARCH_3, 0))
    return {
        "devices": {"D-1": first, "D-2": second, "D-3": third},
        "products": {"cola": cola, "chips": chips},
        "routes": {"north": north, "south": south},
        "slot": slot,
    }


def sold(query: str) -> set[str]:
    filterset = SaleFilterSet(QueryDict(query), queryset=Sale.objects.all())
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("transaction_id", flat=True))


def errors(query: str) -> dict:
    filterset = SaleFilterSet(QueryDict(query), queryset=Sale.objects.all())
    assert not filterset.is_valid()
    return filterset.errors


def test_no_parameter_narrows_nothing(sales):
    assert sold("") == {"late", "midnight", "noon", "morning", "next"}


def test_device_is_one_device(sales):
    assert sold(f"device={sales['devices']['D-1'].pk}") == {"late", "midnight"}
    assert sold(f"device={sales['devices']['D-3'].pk}") == {"morning", "next"}


def test_a_retired_devices_sales_can_still_be_read_by_device(sales):
    retired = sales["devices"]["D-3"]
    device_soft_delete(device=retired)

    assert sold(f"device={retired.pk}") == {"morning", "next"}


def test_product_is_one_product(sales):
    assert sold(f"product={sales['products']['cola'].pk}") == {"late", "noon"}
    assert sold(f"product={sales['products']['chips'].pk}") == {"midnight", "morning", "next"}


def test_slot_is_the_slot_a_sale_came_from(sales):
    assert sold(f"slot={sales['slot'].pk}") == {"late"}


def test_route_takes_the_sales_of_the_devices_on_the_route(sales):
    assert sold(f"route={sales['routes']['north'].pk}") == {"late", "midnight"}
    assert sold(f"route={sales['routes']['south'].pk}") == {"noon"}


def test_sold_after_keeps_the_moment_itself_and_later(sales):
    assert sold("sold_after=2026-03-02T00:00:00-06:00") == {"midnight", "noon", "morning", "next"}
    assert sold("sold_after=2026-03-02T05:30:00Z") == {"late", "midnight", "noon", "morning", "next"}
    assert sold("sold_after=2026-03-03T00:00:00-06:00") == {"next"}


def test_sold_before_keeps_only_earlier_moments(sales):
    assert sold("sold_before=2026-03-02T00:00:00-06:00") == {"late"}
    assert sold("sold_before=2026-03-02T05:30:00Z") == set()
    assert sold("sold_before=2026-03-03T00:00:00-06:00") == {"late", "midnight", "noon", "morning"}


def test_a_bare_date_is_local_midnight_and_consecutive_days_share_no_sale(sales):
    # UTC midnight would count ``late`` (05:30 UTC on the 2nd) in the 2nd; local midnight leaves it in the 1st.
    assert sold("sold_after=2026-03-02") == {"midnight", "noon", "morning", "next"}
    first = sold("sold_after=2026-03-01&sold_before=2026-03-02")
    second = sold("sold_after=2026-03-02&sold_before=2026-03-03")
    third = sold("sold_after=2026-03-03&sold_before=2026-03-04")
    assert (first, second, third) == ({"late"}, {"midnight", "noon", "morning"}, {"next"})


def test_filters_given_together_all_apply(sales):
    chips = sales["products"]["chips"].pk
    assert sold(f"route={sales['routes']['north'].pk}&product={chips}") == {"midnight"}
    assert sold(f"product={chips}&sold_before=2026-03-03") == {"midnight", "morning"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("device=999999", "device", UNKNOWN_CHOICE),
        ("device=D-1", "device", UNKNOWN_CHOICE),
        ("product=999999", "product", UNKNOWN_CHOICE),
        ("slot=999999", "slot", UNKNOWN_CHOICE),
        ("route=999999", "route", UNKNOWN_CHOICE),
        ("sold_after=yesterday", "sold_after", "Enter a valid date/time."),
        ("sold_before=2026-02-30", "sold_before", "Enter a valid date/time."),
        ("sold_before=2026-03-02T25:00", "sold_before", "Enter a valid date/time."),
        ("sold_after=2026-03-02T00:00:00%2B16:00", "sold_after", OFFSET_REFUSED),
        ("sold_before=2026-03-02T00:00:00-23:59", "sold_before", OFFSET_REFUSED),
        ("sold_after=0001-01-01T00:00:00%2B01:00", "sold_after", OUT_OF_RANGE),
        ("sold_before=9999-12-31T23:00:00", "sold_before", OUT_OF_RANGE),
    ],
)
def test_a_wrong_value_is_an_error_naming_its_filter(sales, query, field, message):
    assert errors(query) == {field: [message]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("sold_after=2026-03-02T00:00:00%2B16:00", "sold_after", OFFSET_REFUSED),  # a 500 before
        ("sold_before=2026-03-02T00:00:00%2B15:59:59.5", "sold_before", OFFSET_REFUSED),  # a 500 before
        ("sold_before=9999-12-31T23:00:00", "sold_before", OUT_OF_RANGE),
    ],
)
def test_the_api_answers_a_moment_the_database_cannot_compare_400_naming_the_filter(
    sales, client_for, manager, query, field, message
):
    response = client_for(manager).get(f"/api/sales/?{query}")

    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_the_widest_offsets_and_the_calendars_ends_still_filter(sales):
    # Local midnight of 2 March (06:00 UTC) written at either end of the offsets PostgreSQL takes.
    assert sold("sold_after=2026-03-02T21:59:00%2B15:59") == {"midnight", "noon", "morning", "next"}
    assert sold("sold_before=2026-03-01T14:01:00-15:59") == {"late"}
    assert sold("sold_after=0001-01-01&sold_before=9999-12-31") == {"late", "midnight", "noon", "morning", "next"}
