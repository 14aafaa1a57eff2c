"""The devices' admin where planograms hang off its rows (moved from ``devices/tests/test_admin.py``)."""

from devices.models import Cabinet, Device
from planograms.models import Planogram
from planograms.tests.factories import PlanogramSlotFactory


def test_cabinets_are_edited_inline_on_the_device_and_link_to_their_planogram(admin_client, admin_url):
    slot = PlanogramSlotFactory()
    device = slot.planogram.cabinet.device

    response = admin_client.get(admin_url(Device, "change", device.pk))

    (cabinets,) = response.context["inline_admin_formsets"]
    assert cabinets.formset.model is Cabinet
    assert admin_url(Planogram, "change", slot.planogram.pk) in response.content.decode()
