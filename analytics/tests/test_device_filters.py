"""One DeviceFilterSet narrows devices everywhere: the fleet API, the analytics API, the exports and the dashboard."""

import csv
import io

import pytest
from django.urls import reverse

from analytics.asset_sales import asset_sales_devices
from devices.choices import VenueType
from devices.models import Device
from devices.tests.factories import CabinetFactory, DeviceFactory, DeviceTypeFactory, LocationFactory, RouteFactory
from planograms.tests.factories import PlanogramFactory

RANGE = {"start_date": "2026-03-01", "end_date": "2026-03-07"}


@pytest.fixture
def fleet(db):
    office = LocationFactory(venue_type=VenueType.OFFICE)
    school = LocationFactory(venue_type=VenueType.SCHOOL)
    coffee = DeviceTypeFactory(name="Coffee")
    north, south = RouteFactory(), RouteFactory()
    devices = {
        "A-1": DeviceFactory(asset="A-1", serial_number="SN-1", location=office, route=north),
        "A-2": DeviceFactory(asset="A-2", serial_number="SN-2", location=school, route=south, device_type=coffee),
        "B-1": DeviceFactory(asset="B-1", serial_number="XY-1", location=school, route=north),
    }
    PlanogramFactory(cabinet=CabinetFactory(device=devices["B-1"]))
    return {"devices": devices, "office": office, "school": school, "coffee": coffee, "north": north}


# Each query with the devices it must select, chosen by hand from the fixture.
CASES = [
    (lambda f: {"asset": "a-"}, {"A-1", "A-2"}),
    (lambda f: {"serial_number": "xy"}, {"B-1"}),
    (lambda f: {"location": f["office"].pk}, {"A-1"}),
    (lambda f: {"location": f"{f['office'].pk},{f['school'].pk}"}, {"A-1", "A-2", "B-1"}),
    (lambda f: {"venue_type": "school"}, {"A-2", "B-1"}),
    (lambda f: {"device_type": f["coffee"].pk}, {"A-2"}),
    (lambda f: {"route": f["north"].pk}, {"A-1", "B-1"}),
    (lambda f: {"device_ids": f"{f['devices']['A-1'].pk},{f['devices']['A-2'].pk}"}, {"A-1", "A-2"}),
    (lambda f: {"has_planogram": "true"}, {"B-1"}),
    (lambda f: {"venue_type": "school", "route": f["north"].pk}, {"B-1"}),
]


def as_body(query: dict) -> dict:
    """The query as the asset-sales POST body's ``filters``: lists for list filters."""
    scalars = {"asset", "serial_number", "has_planogram"}
    return {
        name: (value if name in scalars else [int(v) if v.isdigit() else v for v in str(value).split(",")])
        for name, value in query.items()
    }


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_every_endpoint_and_page_selects_the_same_devices_for_the_same_filters(
    fleet, client, client_for, manager, query, expected
):
    query = query(fleet)
    api = client_for(manager)
    client.force_login(manager)

    fleet_api = {row["asset"] for row in api.get(reverse("devices-list"), query).json()["results"]}
    report_get = {row["asset"] for row in api.get(reverse("asset-sales"), {**RANGE, **query}).json()["devices"]}
    report_post = api.post(reverse("asset-sales"), {**RANGE, "filters": as_body(query)}, format="json").json()
    export = api.get(reverse("asset-sales-export"), {**RANGE, **query, "format": "csv"})
    exported = {row[0] for row in list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))[1:]}
    top = api.get(reverse("analytics-top-performers"), {**RANGE, **query}).json()["devices"]
    locations = api.get(reverse("analytics-locations"), {**RANGE, **query}).json()["locations"]
    dashboard = client.get(reverse("analytics:dashboard"), {**RANGE, **query}).context["table_page"]

    assert fleet_api == expected
    assert report_get == expected
    assert {row["asset"] for row in report_post["devices"]} == expected
    assert exported == expected
    assert {row["asset"] for row in top} == expected
    assert sum(row["devices"] for row in locations) == len(expected)
    assert {row["asset"] for row in dashboard} == expected
    assert {device.asset for device in asset_sales_devices(Device.objects.all(), query)} == expected


def test_an_unknown_id_is_the_same_error_on_every_endpoint_and_page(fleet, client, client_for, manager):
    api = client_for(manager)
    client.force_login(manager)
    message = ["Unknown id(s): 999999."]

    assert api.get(reverse("devices-list"), {"location": 999999}).json() == {"location": message}
    for name in ("asset-sales", "asset-sales-export", "analytics-locations", "analytics-top-performers"):
        query = {**RANGE, "location": 999999, **({"format": "csv"} if name.endswith("export") else {})}
        response = api.get(reverse(name), query)
        assert (response.status_code, response.json()) == (400, {"filters": {"location": message}}), name
    posted = api.post(reverse("asset-sales"), {"filters": {"location": [999999]}}, format="json")
    assert posted.json() == {"filters": {"location": message}}
    page = client.get(reverse("analytics:dashboard"), {"location": 999999})
    assert page.context["filterset"].errors == {"location": message}


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"route": "12"}, "route"),
        ({"venue_type": "office"}, "venue_type"),
        ({"location": [[1]]}, "location"),
        ({"asset": ["A"]}, "asset"),
        ({"has_planogram": None}, "has_planogram"),
    ],
)
def test_a_json_body_gives_list_filters_as_lists_and_the_others_as_values(fleet, client_for, manager, filters, field):
    response = client_for(manager).post(reverse("asset-sales"), {"filters": filters}, format="json")

    assert response.status_code == 400
    assert list(response.json()["filters"]) == [field]
