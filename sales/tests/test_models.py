from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("units", "cash"), [(0, Decimal("1.00")), (1, Decimal("-0.01"))])
def test_sales_need_positive_units_and_non_negative_cash(units, cash):
    with pytest.raises(IntegrityError), transaction.atomic():
        SaleFactory(units=units, cash_amount=cash)
