"""Importing DEX audits: the service, the API and the admin, on audits the tests write themselves."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from devices.tests.factories import DeviceFactory
from sales.choices import DexImportStatus
from sales.dex.services import dex_import
from sales.models import DexImport, DexReading, Sale

from .dex_fleet import (
    BASE,
    FIRST_READ,
    SECOND,
    SECOND_READ,
    THIRD_READ,
    audit,
    dex_device,
    imported,
    local,
    slot,
)
from .dex_writer import WrittenSelection, dex_file, dex_segments

pytestmark = pytest.mark.django_db

DEX_API = reverse("dex-import")


@pytest.fixture
def device():
    return dex_device()


def test_first_read_is_the_base_and_records_nothing(device):
    record = imported(audit(FIRST_READ, *BASE))

    assert (record.status, record.device, record.read_at) == (DexImportStatus.PARSED, device, local(FIRST_READ))
    assert not Sale.objects.exists()
    reading = DexReading.objects.get()
    assert (reading.device, reading.chain, reading.needs_review) == (device, 1, False)
    assert reading.counters["10"] == {
        "units_since_init": 100,
        "value_since_init": 15000,
        "units_since_reset": None,
        "value_since_reset": None,
    }


def test_next_read_records_each_selections_sales_at_its_slot(device, manager):
    imported(audit(FIRST_READ, *BASE))

    record = imported(audit(SECOND_READ, *SECOND), user=manager)

    assert (record.status, record.sales_recorded) == (DexImportStatus.RECORDED, 3)
    sales = {
        (sale.slot.planogram.cabinet.index, sale.slot.position): (sale.units, sale.cash_amount, sale.product_id)
        for sale in Sale.objects.select_related("slot__planogram__cabinet")
    }
    # Selections 10, 11, 12, 13 are parent A1, A2, B1, then the second cabinet's A1.
    assert sales == {
        (1, "A1"): (3, Decimal("4.50"), slot(device, 1, "A1").product_id),
        (1, "B1"): (5, Decimal("7.50"), slot(device, 1, "B1").product_id),
        (2, "A1"): (1, Decimal("1.50"), slot(device, 2, "A1").product_id),
    }
    assert set(Sale.objects.values_list("sold_at", flat=True)) == {local(SECOND_READ)}
    assert [slot(device, 1, p).quantity for p in ("A1", "A2", "B1")] == [12, 15, 10]
    assert slot(device, 2, "A1").quantity == 14
    assert record.parse_record["counts"] == {"selections": 4, "selections_sold": 3, "units": 9, "value": "13.50"}


def test_reimporting_a_file_records_nothing_new(device):
    imported(audit(FIRST_READ, *BASE))
    second = audit(SECOND_READ, *SECOND)
    first_time, imported_now = dex_import(file_name="second.dex", data=second)
    sales = list(Sale.objects.values_list("pk", "units", "cash_amount"))

    again, imported_again = dex_import(file_name="second-copy.dex", data=second)

    assert (imported_now, imported_again) == (True, False)
    assert again == first_time
    assert list(Sale.objects.values_list("pk", "units", "cash_amount")) == sales
    assert DexReading.objects.count() == 2
    assert slot(device, 1, "A1").quantity == 12


def test_the_same_read_in_another_encoding_records_nothing_new(device):
    imported(audit(FIRST_READ, *BASE))
    imported(audit(SECOND_READ, *SECOND))

    record = imported(audit(SECOND_READ, *SECOND, line_end="\n"))

    assert record.status == DexImportStatus.REJECTED
    assert "not after the last imported read" in record.parse_record["errors"][0]["message"]
    assert Sale.objects.count() == 3


def test_reads_through_rollover_reinitialisation_and_a_new_chain(device):
    imported(audit(FIRST_READ, (99_998, 99_999_400)))
    rolled = imported(audit(SECOND_READ, (4, 300)))  # 6 units, 900 across the rollover of both counters
    reinitialised = imported(audit(THIRD_READ, (2, 300)))
    after = imported(audit(THIRD_READ + dt.timedelta(days=7), (7, 1050)))

    assert [r.status for r in (rolled, reinitialised, after)] == [
        DexImportStatus.RECORDED,
        DexImportStatus.NEEDS_REVIEW,
        DexImportStatus.RECORDED,
    ]
    assert list(Sale.objects.order_by("sold_at").values_list("units", "cash_amount")) == [
        (6, Decimal("9.00")),
        (5, Decimal("7.50")),
    ]
    readings = DexReading.objects.order_by("read_at")
    assert [(r.chain, r.needs_review) for r in readings] == [(1, False), (1, False), (2, True), (2, False)]


def test_malformed_file_is_rejected_with_its_line_and_records_nothing(device):
    imported(audit(FIRST_READ, *BASE))
    lines = audit(SECOND_READ, *SECOND).decode().split("\r\n")
    lines[9] = "PA2*4O*6000"

    record = imported("\r\n".join(lines).encode())

    assert record.status == DexImportStatus.REJECTED
    assert record.parse_record["errors"] == [{"line": 10, "message": "PA201 is '4O', not a whole number"}]
    assert bytes(record.raw_file) == "\r\n".join(lines).encode()
    assert (Sale.objects.count(), DexReading.objects.count()) == (0, 1)


def test_unknown_machine_is_rejected(device):
    record = imported(audit(FIRST_READ, *BASE, serial="SN-9999", asset="A-9999"))

    assert record.status == DexImportStatus.REJECTED
    assert record.parse_record["errors"][0]["message"] == (
        "No device has serial number 'SN-9999' or asset number 'A-9999' (ID101, ID106)."
    )
    assert not DexReading.objects.exists()


def test_a_rejected_file_is_read_again_once_its_machine_exists():
    data = audit(FIRST_READ, *BASE)
    assert imported(data).status == DexImportStatus.REJECTED
    DeviceFactory(serial_number="SN-1001")

    record, imported_now = dex_import(file_name="audit.dex", data=data)

    assert (record.status, imported_now, DexImport.objects.count()) == (DexImportStatus.PARSED, True, 1)


def test_machine_is_matched_by_asset_when_the_serial_is_not_set(device):
    record = imported(audit(FIRST_READ, *BASE, serial="000000", asset="A-500"))

    assert record.device == device


def test_an_older_read_than_the_last_one_is_rejected(device):
    imported(audit(SECOND_READ, *BASE))

    record = imported(audit(FIRST_READ, *SECOND))

    assert record.status == DexImportStatus.REJECTED
    assert not Sale.objects.exists()


def test_a_selection_without_a_slot_is_left_out_with_a_warning(device):
    imported(audit(FIRST_READ, *BASE, (10, 1500)))

    record = imported(audit(SECOND_READ, *SECOND, (12, 1800)))

    assert record.sales_recorded == 3
    assert {"line": None, "message": "selection 14 sold 2 but has no slot at its position: not recorded"} in (
        record.parse_record["warnings"]
    )


def upload(data: bytes, name="audit.dex"):
    return {"file": SimpleUploadedFile(name, data, content_type="application/octet-stream")}


def test_api_imports_answers_the_record_and_200_for_a_file_imported_before(device, client_for, manager):
    client = client_for(manager)
    client.post(DEX_API, upload(audit(FIRST_READ, *BASE)), format="multipart")

    response = client.post(DEX_API, upload(audit(SECOND_READ, *SECOND)), format="multipart")
    again = client.post(DEX_API, upload(audit(SECOND_READ, *SECOND)), format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["device"], body["device_asset"], body["sales_recorded"]) == (
        "recorded",
        device.pk,
        "A-500",
        3,
    )
    assert body["warnings"] == []
    assert (again.status_code, again.json()["id"]) == (200, body["id"])
    assert Sale.objects.count() == 3


def test_api_refuses_a_malformed_file_naming_its_line(device, client_for, manager):
    lines = audit(FIRST_READ, *BASE).decode().split("\r\n")
    lines[6] = "PA1**150"

    response = client_for(manager).post(DEX_API, upload("\r\n".join(lines).encode()), format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["line 7: PA101 (the selection) is empty"]}
    assert not DexReading.objects.exists()


def test_api_requires_a_file_and_the_import_permission(device, client_for, manager, viewer, driver):
    assert client_for(manager).post(DEX_API, {}, format="multipart").status_code == 400
    for user in (viewer, driver):
        assert client_for(user).post(DEX_API, upload(audit(FIRST_READ, *BASE)), format="multipart").status_code == 403
    assert not DexImport.objects.exists()


def test_admin_upload_imports_and_shows_the_record(device, admin_client):
    add_url = reverse("admin:sales_deximport_add")
    assert admin_client.get(add_url).status_code == 200

    response = admin_client.post(add_url, upload(audit(FIRST_READ, *BASE), name="first.dex"))

    record = DexImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:sales_deximport_change", args=[record.pk])
    page = admin_client.get(response.url)
    assert page.status_code == 200
    assert "first read of this machine" in page.content.decode()
    raw = admin_client.get(reverse("admin:sales_deximport_raw_file", args=[record.pk]))
    assert raw.content == audit(FIRST_READ, *BASE)
    assert 'filename="first.dex"' in raw["Content-Disposition"]


def test_admin_upload_of_a_malformed_file_shows_its_line(device, admin_client):
    response = admin_client.post(reverse("admin:sales_deximport_add"), upload(b"hello\r\nworld\r\n"))

    assert response.status_code == 200
    assert "line 1: no DXS segment" in response.content.decode()
    assert not Sale.objects.exists()


def test_viewer_may_read_imports_but_not_upload(device, client, viewer):
    record = imported(audit(FIRST_READ, *BASE))
    client.force_login(viewer)

    assert client.get(reverse("admin:sales_deximport_change", args=[record.pk])).status_code == 200
    assert client.get(reverse("admin:sales_deximport_add")).status_code == 403


def test_api_answers_warnings_with_their_lines(device, client_for, manager):
    data = dex_file(dex_segments(selections=[WrittenSelection("10", units_since_init=1)]), checksum="ABCD")
    g85_line = data.decode().split("\r\n").index("G85*ABCD") + 1

    response = client_for(manager).post(DEX_API, upload(data), format="multipart")

    assert response.status_code == 201
    assert response.json()["warnings"][0].startswith(f"line {g85_line}: G85 checksum 'ABCD' does not match")


def test_admin_lists_imports_and_readings(device, admin_client, django_assert_max_num_queries):
    for days in range(3):
        imported(audit(FIRST_READ + dt.timedelta(days=days), *BASE))

    with django_assert_max_num_queries(12):
        imports = admin_client.get(reverse("admin:sales_deximport_changelist"))
    readings = admin_client.get(reverse("admin:sales_dexreading_changelist"))

    assert (imports.status_code, readings.status_code) == (200, 200)
    assert imports.content.decode().count(device.asset) >= 3


# --- A machine's clock that cannot be right ------------------------------------------------------------


def with_read_time(data: bytes, date: str, time: str) -> bytes:
    """``data`` with its EA3 read time (and its checksum, made right again) replaced by ``date`` and ``time``."""
    segments = [
        line for line in data.decode("latin-1").split("\r\n")[2:] if line and not line.startswith(("G85", "SE", "DXE"))
    ]
    segments = [f"EA3*1*{date}*{time}" if line.startswith("EA3") else line for line in segments]
    return dex_file(segments)


@override_settings(EARLIEST_EVENT="2010-01-01", EVENT_CLOCK_SKEW=300)
@pytest.mark.parametrize(
    ("date", "time", "clock"),
    [
        ("991231", "2359", "2099-12-31 23:59:00"),  # read as 2099: once imported, it refused every read after it
        ("050101", "0800", "2005-01-01 08:00:00"),  # before EARLIEST_EVENT
        ("99991231", "2359", "9999-12-31 23:59:00"),  # an unset clock; the file was refused before
        ("19000101", "0000", "1900-01-01 00:00:00"),
    ],
)
def test_a_read_with_an_implausible_clock_is_dated_at_its_upload_and_says_so(
    device, client_for, manager, date, time, clock
):
    imported(audit(FIRST_READ, *BASE))
    data = with_read_time(audit(SECOND_READ, *SECOND), date, time)

    response = client_for(manager).post(DEX_API, upload(data), format="multipart")

    assert response.status_code == 201, response.json()
    record = DexImport.objects.get(pk=response.json()["id"])
    assert (record.status, record.sales_recorded) == (DexImportStatus.RECORDED, 3)
    assert record.read_at == record.uploaded_at
    assert set(Sale.objects.values_list("sold_at", flat=True)) == {record.uploaded_at}
    ea3_line = data.decode().split("\r\n").index(f"EA3*1*{date}*{time}") + 1
    [warning] = response.json()["warnings"]
    assert warning.startswith(
        f"line {ea3_line}: the machine's clock reads {clock}, which cannot be right: Must not be "
    )
    uploaded_at = timezone.localtime(record.uploaded_at)
    assert warning.endswith(f" The read is dated at its upload, {uploaded_at:%Y-%m-%d %H:%M:%S}.")
    assert record.parse_record["machine_read_at"] == dt.datetime.fromisoformat(clock).isoformat()


@override_settings(EARLIEST_EVENT="2010-01-01", EVENT_CLOCK_SKEW=300)
def test_a_read_after_one_with_an_implausible_clock_is_counted_from_it(device):
    imported(audit(FIRST_READ, *BASE))
    imported(audit(dt.datetime(2099, 1, 1, 12, 0), *SECOND))
    soon = timezone.localtime().replace(tzinfo=None) + dt.timedelta(minutes=2)

    record = imported(audit(soon, (110, 16500), (41, 6150), (12, 1800), (4, 600)))

    assert (record.status, record.read_at) == (DexImportStatus.RECORDED, local(soon.replace(second=0, microsecond=0)))
    assert record.parse_record["warnings"] == []
    assert list(Sale.objects.filter(sold_at=record.read_at).order_by("units").values_list("units", flat=True)) == [1, 7]
