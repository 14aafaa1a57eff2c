"""Devices in the admin: roles see what they may, devices are soft-deleted, pages link the fleet together.

Admin tests that need rows of a higher app live in that app's tests (for example
``metrics/tests/test_fleet_admin_pages.py``, ``sales/tests/test_device_admin_sales.py``).
"""

import re

import pytest
from django.forms import CheckboxSelectMultiple
from django.urls import reverse
from django.utils import timezone

from devices.choices import VenueType
from devices.models import Cabinet, Device, Location, Route
from devices.tests.factories import CabinetFactory, DeviceFactory, DeviceTypeFactory, LocationFactory, RouteFactory

# Session, user, filters, counts and one page of rows: the same whether the page shows 3 rows or 15.
DEVICE_CHANGELIST_QUERIES = 7


@pytest.mark.parametrize("rows", [3, 15])
def test_device_changelist_queries_do_not_grow_with_rows(admin_client, admin_url, django_assert_max_num_queries, rows):
    for device in DeviceFactory.create_batch(rows):
        CabinetFactory(device=device)

    with django_assert_max_num_queries(DEVICE_CHANGELIST_QUERIES):
        response = admin_client.get(admin_url(Device, "changelist"))

    assert len(response.context["cl"].result_list) == rows


def test_manager_may_add_and_change_devices(client, admin_url, manager):
    device = DeviceFactory()
    client.force_login(manager)

    assert 'name="_save"' in client.get(admin_url(Device, "add")).content.decode()
    assert 'name="_save"' in client.get(admin_url(Device, "change", device.pk)).content.decode()


def test_viewer_reads_but_cannot_add_or_change(client, admin_url, viewer):
    device = DeviceFactory(model="Vendo 721")
    client.force_login(viewer)

    change_page = client.get(admin_url(Device, "change", device.pk))
    posted = client.post(admin_url(Device, "change", device.pk), {"asset": device.asset, "model": "Hacked"})

    assert client.get(admin_url(Device, "changelist")).status_code == 200
    assert client.get(admin_url(Device, "add")).status_code == 403
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert posted.status_code == 403
    device.refresh_from_db()
    assert device.model == "Vendo 721"


def test_driver_is_not_staff_and_is_sent_to_the_login(client, admin_url, driver):
    client.force_login(driver)

    response = client.get(admin_url(Device, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_changelist_shows_active_devices_unless_the_status_filter_asks_for_deleted(admin_client, admin_url):
    DeviceFactory(asset="A1")
    DeviceFactory(asset="A2", deleted_at=timezone.now())

    def listed(query=""):
        response = admin_client.get(admin_url(Device, "changelist") + query)
        return [device.asset for device in response.context["cl"].result_list]

    assert listed() == ["A1"]
    assert listed("?status=deleted") == ["A2"]
    assert listed("?status=any") == ["A1", "A2"]


def test_restore_action_brings_a_deleted_device_back(admin_client, admin_url, admin_user):
    device = DeviceFactory(deleted_at=timezone.now(), deleted_by=admin_user)

    admin_client.post(
        admin_url(Device, "changelist") + "?status=deleted",
        {"action": "restore_devices", "_selected_action": [device.pk]},
    )

    assert Device.objects.filter(pk=device.pk, deleted_by=None).exists()


def test_deleted_device_change_page_opens_and_shows_who_deleted_it(admin_client, admin_url, admin_user):
    device = DeviceFactory(deleted_at=timezone.now(), deleted_by=admin_user)

    response = admin_client.get(admin_url(Device, "change", device.pk))

    assert response.status_code == 200
    assert "deleted_by" not in response.context["adminform"].form.fields
    assert admin_user.username in response.content.decode()


def test_devices_cannot_be_hard_deleted_in_the_admin(admin_client, admin_url):
    device = DeviceFactory()
    actions = admin_client.get(admin_url(Device, "changelist")).context["action_form"].fields["action"].choices

    assert "delete_selected" not in dict(actions)
    assert {"soft_delete_devices", "restore_devices"} <= set(dict(actions))
    assert admin_client.post(admin_url(Device, "delete", device.pk), {"post": "yes"}).status_code == 403
    assert Device.objects.filter(pk=device.pk).exists()


def test_viewer_has_no_soft_delete_action(client, admin_url, viewer):
    DeviceFactory()
    client.force_login(viewer)

    response = client.get(admin_url(Device, "changelist"))

    assert response.status_code == 200
    # Every device action (soft-delete, restore, restock) needs a right a viewer lacks, so none is offered.
    assert response.context["action_form"] is None


def test_device_links_to_its_location_and_route(admin_client, admin_url):
    device = DeviceFactory()

    content = admin_client.get(admin_url(Device, "changelist")).content.decode()

    assert admin_url(Location, "change", device.location.pk) in content
    assert admin_url(Route, "change", device.route.pk) in content


def test_route_device_count_links_to_its_active_devices(admin_client, admin_url):
    route = RouteFactory()
    DeviceFactory.create_batch(2, route=route)
    DeviceFactory(route=route, deleted_at=timezone.now())

    response = admin_client.get(admin_url(Route, "changelist"))

    link = f'<a href="{admin_url(Device, "changelist")}?route={route.pk}">2</a>'
    assert link in response.content.decode()
    listed = admin_client.get(admin_url(Device, "changelist") + f"?route={route.pk}")
    assert len(listed.context["cl"].result_list) == 2


def test_location_device_count_links_to_its_devices(admin_client, admin_url):
    location = LocationFactory()
    DeviceFactory(location=location)

    content = admin_client.get(admin_url(Location, "changelist")).content.decode()

    assert f'{admin_url(Device, "changelist")}?location={location.pk}">1</a>' in content


def test_route_driver_is_chosen_among_the_drivers(admin_client, admin_url, driver, manager):
    response = admin_client.get(admin_url(Route, "add"))

    assert list(response.context["adminform"].form.fields["driver"].queryset) == [driver]


def test_route_changelist_names_the_service_days_for_a_manager(client, admin_url, manager):
    RouteFactory(number="101", service_days=[0, 2, 4])
    RouteFactory(number="102", service_days=[])
    client.force_login(manager)

    response = client.get(admin_url(Route, "changelist"))

    assert response.status_code == 200
    cells = [cell for cell in response.content.decode().split("<td") if "field-service_day_names" in cell]
    assert [cell.split(">", 1)[1].split("<", 1)[0] for cell in cells] == ["Mon, Wed, Fri", "-"]


def test_route_change_form_edits_service_days_as_seven_named_checkboxes(client, admin_url, manager):
    route = RouteFactory(service_days=[0, 2, 4])
    client.force_login(manager)

    response = client.get(admin_url(Route, "change", route.pk))

    field = response.context["adminform"].form.fields["service_days"]
    assert isinstance(field.widget, CheckboxSelectMultiple)
    assert [str(name) for _, name in field.choices] == [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ]
    page = response.content.decode()
    assert page.count('type="checkbox" name="service_days"') == 7
    checked = re.findall(r'name="service_days" value="(\d)" id="id_service_days_\d" checked', page)
    assert checked == ["0", "2", "4"]
    assert 'name="depot_latitude"' in page and 'name="depot_longitude"' in page


def test_route_saved_in_the_admin_keeps_its_days_in_week_order_and_its_depot(client, admin_url, manager):
    route = RouteFactory()
    client.force_login(manager)
    data = {"number": route.number, "name": route.name, "driver": "", "service_days": ["5", "1"]}
    data |= {"depot_latitude": "41.774500", "depot_longitude": "-87.812300"}

    response = client.post(admin_url(Route, "change", route.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    route.refresh_from_db()
    assert route.service_days == [1, 5]
    assert (str(route.depot_latitude), str(route.depot_longitude)) == ("41.774500", "-87.812300")


def test_route_admin_refuses_a_depot_with_one_coordinate(client, admin_url, manager):
    route = RouteFactory()
    client.force_login(manager)
    data = {"number": route.number, "name": route.name, "driver": "", "service_days": [], "depot_latitude": "41.8"}

    response = client.post(admin_url(Route, "change", route.pk), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == [
        "Give the depot's latitude and longitude, or neither."
    ]


def test_a_cabinet_of_a_soft_deleted_device_stays_editable(admin_client, admin_url):
    cabinet = CabinetFactory(device__deleted_at=timezone.now(), rows=6)
    data = {
        "device": cabinet.device.pk,
        "cabinet_type": cabinet.cabinet_type.pk,
        "index": 1,
        "rows": 5,
        "columns": cabinet.columns,
    }

    response = admin_client.post(admin_url(Cabinet, "change", cabinet.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    cabinet.refresh_from_db()
    assert cabinet.rows == 5


@pytest.mark.parametrize("parameter", ["venue_type", "route", "device_type"])
def test_the_device_admin_narrows_by_the_device_filterset(admin_client, admin_url, parameter):
    """The changelist's list filters are the DeviceFilterSet's: the same devices as the API for each value."""
    office, gym = LocationFactory(venue_type=VenueType.OFFICE), LocationFactory(venue_type=VenueType.GYM)
    north, south = RouteFactory(), RouteFactory()
    combo, coffee = DeviceTypeFactory(name="Combo"), DeviceTypeFactory(name="Coffee")
    kept = DeviceFactory(location=office, route=north, device_type=combo)
    DeviceFactory(location=gym, route=south, device_type=coffee)
    value = {"venue_type": VenueType.OFFICE, "route": north.pk, "device_type": combo.pk}[parameter]

    response = admin_client.get(admin_url(Device, "changelist"), {parameter: value})

    assert response.status_code == 200
    assert [device.pk for device in response.context["cl"].result_list] == [kept.pk]


def test_a_device_admin_filter_value_naming_nothing_is_refused(admin_client, admin_url):
    RouteFactory()  # with no route at all the admin shows no route filter

    response = admin_client.get(admin_url(Device, "changelist"), {"route": "999999"})

    # The admin's answer to a bad lookup: the unfiltered list, flagged with ?e=1.
    assert response.status_code == 302
    assert response.url.endswith("?e=1")


def test_the_device_type_filter_lists_the_device_types_of_each_request(admin_client, admin_url):
    # The filter's queryset is one object for the process: listed once with no device type, it listed
    # none ever after, and the changelist then ignored ?device_type= (both devices listed).
    assert admin_client.get(admin_url(Device, "changelist")).status_code == 200  # no device type yet
    combo = DeviceTypeFactory(name="Combo")
    kept = DeviceFactory(device_type=combo)
    DeviceFactory(device_type=DeviceTypeFactory(name="Coffee"))

    response = admin_client.get(admin_url(Device, "changelist"), {"device_type": combo.pk})

    assert [device.pk for device in response.context["cl"].result_list] == [kept.pk]
