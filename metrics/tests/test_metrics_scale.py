"""The recalculation's query count does not depend on the fleet size."""

import datetime as dt

import pytest
from django.utils import timezone

from devices.tests.factories import CabinetFactory, DeviceFactory
from metrics.models import DeviceMetrics, SlotMetrics
from metrics.services.engine import recalculate_metrics
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
# Each metrics table's upsert counts three: it drops and creates its temporary staging table, then
# inserts from it (the COPY into it goes past Django's query log).
RECALCULATION_QUERIES = 20


def build_fleet(devices):
    product = ProductFactory()
    for _ in range(devices):
        device = DeviceFactory()
        for index in (1, 2):
            planogram = PlanogramFactory(cabinet=CabinetFactory(device=device, index=index))
            for position in ("A1", "A2", "B1"):
                PlanogramSlotFactory(planogram=planogram, position=position, product=product)
        SaleFactory(device=device, product=product, sold_at=timezone.now() - dt.timedelta(days=2))
    sales_rollups_rebuild()


@pytest.mark.parametrize("devices", [2, 25])
def test_recalculation_runs_a_fixed_number_of_queries(devices, django_assert_max_num_queries):
    build_fleet(devices)
    with django_assert_max_num_queries(RECALCULATION_QUERIES):
        result = recalculate_metrics()
    assert result.devices == devices
    assert SlotMetrics.objects.count() == devices * 6
    assert DeviceMetrics.objects.count() == devices
