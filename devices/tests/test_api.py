import pytest

from cvd_portal.tests.api import detail_url, ids, list_url
from devices.choices import VenueType
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from devices.services import device_soft_delete
from devices.tests.factories import (
    CabinetFactory,
    CabinetTypeFactory,
    DeviceFactory,
    DeviceTypeFactory,
    LocationFactory,
    RouteFactory,
)

pytestmark = pytest.mark.django_db


# Locations


def test_location_list_filters_by_venue_type(client_for, viewer):
    school = LocationFactory(venue_type=VenueType.SCHOOL)
    LocationFactory(venue_type=VenueType.OFFICE)

    response = client_for(viewer).get(list_url("locations"), {"venue_type": "school"})

    assert response.status_code == 200
    assert ids(response) == [school.pk]


def test_location_crud(client_for, manager):
    client = client_for(manager)
    body = {"name": "Union Station", "venue_type": "transit", "latitude": "41.878611", "longitude": "-87.640556"}

    created = client.post(list_url("locations"), body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.get(detail_url("locations", pk)).json()["latitude"] == "41.878611"

    updated = client.patch(detail_url("locations", pk), {"address": "225 S Canal St"}, format="json")
    assert updated.status_code == 200
    assert Location.objects.get(pk=pk).address == "225 S Canal St"

    assert client.delete(detail_url("locations", pk)).status_code == 204
    assert not Location.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "North", "latitude": "91"}, "latitude"),
        ({"name": "North", "longitude": "-180.5"}, "longitude"),
        ({"name": "North", "latitude": "north"}, "latitude"),
        ({"name": "North", "venue_type": "castle"}, "venue_type"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
    ],
)
def test_location_bad_body_is_400_naming_the_field(client_for, manager, body, field):
    response = client_for(manager).post(list_url("locations"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_deleting_a_location_in_use_is_409(client_for, manager):
    device = DeviceFactory()

    response = client_for(manager).delete(detail_url("locations", device.location_id))

    assert response.status_code == 409
    assert "devices" in response.json()["detail"]
    assert Location.objects.filter(pk=device.location_id).exists()


def test_driver_sees_only_the_locations_of_own_devices(client_for, driver):
    own = LocationFactory(name="Depot")
    DeviceFactory.create_batch(2, location=own, route=RouteFactory(driver=driver))  # listed once
    retired = DeviceFactory(route=RouteFactory(driver=driver))
    device_soft_delete(device=retired, user=driver)
    others = [DeviceFactory().location, LocationFactory(), retired.location]
    client = client_for(driver)

    assert ids(client.get(list_url("locations"))) == [own.pk]
    assert client.get(detail_url("locations", own.pk)).status_code == 200
    assert all(client.get(detail_url("locations", other.pk)).status_code == 404 for other in others)


def test_staff_see_every_location(client_for, viewer):
    locations = [DeviceFactory(route=RouteFactory()).location, LocationFactory()]

    assert sorted(ids(client_for(viewer).get(list_url("locations")))) == sorted(loc.pk for loc in locations)


def test_viewer_cannot_write(client_for, viewer):
    location = LocationFactory()
    client = client_for(viewer)

    assert client.post(list_url("locations"), {"name": "New"}, format="json").status_code == 403
    assert client.patch(detail_url("locations", location.pk), {"name": "X"}, format="json").status_code == 403
    assert client.delete(detail_url("locations", location.pk)).status_code == 403


# Routes


def test_route_list_filters_by_driver(client_for, manager, driver):
    own = RouteFactory(driver=driver)
    RouteFactory()

    response = client_for(manager).get(list_url("routes"), {"driver": driver.pk})

    assert ids(response) == [own.pk]
    assert response.json()["results"][0]["driver_username"] == "driver"


def test_driver_sees_only_own_routes(client_for, driver):
    own = RouteFactory(driver=driver)
    other = RouteFactory()
    client = client_for(driver)

    assert ids(client.get(list_url("routes"))) == [own.pk]
    assert client.get(detail_url("routes", other.pk)).status_code == 404


def test_route_crud(client_for, manager, driver):
    client = client_for(manager)

    created = client.post(list_url("routes"), {"name": "Loop", "number": "101", "driver": driver.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.put(detail_url("routes", pk), {"name": "Loop", "number": "102"}, format="json").status_code == 200
    assert Route.objects.get(pk=pk).number == "102"

    device = DeviceFactory(route_id=pk)
    assert client.delete(detail_url("routes", pk)).status_code == 204
    device.refresh_from_db()
    assert device.route is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Loop", "number": "100"}, "number"),
        ({"name": "Loop", "number": "555", "driver": 987654}, "driver"),
        ({"name": "Loop", "number": "555", "driver": "me"}, "driver"),
        ({"name": "Loop", "number": "x" * 21}, "number"),
    ],
)
def test_route_bad_body_is_400(client_for, manager, body, field):
    RouteFactory(number="100")

    response = client_for(manager).post(list_url("routes"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_route_service_days_and_depot_are_written_and_read(client_for, manager):
    client = client_for(manager)
    body = {"name": "Loop", "number": "101", "service_days": [4, 0, 2]}
    body |= {"depot_latitude": "41.774500", "depot_longitude": "-87.812300"}

    created = client.post(list_url("routes"), body, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["service_days"] == [0, 2, 4]
    assert (created.json()["depot_latitude"], created.json()["depot_longitude"]) == ("41.774500", "-87.812300")
    pk = created.json()["id"]
    updated = client.patch(detail_url("routes", pk), {"service_days": []}, format="json")
    assert updated.status_code == 200, updated.json()
    assert Route.objects.get(pk=pk).service_days == []


def test_a_new_route_is_driven_monday_to_friday_without_a_depot(client_for, manager):
    created = client_for(manager).post(list_url("routes"), {"name": "Loop", "number": "101"}, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["service_days"] == [0, 1, 2, 3, 4]
    assert created.json()["depot_latitude"] is None and created.json()["depot_longitude"] is None


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"service_days": [0, 7]}, {"service_days": {"1": ["Ensure this value is less than or equal to 6."]}}),
        ({"service_days": [-1]}, {"service_days": {"0": ["Ensure this value is greater than or equal to 0."]}}),
        ({"service_days": [1, 3, 1]}, {"service_days": ["Give each weekday once (given more than once: Tuesday)."]}),
        ({"service_days": ["Monday"]}, {"service_days": {"0": ["A valid integer is required."]}}),
        ({"service_days": [1.5]}, {"service_days": {"0": ["A valid integer is required."]}}),
        ({"service_days": 1}, {"service_days": ['Expected a list of items but got type "int".']}),
        ({"service_days": None}, {"service_days": ["This field may not be null."]}),
        (
            {"depot_latitude": "91", "depot_longitude": "0"},
            {"depot_latitude": ["Ensure this value is less than or equal to 90."]},
        ),
        (
            {"depot_latitude": "41.8"},
            {"non_field_errors": ["Give the depot's latitude and longitude, or neither."]},
        ),
    ],
)
def test_route_bad_service_days_or_depot_is_400_with_the_message(client_for, manager, changes, errors):
    body = {"name": "Loop", "number": "101", **changes}

    response = client_for(manager).post(list_url("routes"), body, format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not Route.objects.exists()


# Device types and cabinet types


def test_device_type_crud_and_filter(client_for, manager):
    client = client_for(manager)
    created = client.post(list_url("device-types"), {"name": "Glass front"}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["allows_additional_cabinets"] is False
    DeviceTypeFactory(name="Coffee")

    assert ids(client.get(list_url("device-types"), {"name": "glass"})) == [pk]
    assert client.get(detail_url("device-types", pk)).json()["name"] == "Glass front"
    assert client.patch(detail_url("device-types", pk), {"allows_additional_cabinets": True}).status_code == 200
    assert DeviceType.objects.get(pk=pk).allows_additional_cabinets
    assert client.delete(detail_url("device-types", pk)).status_code == 204


def test_device_type_bad_bodies(client_for, manager):
    DeviceTypeFactory(name="Coffee")
    client = client_for(manager)

    assert "name" in client.post(list_url("device-types"), {"name": "Coffee"}, format="json").json()
    response = client.post(
        list_url("device-types"), {"name": "Tea", "allows_additional_cabinets": "often"}, format="json"
    )
    assert response.status_code == 400
    assert "allows_additional_cabinets" in response.json()


def test_deleting_a_device_type_in_use_is_409(client_for, manager):
    device = DeviceFactory()

    response = client_for(manager).delete(detail_url("device-types", device.device_type_id))

    assert response.status_code == 409
    assert DeviceType.objects.filter(pk=device.device_type_id).exists()


def test_cabinet_type_crud_and_filter(client_for, manager):
    client = client_for(manager)
    created = client.post(list_url("cabinet-types"), {"name": "Drink 5x9", "rows": 5, "columns": 9}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    CabinetTypeFactory(name="Snack 6x8")

    assert ids(client.get(list_url("cabinet-types"), {"rows": 5})) == [pk]
    assert client.get(detail_url("cabinet-types", pk)).json()["columns"] == 9
    assert (
        client.put(
            detail_url("cabinet-types", pk), {"name": "Drink", "rows": 5, "columns": 10}, format="json"
        ).status_code
        == 200
    )
    assert CabinetType.objects.get(pk=pk).columns == 10
    assert client.delete(detail_url("cabinet-types", pk)).status_code == 204


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Tall", "rows": 27, "columns": 8}, "rows"),
        ({"name": "Empty", "rows": 6, "columns": 0}, "columns"),
        ({"name": "Odd", "rows": "six", "columns": 8}, "rows"),
        ({"name": "Snack 6x8", "rows": 6, "columns": 8}, "name"),
    ],
)
def test_cabinet_type_bad_body_is_400(client_for, manager, body, field):
    CabinetTypeFactory(name="Snack 6x8")

    response = client_for(manager).post(list_url("cabinet-types"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_deleting_a_cabinet_type_in_use_is_409(client_for, manager):
    cabinet = CabinetFactory()

    response = client_for(manager).delete(detail_url("cabinet-types", cabinet.cabinet_type_id))

    assert response.status_code == 409


# Devices


def test_device_list_reads_names_of_related_rows(client_for, viewer):
    device = DeviceFactory(location__name="Lobby", route__number="207")

    row = client_for(viewer).get(list_url("devices")).json()["results"][0]

    assert row["id"] == device.pk
    assert row["location_name"] == "Lobby"
    assert row["route_number"] == "207"
    assert row["device_type_name"] == device.device_type.name


def test_device_filters_by_route_location_and_device_type(client_for, viewer):
    device = DeviceFactory(device_type=DeviceTypeFactory(name="Coffee"))
    DeviceFactory()
    client = client_for(viewer)

    for params in (
        {"route": device.route_id},
        {"location": device.location_id},
        {"device_type": device.device_type_id},
    ):
        assert ids(client.get(list_url("devices"), params)) == [device.pk], params


def test_device_filter_with_unknown_id_is_400(client_for, viewer):
    response = client_for(viewer).get(list_url("devices"), {"route": 999999})

    assert response.status_code == 400
    assert "route" in response.json()


def test_device_create_update_retrieve(client_for, manager):
    device_type = DeviceTypeFactory()
    location = LocationFactory()
    client = client_for(manager)

    created = client.post(
        list_url("devices"), {"asset": "A900", "device_type": device_type.pk, "location": location.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["route"] is None

    route = RouteFactory()
    assert client.patch(detail_url("devices", pk), {"route": route.pk}, format="json").status_code == 200
    assert client.get(detail_url("devices", pk)).json()["route_number"] == route.number


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"asset": "A1"}, "asset"),
        ({"asset": "A2", "device_type": None}, "device_type"),
        ({"asset": "A2", "device_type": 987654}, "device_type"),
        ({"asset": "A2", "device_type": "snack"}, "device_type"),
        ({"asset": "A2", "device_type": [1]}, "device_type"),
        ({"asset": ["A2"], "device_type": 1}, "asset"),
        ({"asset": "A2", "location": {"id": 1}}, "location"),
    ],
)
def test_device_bad_body_is_400(client_for, manager, body, field):
    DeviceFactory(asset="A1")

    response = client_for(manager).post(list_url("devices"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_asset_of_a_retired_device_is_taken(client_for, manager):
    retired = DeviceFactory(asset="A1")
    device_soft_delete(device=retired)

    response = client_for(manager).post(
        list_url("devices"), {"asset": "A1", "device_type": retired.device_type_id}, format="json"
    )

    assert response.status_code == 400
    assert "retired" in response.json()["asset"][0]


def test_device_delete_is_a_soft_delete(client_for, manager):
    device = DeviceFactory()
    client = client_for(manager)

    assert client.delete(detail_url("devices", device.pk)).status_code == 204

    retired = Device.all_objects.get(pk=device.pk)
    assert retired.deleted_at is not None
    assert retired.deleted_by == manager
    assert client.get(detail_url("devices", device.pk)).status_code == 404
    assert ids(client.get(list_url("devices"))) == []


def test_driver_sees_only_devices_on_own_routes(client_for, driver):
    own = DeviceFactory(route=RouteFactory(driver=driver))
    other = DeviceFactory()
    client = client_for(driver)

    assert ids(client.get(list_url("devices"))) == [own.pk]
    assert client.get(detail_url("devices", own.pk)).status_code == 200
    assert client.get(detail_url("devices", other.pk)).status_code == 404


def test_driver_cannot_write_devices(client_for, driver):
    own = DeviceFactory(route=RouteFactory(driver=driver))
    client = client_for(driver)

    assert client.patch(detail_url("devices", own.pk), {"cooler": "x"}, format="json").status_code == 403
    assert client.delete(detail_url("devices", own.pk)).status_code == 403
    assert Device.objects.filter(pk=own.pk).exists()


# Cabinets


def test_cabinet_crud_and_filter(client_for, manager):
    device = DeviceFactory()
    cabinet_type = CabinetTypeFactory()
    CabinetFactory()
    client = client_for(manager)

    body = {"device": device.pk, "cabinet_type": cabinet_type.pk, "index": 1, "rows": 6, "columns": 8}
    created = client.post(list_url("cabinets"), body, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["device_asset"] == device.asset
    assert created.json()["planogram"] is None

    assert ids(client.get(list_url("cabinets"), {"device": device.pk})) == [pk]
    assert client.patch(detail_url("cabinets", pk), {"rows": 5}, format="json").status_code == 200
    assert Cabinet.objects.get(pk=pk).rows == 5
    assert client.delete(detail_url("cabinets", pk)).status_code == 204


def test_second_cabinet_needs_a_device_type_allowing_it(client_for, manager):
    device = DeviceFactory(device_type=DeviceTypeFactory(name="Single", allows_additional_cabinets=False))
    first = CabinetFactory(device=device)
    body = {"device": device.pk, "cabinet_type": first.cabinet_type_id, "index": 2}

    response = client_for(manager).post(list_url("cabinets"), {**body, "rows": 6, "columns": 8}, format="json")

    assert response.status_code == 400
    assert "does not allow additional cabinets" in response.json()["index"][0]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"index": 4}, "index"),
        ({"index": 0}, "index"),
        ({"rows": 0}, "rows"),
        ({"rows": 27}, "rows"),
        ({"index": 1}, "non_field_errors"),  # the device's first cabinet exists already
        ({"device": 987654}, "device"),
    ],
)
def test_cabinet_bad_body_is_400(client_for, manager, changes, field):
    first = CabinetFactory()
    body = {"device": first.device_id, "cabinet_type": first.cabinet_type_id, "index": 2}

    response = client_for(manager).post(
        list_url("cabinets"), {**body, "rows": 6, "columns": 8, **changes}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()


def test_cabinets_of_a_retired_device_leave_the_api(client_for, manager):
    cabinet = CabinetFactory()
    device_soft_delete(device=cabinet.device)
    client = client_for(manager)
    body = {"device": cabinet.device_id, "cabinet_type": cabinet.cabinet_type_id, "index": 2, "rows": 6, "columns": 8}

    assert ids(client.get(list_url("cabinets"))) == []
    assert client.get(detail_url("cabinets", cabinet.pk)).status_code == 404
    assert "device" in client.post(list_url("cabinets"), body, format="json").json()


def test_driver_sees_only_cabinets_of_own_devices(client_for, driver):
    own = CabinetFactory(device__route=RouteFactory(driver=driver))
    other = CabinetFactory()
    client = client_for(driver)

    assert ids(client.get(list_url("cabinets"))) == [own.pk]
    assert client.get(detail_url("cabinets", other.pk)).status_code == 404
