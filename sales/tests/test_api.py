import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cvd_portal.tests.api import detail_url, ids, list_url
from devices.services import device_soft_delete
from devices.tests.factories import DeviceFactory, RouteFactory
from planograms.tests.factories import PlanogramSlotFactory
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db

SALES = list_url("sales")


def local(*args):
    return timezone.make_aware(dt.datetime(*args))


def test_sale_list_and_retrieve_read_names_and_money(client_for, viewer):
    slot = PlanogramSlotFactory(position="B4")
    sale = SaleFactory(
        device=slot.planogram.cabinet.device, product=slot.product, slot=slot, units=2, cash_amount=Decimal("3")
    )
    client = client_for(viewer)

    row = client.get(SALES).json()["results"][0]
    assert row["id"] == sale.pk
    assert (row["device_asset"], row["product_name"], row["slot_position"]) == (
        sale.device.asset,
        sale.product.name,
        "B4",
    )
    assert row["cash_amount"] == "3.00"
    assert client.get(detail_url("sales", sale.pk)).json() == row


def test_sales_filter_by_device_product_and_route(client_for, viewer):
    sale = SaleFactory()
    SaleFactory()
    client = client_for(viewer)

    for params in ({"device": sale.device_id}, {"product": sale.product_id}, {"route": sale.device.route_id}):
        assert ids(client.get(SALES, params)) == [sale.pk], params


def test_sales_filter_by_half_open_date_range_in_operator_time(client_for, viewer):
    before = SaleFactory(sold_at=local(2025, 3, 31, 23, 59))
    first = SaleFactory(sold_at=local(2025, 4, 1, 0, 0))
    last = SaleFactory(sold_at=local(2025, 4, 30, 23, 59))
    SaleFactory(sold_at=local(2025, 5, 1, 0, 0))

    response = client_for(viewer).get(SALES, {"sold_after": "2025-04-01", "sold_before": "2025-05-01"})

    assert response.status_code == 200
    assert ids(response) == [last.pk, first.pk]
    assert before.pk not in ids(client_for(viewer).get(SALES, {"sold_after": "2025-04-01T00:00:00"}))


@pytest.mark.parametrize("params", [{"sold_after": "yesterday"}, {"device": "A1"}, {"product": 10**30}])
def test_bad_sales_filter_is_400(client_for, viewer, params):
    response = client_for(viewer).get(SALES, params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_recorded_sales_cannot_be_changed(client_for, manager):
    # Sales arrive in batches (POST, tested with ingestion); once recorded they are history.
    sale = SaleFactory()
    client = client_for(manager)

    assert client.put(detail_url("sales", sale.pk), {"units": 3}, format="json").status_code == 405
    assert client.patch(detail_url("sales", sale.pk), {"units": 3}, format="json").status_code == 405
    assert client.delete(detail_url("sales", sale.pk)).status_code == 405


def test_driver_has_no_sales_access(client_for, driver):
    sale = SaleFactory(device=DeviceFactory(route=RouteFactory(driver=driver)))
    client = client_for(driver)

    assert client.get(SALES).status_code == 403
    assert client.get(detail_url("sales", sale.pk)).status_code == 403


def test_sales_of_a_retired_device_leave_the_api(client_for, viewer):
    sale = SaleFactory()
    device_soft_delete(device=sale.device)

    assert ids(client_for(viewer).get(SALES)) == []
    assert client_for(viewer).get(detail_url("sales", sale.pk)).status_code == 404
