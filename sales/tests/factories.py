import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from devices.tests.factories import DeviceFactory
from planograms.tests.factories import PlanogramSlotFactory, ProductFactory
from sales.models import Sale
from sales.services import SaleEntry

# When the recorded sales of the ingestion tests happen, unless they say otherwise.
SOLD_AT = dt.datetime(2025, 3, 1, 14, 30, tzinfo=dt.UTC)


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    device = factory.SubFactory(DeviceFactory)
    product = factory.SubFactory(ProductFactory)
    units = 1
    cash_amount = Decimal("1.50")
    sold_at = factory.LazyFunction(timezone.now)


def stocked_slots():
    """Devices A100 and A200, with two stocked slots each: A1 and A2, quantity 5, capacity 10."""
    slots = []
    for asset in ("A100", "A200"):
        a1 = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset=asset), position="A1", quantity=5)
        slots += [a1, PlanogramSlotFactory(planogram=a1.planogram, position="A2", quantity=5)]
    return slots


def sale_entry(slot, units=1, transaction_id=None, sold_at=SOLD_AT):
    """A sale of ``units`` from ``slot`` at 1.50 each, as ``sales_record`` takes it."""
    return SaleEntry(
        device_id=slot.planogram.cabinet.device_id,
        product_id=slot.product_id,
        slot_id=slot.pk,
        units=units,
        cash_amount=Decimal("1.50") * units,
        sold_at=sold_at,
        transaction_id=transaction_id,
    )
