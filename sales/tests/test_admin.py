"""Sales in the admin: browsable by date, linked to their device and product, cheap to list."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from devices.models import Device
from planograms.models import Product
from planograms.tests.factories import PlanogramSlotFactory
from sales.models import DailyProductSales, DeviceDailySales, DexImport, DexReading, Sale
from sales.tests.factories import SaleFactory

# Session, user, date hierarchy, filters and one page of rows: the same whether the page shows 3 rows or 15.
SALE_CHANGELIST_QUERIES = 8


@pytest.mark.parametrize("rows", [3, 15])
def test_sale_changelist_queries_do_not_grow_with_rows(admin_client, admin_url, django_assert_max_num_queries, rows):
    SaleFactory.create_batch(rows, slot=PlanogramSlotFactory())

    with django_assert_max_num_queries(SALE_CHANGELIST_QUERIES):
        response = admin_client.get(admin_url(Sale, "changelist"))

    assert len(response.context["cl"].result_list) == rows


def test_sales_are_browsed_by_date(admin_client, admin_url):
    tz = timezone.get_current_timezone()
    SaleFactory(sold_at=datetime.datetime(2025, 3, 1, 12, tzinfo=tz))
    SaleFactory(sold_at=datetime.datetime(2025, 4, 1, 12, tzinfo=tz))

    march = admin_client.get(admin_url(Sale, "changelist") + "?sold_at__year=2025&sold_at__month=3")

    assert [sale.sold_at.month for sale in march.context["cl"].result_list] == [3]


@pytest.mark.parametrize(
    "query",
    [
        "year=99999999999999999999",  # a 500 before (OverflowError)
        "year=9999",  # a 500 before: the year after it does not exist
        "year=9999&{field}__month=12",
        "year=9999&{field}__month=12&{field}__day=31",
        "year=1",
        "year=0",
        "year=-5",
        "year=soon",
    ],
)
@pytest.mark.parametrize(
    ("model", "field"),
    [
        (Sale, "sold_at"),
        (DailyProductSales, "date"),
        (DeviceDailySales, "date"),
        (DexImport, "uploaded_at"),
        (DexReading, "read_at"),
    ],
)
def test_a_date_hierarchy_past_the_calendar_is_the_admins_invalid_lookup_answer(
    admin_client, admin_url, model, field, query
):
    url = admin_url(model, "changelist")

    response = admin_client.get(f"{url}?{field}__{query.format(field=field)}")

    assert (response.status_code, response.url) == (302, f"{url}?e=1")


@override_settings(TIME_ZONE="Pacific/Kiritimati")  # UTC+14: local midnight of 1 January, year 2, is in year 1 UTC
def test_the_date_hierarchy_browses_the_calendars_first_and_last_years_it_can_bound(admin_client, admin_url):
    url = admin_url(Sale, "changelist")

    assert admin_client.get(f"{url}?sold_at__year=2").status_code == 200
    assert admin_client.get(f"{url}?sold_at__year=9998&sold_at__month=12&sold_at__day=31").status_code == 200


def test_sale_links_to_its_device_and_product_even_when_the_device_is_deleted(admin_client, admin_url):
    sale = SaleFactory(device__deleted_at=timezone.now())

    content = admin_client.get(admin_url(Sale, "changelist")).content.decode()

    assert admin_url(Device, "change", sale.device.pk) in content
    assert admin_url(Product, "change", sale.product.pk) in content
    assert admin_client.get(admin_url(Device, "change", sale.device.pk)).status_code == 200


def test_viewer_reads_sales_but_cannot_add_them(client, admin_url, viewer):
    sale = SaleFactory()
    client.force_login(viewer)

    assert client.get(admin_url(Sale, "changelist")).status_code == 200
    assert client.get(admin_url(Sale, "change", sale.pk)).status_code == 200
    assert client.get(admin_url(Sale, "add")).status_code == 403


def test_a_sale_of_a_soft_deleted_device_stays_editable(admin_client, admin_url):
    sale = SaleFactory(device__deleted_at=timezone.now(), units=1)
    data = {
        "device": sale.device.pk,
        "product": sale.product.pk,
        "slot": "",
        "units": 2,
        "cash_amount": "3.00",
        "sold_at_0": "2025-03-01",
        "sold_at_1": "12:00:00",
    }

    response = admin_client.post(admin_url(Sale, "change", sale.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    sale.refresh_from_db()
    assert sale.units == 2


@override_settings(EARLIEST_EVENT="2000-01-01", EVENT_CLOCK_SKEW=300)
def test_a_sale_edited_in_the_admin_is_held_to_the_moment_rule(admin_client, admin_url):
    sale = SaleFactory(sold_at=datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC))
    data = {
        "device": sale.device.pk,
        "product": sale.product.pk,
        "slot": "",
        "units": 1,
        "cash_amount": "1.50",
        "sold_at_0": "9999-12-31",
        "sold_at_1": "23:59:59",
    }

    response = admin_client.post(admin_url(Sale, "change", sale.pk), data)

    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["sold_at"]
    assert message.startswith("Must not be more than 5 minutes ahead of the server's clock")
    sale.refresh_from_db()
    assert sale.sold_at == datetime.datetime(2025, 3, 1, 12, tzinfo=datetime.UTC)
