"""GET /api/planning/alerts: the machines the office must look at, as each role may see them."""

import datetime as dt

import pytest
from django.utils import timezone

from devices.tests.factories import DeviceFactory, RouteFactory
from planograms.tests.factories import ProductFactory
from sales.services import sales_recorded
from sales.tests.factories import sale_on

pytestmark = pytest.mark.django_db


def selling_then_silent(device, *, quiet_days):
    product = ProductFactory()
    today = timezone.localdate()
    for back in range(quiet_days + 1, quiet_days + 43):
        sale_on(device, product, today - dt.timedelta(days=back), units=10)


@pytest.fixture
def fleet(driver):
    mine, other = RouteFactory(driver=driver), RouteFactory()
    silent_mine = DeviceFactory(route=mine, asset="SILENT-1")
    silent_other = DeviceFactory(route=other, asset="SILENT-2")
    fine = DeviceFactory(route=mine, asset="FINE-1")
    selling_then_silent(silent_mine, quiet_days=4)
    selling_then_silent(silent_other, quiet_days=5)
    selling_then_silent(fine, quiet_days=0)
    sales_recorded(device_ids=[silent_mine.pk, silent_other.pk, fine.pk])
    return {"mine": silent_mine, "other": silent_other}


def test_a_manager_sees_every_silent_machine_longest_silent_first(client_for, manager, fleet):
    response = client_for(manager).get("/api/planning/alerts")

    assert response.status_code == 200
    machines = response.json()["machines"]
    assert [(m["asset"], m["status"]) for m in machines] == [("SILENT-2", "silent"), ("SILENT-1", "silent")]
    assert machines[0]["route"] == fleet["other"].route.number
    assert machines[0]["last_sale_at"] is not None


def test_a_driver_sees_only_their_routes_machines(client_for, driver, fleet):
    response = client_for(driver).get("/api/planning/alerts")

    assert [m["asset"] for m in response.json()["machines"]] == ["SILENT-1"]


def test_the_alerts_run_a_fixed_number_of_queries(client_for, manager, fleet, django_assert_max_num_queries):
    client = client_for(manager)
    client.get("/api/planning/alerts")  # the settings row exists from here on
    with django_assert_max_num_queries(9):
        assert client.get("/api/planning/alerts").status_code == 200
    more = [DeviceFactory() for _ in range(4)]
    for device in more:
        selling_then_silent(device, quiet_days=6)
    sales_recorded(device_ids=[device.pk for device in more])
    with django_assert_max_num_queries(9):
        assert len(client.get("/api/planning/alerts").json()["machines"]) == 6


def test_an_anonymous_client_is_refused(api_client):
    assert api_client.get("/api/planning/alerts").status_code == 401
