"""Sales as ``sales_record`` takes them, and the stocked slots the ingestion tests sell from."""

import datetime as dt
from decimal import Decimal

from devices.tests.factories import DeviceFactory
from planograms.tests.factories import PlanogramSlotFactory
from sales.services import SaleEntry

# When the ingestion tests' sales happen, unless they say otherwise.
SOLD_AT = dt.datetime(2025, 3, 1, 14, 30, tzinfo=dt.UTC)


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
