from decimal import Decimal

import factory

from devices.tests.factories import CabinetFactory
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
