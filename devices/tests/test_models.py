"""The database itself rejects bad fleet rows, whatever path they come by."""

import pytest
from django.core.exceptions import ValidationError

from cvd_portal.tests.database import rejected
from devices.models import Cabinet, Device, Location
from devices.services import device_restore, device_soft_delete
from devices.tests.factories import (
    CabinetFactory,
    CabinetTypeFactory,
    DeviceFactory,
    DeviceTypeFactory,
    LocationFactory,
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
