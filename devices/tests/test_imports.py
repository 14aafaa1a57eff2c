"""Importing and exporting the fleet through the admin's import (preview, confirm) and export views.

The helpers here drive those views and are reused by the other apps' import tests, so they name the views
with Django's ``admin_urlname`` rather than the ``admin_url`` fixture the tests use.
"""

import csv
import io

import openpyxl
import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cvd_portal.admin import PortalImportExportAdmin
from devices.models import Device, Location, Route
from devices.tests.factories import DeviceFactory, DeviceTypeFactory, LocationFactory, RouteFactory

CSV_FORMAT, XLSX_FORMAT = "0", "1"  # their places in IMPORT_EXPORT_FORMATS


def csv_file(rows, name="import.csv"):
    """A CSV upload; ``rows`` starts with the header."""
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")


def xlsx_file(rows, name="import.xlsx"):
    """An XLSX upload built with openpyxl; ``rows`` starts with the header."""
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def preview_import(client, model, upload, file_format=CSV_FORMAT):
    """Upload a file to ``model``'s import view; the response is the preview (or the row errors)."""
    return client.post(
        reverse(admin_urlname(model._meta, "import")), {"resource": "0", "format": file_format, "import_file": upload}
    )


def confirm_import(client, model, preview):
    """Confirm a previewed import, as the "Confirm import" button does."""
    form = preview.context["confirm_form"]
    data = {name: form.initial[name] for name in ("import_file_name", "original_file_name", "format", "resource")}
    return client.post(reverse(admin_urlname(model._meta, "process_import")), data)


def import_rows(client, model, rows, file_format=CSV_FORMAT):
    """Preview and confirm; fails the test if the preview refuses the file."""
    upload = csv_file(rows) if file_format == CSV_FORMAT else xlsx_file(rows)
    preview = preview_import(client, model, upload, file_format)
    assert preview.status_code == 200
    assert "confirm_form" in preview.context, row_errors(preview)
    return confirm_import(client, model, preview)


def row_errors(preview):
    """{row number: {field: [messages]}} of the rows the preview refused."""
    result = preview.context["result"]
    return {row.number: row.error_dict for row in result.invalid_rows}


def export(client, model, file_format=CSV_FORMAT, query=""):
    """The exported file of ``model``'s changelist (every field), as the export view's form posts it."""
    url = reverse(admin_urlname(model._meta, "export")) + query
    form = client.get(url).context["form"]
    resource = form.resources[0]
    data = {"resource": "0", "format": file_format}
    data.update({form.create_boolean_field_name(resource, name): "on" for name in resource().get_export_order()})
    return client.post(url, data)


def exported_rows(response, file_format=CSV_FORMAT):
    if file_format == CSV_FORMAT:
        return list(csv.reader(io.StringIO(response.content.decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


DEVICE_HEADER = ["asset", "cooler", "model", "serial_number", "device_type", "location", "route"]


@pytest.fixture
def placement(db):
    return {
        "device_type": DeviceTypeFactory(name="Snack tower"),
        "location": LocationFactory(name="Union Station"),
        "route": RouteFactory(number="101"),
    }


def test_good_device_csv_creates_the_devices_by_their_natural_keys(admin_client, placement):
    rows = [
        DEVICE_HEADER,
        ["A500", "Glass", "Vendo 721", "SN1", "Snack tower", "Union Station", "101"],
        ["A501", "", "", "", "Snack tower", "", ""],
    ]

    response = import_rows(admin_client, Device, rows)

    assert response.status_code == 302
    first, second = Device.objects.order_by("asset")
    assert (first.asset, first.device_type, first.location, first.route) == (
        "A500",
        placement["device_type"],
        placement["location"],
        placement["route"],
    )
    assert (second.asset, second.location, second.route) == ("A501", None, None)


def test_good_device_xlsx_creates_the_devices(admin_client, placement):
    rows = [DEVICE_HEADER, [10001, "Glass", "Vendo 721", "SN1", "Snack tower", "Union Station", 101]]

    import_rows(admin_client, Device, rows, XLSX_FORMAT)

    device = Device.objects.get()
    assert (device.asset, device.route.number) == ("10001", "101")


def test_reimporting_a_device_updates_it_instead_of_adding_another(admin_client, placement):
    DeviceFactory(asset="A500", model="Old model", device_type=placement["device_type"])

    import_rows(admin_client, Device, [DEVICE_HEADER, ["A500", "", "New model", "", "Snack tower", "", ""]])

    assert list(Device.objects.values_list("asset", "model")) == [("A500", "New model")]


def test_device_file_with_an_unknown_route_imports_nothing_and_names_the_row(admin_client, placement):
    rows = [
        DEVICE_HEADER,
        ["A500", "", "", "", "Snack tower", "Union Station", "101"],
        ["A501", "", "", "", "Snack tower", "Union Station", "999"],
    ]

    preview = preview_import(admin_client, Device, csv_file(rows))

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert row_errors(preview) == {2: {"route": ["No route with number “999”."]}}
    assert "No route with number “999”." in preview.content.decode()
    assert not Device.all_objects.exists()


def test_device_row_naming_a_soft_deleted_device_is_a_row_error(admin_client, placement):
    DeviceFactory(asset="A500", device_type=placement["device_type"], deleted_at=timezone.now())

    preview = preview_import(
        admin_client, Device, csv_file([DEVICE_HEADER, ["A500", "", "", "", "Snack tower", "", ""]])
    )

    assert "restore it" in row_errors(preview)[1]["asset"][0]


def test_a_row_that_turns_bad_after_the_preview_imports_nothing(admin_client, admin_url, placement):
    rows = [DEVICE_HEADER, ["A500", "", "", "", "Snack tower", "", ""], ["A501", "", "", "", "Snack tower", "", "101"]]
    preview = preview_import(admin_client, Device, csv_file(rows))
    placement["route"].delete()

    response = confirm_import(admin_client, Device, preview)

    assert response.status_code == 302
    assert response.url == admin_url(Device, "import")
    assert not Device.all_objects.exists()
    (message,) = (str(m) for m in get_messages(response.wsgi_request))
    assert message.startswith("Nothing was imported.")
    assert "row 2: route: No route with number “101”." in message


def test_blank_lines_at_the_end_of_a_sheet_are_skipped(admin_client, placement):
    rows = [DEVICE_HEADER, ["A500", "", "", "", "Snack tower", "", ""], [None] * 7, [None] * 7]

    import_rows(admin_client, Device, rows, XLSX_FORMAT)

    assert Device.objects.count() == 1


def test_location_and_route_import_by_name_and_number(admin_client, make_user):
    make_user("Driver", username="dana")
    LocationFactory(name="Union Station", address="Old address")

    import_rows(
        admin_client,
        Location,
        [
            ["name", "address", "venue_type", "latitude", "longitude"],
            ["Union Station", "225 S Canal St", "transit", "", ""],
        ],
    )
    import_rows(admin_client, Route, [["number", "name", "driver"], ["101", "Loop", "dana"]])

    assert list(Location.objects.values_list("name", "address")) == [("Union Station", "225 S Canal St")]
    route = Route.objects.get()
    assert (route.number, route.driver.username) == ("101", "dana")


def test_location_file_with_a_latitude_out_of_range_imports_nothing(admin_client, db):
    rows = [
        ["name", "address", "venue_type", "latitude", "longitude"],
        ["Union Station", "", "transit", "41.8", "-87.6"],
        ["Nowhere", "", "office", "91", "abc"],
    ]

    errors = row_errors(preview_import(admin_client, Location, csv_file(rows)))

    assert set(errors) == {2}
    assert "latitude" in errors[2]
    assert errors[2]["longitude"] == ["“abc” is not a number."]
    assert not Location.objects.exists()


def test_location_named_twice_in_the_database_is_a_row_error_not_a_guess(admin_client, db):
    LocationFactory(name="Lobby")
    LocationFactory(name="Lobby")

    errors = row_errors(preview_import(admin_client, Location, csv_file([["name", "address"], ["Lobby", "x"]])))

    assert "More than one location matches this row's name" in errors[1]["__all__"][0]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_device_export_has_the_spreadsheet_header_and_only_active_devices(admin_client, placement, file_format):
    DeviceFactory(asset="A1", route=placement["route"], location=placement["location"])
    DeviceFactory(asset="A2", deleted_at=timezone.now())

    rows = exported_rows(export(admin_client, Device, file_format), file_format)

    assert rows[0] == DEVICE_HEADER
    assert [row[0] for row in rows[1:]] == ["A1"]
    assert rows[1][5:] == ["Union Station", "101"]


def test_viewer_may_export_but_not_import(client, admin_url, viewer):
    client.force_login(viewer)

    changelist = client.get(admin_url(Device, "changelist")).content.decode()

    assert admin_url(Device, "export") in changelist
    assert admin_url(Device, "import") not in changelist
    assert client.get(admin_url(Device, "import")).status_code == 403
    assert client.get(admin_url(Device, "export")).status_code == 200


def test_manager_may_import(client, admin_url, manager):
    client.force_login(manager)

    assert admin_url(Device, "import") in client.get(admin_url(Device, "changelist")).content.decode()
    assert client.get(admin_url(Device, "import")).status_code == 200


SPREADSHEET_MODELS = sorted(
    (model for model, model_admin in admin.site._registry.items() if isinstance(model_admin, PortalImportExportAdmin)),
    key=lambda model: model._meta.label,
)


def test_the_spreadsheet_models_have_import_and_export():
    assert [model._meta.label for model in SPREADSHEET_MODELS] == [
        "devices.Device",
        "devices.Location",
        "devices.Route",
        "planograms.PlanogramSlot",
        "planograms.Product",
        "sales.Sale",
    ]


@pytest.mark.parametrize("model", SPREADSHEET_MODELS, ids=lambda model: model._meta.label)
def test_import_and_export_offer_csv_and_xlsx_only(admin_client, admin_url, model):
    import_page = admin_client.get(admin_url(model, "import"))
    export_page = admin_client.get(admin_url(model, "export"))

    for page in (import_page, export_page):
        assert page.status_code == 200
        assert [label for _, label in page.context["form"].fields["format"].choices] == ["---", "csv", "xlsx"]
