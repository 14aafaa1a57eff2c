"""POST /api/sales/: an amount no cash column holds is a field error of its row, however it is written."""

import pytest

from devices.tests.factories import DeviceFactory
from planograms.tests.factories import PlanogramSlotFactory
from sales.models import Sale

pytestmark = pytest.mark.django_db

TOO_LARGE = ["Ensure this value is less than or equal to 99999999.99."]


@pytest.fixture
def slot():
    return PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A100"), position="A1", quantity=5)


@pytest.mark.parametrize(
    ("written", "errors"),
    [
        ("1e30", TOO_LARGE),  # a JSON number
        ('"1e30"', TOO_LARGE),
        ('"1e400"', TOO_LARGE),
        ("1e400", ["A finite number is required, not NaN or infinity."]),  # a float overflows to infinity
        ('"1e99999999999999999999"', ["The exponent is out of range."]),
        ('"-1e30"', ["Ensure this value is greater than or equal to 0."]),
    ],
)
def test_an_amount_beyond_the_cash_column_is_a_field_error(client_for, manager, slot, written, errors):
    row = f'{{"device": "A100", "slot": "A1", "sold_at": "2025-03-01T08:30:00Z", "cash_amount": {written}}}'

    response = client_for(manager).post("/api/sales/", data=f'{{"rows": [{row}]}}', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"rows": {"0": {"cash_amount": errors}}}
    assert not Sale.objects.exists()
