"""The database itself rejects bad fleet rows, whatever path they come by."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from cvd_portal.tests.database import rejected
from devices.models import Cabinet, Device, Location, Route
from devices.services import device_restore, device_soft_delete
from devices.tests.factories import (
    CabinetFactory,
    CabinetTypeFactory,
    DeviceFactory,
    DeviceTypeFactory,
    LocationFactory,
    RouteFactory,
)

pytestmark = pytest.mark.django_db


def test_asset_numbers_are_unique():
    DeviceFactory(asset="A1")
    rejected(lambda: DeviceFactory(asset="A1"))


def test_latitude_and_longitude_must_be_on_earth():
    rejected(lambda: Location.objects.create(name="Nowhere", latitude=91, longitude=0))
    rejected(lambda: Location.objects.create(name="Nowhere", latitude=0, longitude=-181))


def test_a_device_has_at_most_three_cabinets():
    device = DeviceFactory()
    cabinet_type = CabinetTypeFactory()
    for index in (1, 2, 3):
        CabinetFactory(device=device, cabinet_type=cabinet_type, index=index)
    rejected(lambda: Cabinet.objects.create(device=device, cabinet_type=cabinet_type, index=4, rows=1, columns=1))


def test_cabinet_index_is_unique_per_device_and_one_parent():
    cabinet = CabinetFactory(index=1)
    rejected(lambda: CabinetFactory(device=cabinet.device, index=1))
    assert cabinet.is_parent
    assert not CabinetFactory(device=cabinet.device, index=2).is_parent


def test_additional_cabinets_need_a_device_type_that_allows_them():
    device = DeviceFactory(device_type=DeviceTypeFactory(name="Single", allows_additional_cabinets=False))
    CabinetFactory(device=device, index=1)
    extra = Cabinet(device=device, cabinet_type=CabinetTypeFactory(), index=2, rows=6, columns=8)
    with pytest.raises(ValidationError) as error:
        extra.full_clean()
    assert "index" in error.value.message_dict


def test_soft_deleted_devices_are_hidden_by_default_and_can_be_restored(admin_user):
    device = DeviceFactory()
    device_soft_delete(device=device, user=admin_user)
    assert not Device.objects.filter(pk=device.pk).exists()
    kept = Device.all_objects.get(pk=device.pk)
    assert kept.deleted_by == admin_user and kept.deleted_at is not None
    device_restore(device=kept)
    assert Device.objects.filter(pk=device.pk).exists()


def test_related_access_reaches_soft_deleted_devices():
    """History (sales, cabinets) must still resolve its device after a soft delete."""
    cabinet = CabinetFactory()
    device_soft_delete(device=cabinet.device)
    cabinet = Cabinet.objects.get(pk=cabinet.pk)
    assert cabinet.device.asset


def test_location_in_use_cannot_be_deleted():
    location = LocationFactory()
    DeviceFactory(location=location)
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        location.delete()


def test_an_extra_cabinet_is_checked_against_the_type_being_set_on_the_device():
    device = DeviceFactory(device_type=DeviceTypeFactory(name="Combo", allows_additional_cabinets=True))
    device.device_type = DeviceTypeFactory(name="Single", allows_additional_cabinets=False)  # not saved yet
    cabinet = Cabinet(device=device, cabinet_type=CabinetTypeFactory(), index=2, rows=6, columns=8)
    with pytest.raises(ValidationError):
        cabinet.full_clean()


# Route schedule and depot

MONDAY = date(2025, 3, 17)
FRIDAY, SATURDAY, SUNDAY = (MONDAY + timedelta(days=n) for n in (4, 5, 6))


def test_a_route_is_driven_monday_to_friday_unless_told_otherwise():
    assert RouteFactory().service_days == [0, 1, 2, 3, 4]


def test_service_days_are_stored_in_week_order_however_given():
    route = RouteFactory(service_days=[4, 0, 2])
    Route.objects.bulk_create([Route(number="B1", name="Bulk", service_days=[6, 5])])

    route.refresh_from_db()
    assert route.service_days == [0, 2, 4]
    assert Route.objects.get(number="B1").service_days == [5, 6]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ([7], "Item 1 in the array did not validate: Ensure this value is less than or equal to 6."),
        ([0, -1], "Item 2 in the array did not validate: Ensure this value is greater than or equal to 0."),
        ([2, 0, 2], "Give each weekday once (given more than once: Wednesday)."),
    ],
)
def test_service_days_are_weekdays_each_given_once(days, message):
    route = Route(number="101", name="Loop", service_days=days)

    with pytest.raises(ValidationError) as error:
        route.full_clean()

    assert error.value.message_dict == {"service_days": [message]}


def test_a_route_may_have_no_service_days():
    Route(number="101", name="Laid up", service_days=[]).full_clean()


@pytest.mark.parametrize("days", [[7], [-1], [0, 32767]])
def test_the_database_refuses_service_days_that_are_not_weekdays(days):
    rejected(lambda: Route.objects.create(number="101", name="Loop", service_days=days))


def test_a_depot_is_on_earth_and_has_both_coordinates():
    rejected(lambda: Route.objects.create(number="101", depot_latitude=91, depot_longitude=0))
    rejected(lambda: Route.objects.create(number="102", depot_latitude=0, depot_longitude=-181))
    rejected(lambda: Route.objects.create(number="103", depot_latitude=41.8))
    rejected(lambda: Route.objects.create(number="104", depot_longitude=-87.6))


def test_a_half_given_depot_is_a_validation_error():
    route = Route(number="101", name="Loop", depot_latitude="41.8")

    with pytest.raises(ValidationError) as error:
        route.full_clean()

    assert error.value.message_dict == {"__all__": ["Give the depot's latitude and longitude, or neither."]}


@pytest.mark.parametrize(
    ("service_days", "after", "expected"),
    [
        ([0, 2, 4], MONDAY, MONDAY + timedelta(days=2)),  # on a service day: the next one, not the same day
        ([0, 2, 4], FRIDAY, MONDAY + timedelta(days=7)),  # over the weekend into the next week
        ([0, 2, 4], SATURDAY, MONDAY + timedelta(days=7)),
        ([6], SATURDAY, SUNDAY),
        ([6], SUNDAY, SUNDAY + timedelta(days=7)),  # the only service day: a week later
        ([0, 1, 2, 3, 4, 5, 6], SUNDAY, SUNDAY + timedelta(days=1)),
    ],
)
def test_next_service_day_is_the_first_one_strictly_after(service_days, after, expected):
    assert Route(service_days=service_days).next_service_day(after) == expected


def test_a_route_without_service_days_has_no_next_one():
    assert Route(service_days=[]).next_service_day(MONDAY) is None


@given(
    service_days=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=7, unique=True),
    after=st.dates(max_value=date(9000, 1, 1)),
)
def test_next_service_day_matches_walking_the_calendar(service_days, after):
    walked = next(
        after + timedelta(days=n) for n in range(1, 8) if (after + timedelta(days=n)).weekday() in service_days
    )

    assert Route(service_days=service_days).next_service_day(after) == walked
