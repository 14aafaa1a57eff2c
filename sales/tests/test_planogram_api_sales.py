"""The planogram API over products and slots that have sales: the sales are history and stay as they were."""

import pytest

from cvd_portal.tests.api import detail_url
from planograms.models import Product
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_product_with_sales_is_409(client_for, manager):
    sale = SaleFactory()

    response = client_for(manager).delete(detail_url("products", sale.product_id))

    assert response.status_code == 409
    assert "sales" in response.json()["detail"]
    assert Product.objects.filter(pk=sale.product_id).exists()


def test_replacing_slots_keeps_sales_of_surviving_slots(client_for, manager):
    planogram = PlanogramFactory()
    kept = PlanogramSlotFactory(planogram=planogram, position="A1")
    sale = SaleFactory(slot=kept, device=planogram.cabinet.device, product=kept.product)
    body = {
        "cabinet": planogram.cabinet_id,
        "slots": [{"position": "A1", "product": kept.product_id, "quantity": 0, "capacity": 10, "par_level": 8}],
    }

    assert client_for(manager).put(detail_url("planograms", planogram.pk), body, format="json").status_code == 200

    sale.refresh_from_db()
    assert sale.slot_id == kept.pk
