from decimal import Decimal

import factory
from django.utils import timezone

from devices.tests.factories import DeviceFactory
from planograms.tests.factories import ProductFactory
from sales.models import Sale


class SaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sale

    device = factory.SubFactory(DeviceFactory)
    product = factory.SubFactory(ProductFactory)
    units = 1
    cash_amount = Decimal("1.50")
    sold_at = factory.LazyFunction(timezone.now)
