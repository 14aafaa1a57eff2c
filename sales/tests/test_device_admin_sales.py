"""The devices' admin where sales hang off its rows (moved from ``devices/tests/test_admin.py``)."""

from devices.models import Device
from devices.tests.factories import DeviceFactory
from sales.tests.factories import SaleFactory


def test_soft_delete_action_keeps_the_device_and_records_who(admin_client, admin_url, admin_user):
    device = DeviceFactory()
    SaleFactory(device=device)

    response = admin_client.post(
        admin_url(Device, "changelist"), {"action": "soft_delete_devices", "_selected_action": [device.pk]}
    )

    assert response.status_code == 302
    device = Device.all_objects.get(pk=device.pk)
    assert device.is_deleted
    assert device.deleted_by == admin_user
    assert device.sales.count() == 1
