"""The devices' admin where metrics hang off its rows (moved from ``devices/tests/test_admin.py``)."""

from devices.models import Cabinet
from metrics.models import CabinetMetrics, SlotMetrics
from metrics.services.engine import recalculate_metrics
from planograms.tests.factories import PlanogramSlotFactory


def test_manager_may_delete_a_cabinet_whose_slots_have_metrics(client, admin_url, manager):
    slot = PlanogramSlotFactory()
    recalculate_metrics()
    cabinet = slot.planogram.cabinet
    client.force_login(manager)

    response = client.post(admin_url(Cabinet, "delete", cabinet.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Cabinet.objects.filter(pk=cabinet.pk).exists()
    assert not SlotMetrics.objects.exists() and not CabinetMetrics.objects.exists()
