from decimal import Decimal

import factory

from devices.tests.factories import CabinetFactory, DeviceFactory
from planograms.models import Planogram, PlanogramSlot, Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    category = "Snacks"
    price = Decimal("1.50")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")


class PlanogramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Planogram

    cabinet = factory.SubFactory(CabinetFactory)


class PlanogramSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanogramSlot

    planogram = factory.SubFactory(PlanogramFactory)
    position = factory.Sequence(lambda n: f"{'ABCDEF'[n % 6]}{n % 8 + 1}")
    product = factory.SubFactory(ProductFactory)
    capacity = 10
    quantity = 5
    par_level = 8


def slots_of_every_kind():
    """Device A100's slots A1 to A5: below par, above par, full, maintenance, unassigned (capacity 10, par 8).

    The restock tests' fleet: a fill to par moves only A1 (2 to 8), a fill to capacity A1 and A2.
    """
    first = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A100"), position="A1", quantity=2)
    planogram = first.planogram
    return [
        first,
        PlanogramSlotFactory(planogram=planogram, position="A2", quantity=9),
        PlanogramSlotFactory(planogram=planogram, position="A3", quantity=10),
        PlanogramSlotFactory(planogram=planogram, position="A4", quantity=0, capacity=0, par_level=0),
        PlanogramSlotFactory(planogram=planogram, position="A5", quantity=1, product=None),
    ]
