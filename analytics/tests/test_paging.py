"""One paging rule (``cvd_portal.api.pagination``) for the API's lists, the asset-sales report and the dashboard."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from analytics.tests.test_views import RANGE, build_fleet
from cvd_portal.api.pagination import paginate
from devices.tests.factories import DeviceFactory, LocationFactory

DEVICES_URL = reverse("devices-list")
REPORT_URL = reverse("asset-sales")
DASHBOARD = reverse("analytics:dashboard")


def test_paginate_cuts_rows_into_pages_from_one():
    page = paginate(list(range(1, 8)), page=3, page_size=3)

    assert list(page) == [7]
    assert (page.number, page.paginator.num_pages, page.paginator.count) == (3, 3, 7)
    assert list(paginate(list(range(1, 8)), page=1, page_size=3)) == [1, 2, 3]


def test_an_empty_set_has_one_empty_page():
    page = paginate([], page=1, page_size=10)

    assert (list(page), page.paginator.num_pages) == ([], 1)


def test_a_page_past_the_last_is_an_error_naming_page():
    with pytest.raises(ValidationError) as raised:
        paginate(list(range(7)), page=4, page_size=3)

    assert raised.value.message_dict == {"page": ["Page 4 is past the last page, 3."]}


def row_ids(body: dict) -> list[int]:
    """The ids of a page of rows: a list's ``results`` or the report's ``devices``."""
    return [row.get("id", row.get("device_id")) for row in body.get("results", body.get("devices"))]


@pytest.fixture
def devices(db):
    location = LocationFactory()
    return [DeviceFactory(location=location) for _ in range(3)]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"page": 0}, "page", "Ensure this value is greater than or equal to 1."),
        ({"page": "abc"}, "page", "A valid integer is required."),
        ({"page": 2**31}, "page", "Ensure this value is less than or equal to 2147483647."),
        ({"page_size": 0}, "page_size", "Ensure this value is greater than or equal to 1."),
        ({"page_size": 1001}, "page_size", "Ensure this value is less than or equal to 1000."),
        ({"page": 2, "page_size": 3}, "page", "Page 2 is past the last page, 1."),
    ],
)
@pytest.mark.parametrize("url", [DEVICES_URL, REPORT_URL])
def test_the_api_lists_and_the_report_refuse_the_same_pages_with_the_same_400(
    devices, client_for, manager, url, query, field, message
):
    response = client_for(manager).get(url, query)

    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.parametrize("url", [DEVICES_URL, REPORT_URL])
def test_the_api_lists_and_the_report_page_alike(devices, client_for, manager, url):
    client = client_for(manager)

    first, second = client.get(url, {"page_size": 2}).json(), client.get(url, {"page_size": 2, "page": 2}).json()

    assert first["count"] == second["count"] == 3
    assert len(row_ids(first)) == 2
    assert len(row_ids(second)) == 1
    assert set(row_ids(first) + row_ids(second)) == {device.pk for device in devices}


@pytest.mark.parametrize("url", [DEVICES_URL, REPORT_URL])
def test_the_api_lists_and_the_report_default_to_pages_of_100(db, client_for, manager, url):
    location = LocationFactory()
    DeviceFactory.create_batch(101, location=location)
    client = client_for(manager)

    body = client.get(url).json()

    assert body["count"] == 101
    assert len(row_ids(body)) == 100


def test_the_dashboard_table_refuses_a_page_past_the_last_with_the_same_message(client, manager, db):
    build_fleet(2)
    client.force_login(manager)

    response = client.get(DASHBOARD, {**RANGE, "page": 2})

    assert response.status_code == 400
    assert response.context["form"].errors["page"] == ["Page 2 is past the last page, 1."]
    assert client.get(DASHBOARD, {**RANGE, "page": 0}).context["form"].errors["page"] == [
        "Ensure this value is greater than or equal to 1."
    ]
