"""A restock makes its device's metrics stale, and the incremental run it queues brings them up to date."""

import pytest

from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun
from metrics.services.engine import recalculate_metrics
from metrics.services.runs import devices_needing_recalculation
from planograms.choices import RestockMode
from planograms.services.inventory import restock
from planograms.tests.factories import slots_of_every_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def slots():
    return slots_of_every_kind()


def test_a_restock_makes_the_device_stale_and_queues_the_incremental_run(slots, django_capture_on_commit_callbacks):
    recalculate_metrics()
    assert list(devices_needing_recalculation()) == []

    with django_capture_on_commit_callbacks(execute=True):
        restock(slots=slots, mode=RestockMode.PAR)
        assert list(devices_needing_recalculation()) == [slots[0].planogram.cabinet.device_id]

    run = MetricsRun.objects.get()
    assert (run.scope, run.status) == (MetricsRunScope.INCREMENTAL, MetricsRunStatus.SUCCEEDED)
    assert list(devices_needing_recalculation()) == []
