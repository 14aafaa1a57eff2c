"""The small fleet the fault tests break things around, and how they read its metrics."""

import datetime as dt

from django.db.models import F
from django.utils import timezone

from devices.tests.factories import DeviceFactory
from metrics.models import SlotMetrics
from metrics.tests.oracle import fleet_metrics, stored_metrics
from planograms.models import PlanogramSlot
from planograms.tests.factories import PlanogramSlotFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import SaleFactory

STOCK = 1_000
CAPACITY = 2_000


def stocked_fleet(devices: int = 6, *, history: bool = True) -> list[PlanogramSlot]:
    """Devices F0, F1, …, each with slots A1 and A2 holding ``STOCK`` units (and a few days of sales behind them)."""
    slots = []
    for number in range(devices):
        a1 = PlanogramSlotFactory(
            planogram__cabinet__device=DeviceFactory(asset=f"F{number}"),
            position="A1",
            quantity=STOCK,
            capacity=CAPACITY,
        )
        a2 = PlanogramSlotFactory(planogram=a1.planogram, position="A2", quantity=STOCK, capacity=CAPACITY)
        for days_ago, slot in ((2, a1), (3, a2), (9, a1)) if history else ():
            SaleFactory(
                device=a1.planogram.cabinet.device,
                product=slot.product,
                units=number + days_ago,
                sold_at=timezone.now() - dt.timedelta(days=days_ago),
            )
        slots += [a1, a2]
    sales_rollups_rebuild()
    return slots


def take_stock(units: int = 1) -> None:
    """Lower every slot's stock behind the portal's back (no signal, no stale mark): only a full run notices."""
    PlanogramSlot.objects.update(quantity=F("quantity") - units)


def metrics_are_right() -> bool:
    """Whether the stored metrics are the oracle's, at the moment they were calculated (one run wrote them all)."""
    calculated = set(SlotMetrics.objects.values_list("last_calculated", flat=True))
    return len(calculated) == 1 and stored_metrics() == fleet_metrics(calculated.pop())
