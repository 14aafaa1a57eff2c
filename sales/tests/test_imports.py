"""Importing and exporting sales through the admin (preview, then confirm)."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from devices.tests.factories import DeviceFactory
from devices.tests.test_imports import (
    CSV_FORMAT,
    XLSX_FORMAT,
    confirm_import,
    csv_file,
    export,
    exported_rows,
    import_rows,
    preview_import,
    row_errors,
)
from planograms.tests.factories import PlanogramSlotFactory, ProductFactory
from sales.models import Sale
from sales.tests.factories import SaleFactory

SALE_HEADER = ["device", "product", "slot", "units", "cash_amount", "sold_at"]


@pytest.fixture
def shop(db):
    """Device A100 with slot B4, a second device A200 with its own slot B4, and product COKE."""
    slot = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A100"), position="B4")
    PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A200"), position="B4")
    ProductFactory(sku="COKE")
    return slot


def local(*args):
    return datetime.datetime(*args, tzinfo=timezone.get_current_timezone())


def sales():
    return list(
        Sale.objects.order_by("sold_at").values_list(
            "device__asset", "product__sku", "slot", "units", "cash_amount", "sold_at"
        )
    )


def test_good_sales_csv_creates_sales_in_the_operators_time_zone(admin_client, shop):
    rows = [
        SALE_HEADER,
        ["A100", "COKE", "B4", "2", "3.50", "2025-03-01 14:30:00"],
        ["A100", "COKE", "", "1", "1.75", "2025-03-01 15:00"],
    ]

    response = import_rows(admin_client, Sale, rows)

    assert response.status_code == 302
    assert sales() == [
        ("A100", "COKE", shop.pk, 2, Decimal("3.50"), local(2025, 3, 1, 14, 30)),
        ("A100", "COKE", None, 1, Decimal("1.75"), local(2025, 3, 1, 15, 0)),
    ]


def test_good_sales_xlsx_creates_sales(admin_client, shop):
    rows = [SALE_HEADER, ["A100", "COKE", "B4", 1, 1.75, datetime.datetime(2025, 3, 1, 14, 30)]]

    import_rows(admin_client, Sale, rows, XLSX_FORMAT)

    assert sales() == [("A100", "COKE", shop.pk, 1, Decimal("1.75"), local(2025, 3, 1, 14, 30))]


def test_reimporting_a_sales_file_with_transaction_ids_does_not_count_sales_twice(admin_client, shop):
    rows = [[*SALE_HEADER, "transaction_id"], ["A100", "COKE", "B4", "2", "3.50", "2025-03-01 14:30:00", "T1"]]

    import_rows(admin_client, Sale, rows)
    import_rows(admin_client, Sale, rows)

    assert Sale.objects.count() == 1


def test_the_admin_import_skips_duplicates_by_device_and_transaction_id_as_the_api_does(
    admin_client, client_for, manager, shop
):
    posted = {"device": "A100", "product": "COKE", "cash_amount": "1.75", "sold_at": "2025-03-01T15:00:00"}
    api = client_for(manager).post("/api/sales/", {"rows": [posted, {**posted, "transaction_id": "T1"}]}, format="json")
    assert api.status_code == 201, api.data
    rows = [
        [*SALE_HEADER, "transaction_id"],
        ["A100", "COKE", "", "9", "9.00", "2025-03-02 10:00", "T1"],  # A100 recorded T1: a duplicate
        ["A200", "COKE", "", "1", "1.75", "2025-03-01 15:00", "T1"],  # another device's T1: new
        ["A100", "COKE", "", "1", "1.75", "2025-03-01 15:00", ""],  # no id: never a duplicate
        ["A100", "COKE", "", "2", "3.50", "2025-03-02 11:00", "T2"],
        ["A100", "COKE", "", "2", "3.50", "2025-03-02 11:00", "T2"],  # repeats the row before it
    ]

    preview = preview_import(admin_client, Sale, csv_file(rows))
    confirm_import(admin_client, Sale, preview)

    skipped = [number for number, row in enumerate(preview.context["result"].rows, 1) if row.is_skip()]
    assert skipped == [1, 5]
    assert Counter(Sale.objects.values_list("device__asset", "transaction_id", "units")) == Counter(
        [("A100", None, 1), ("A100", "T1", 1), ("A200", "T1", 1), ("A100", None, 1), ("A100", "T2", 2)]
    )


def test_reimported_rows_without_a_transaction_id_are_recorded_again_as_in_the_api(admin_client, shop):
    rows = [SALE_HEADER, ["A100", "COKE", "B4", "2", "3.50", "2025-03-01 14:30:00"]]

    import_rows(admin_client, Sale, rows)
    import_rows(admin_client, Sale, rows)

    assert Sale.objects.count() == 2


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        (["A100", "COKE", "B4", "1", "1.75", "01/03/2025 2pm"], "sold_at", "“01/03/2025 2pm” is not a date and time"),
        (["A999", "COKE", "", "1", "1.75", "2025-03-01 15:00"], "device", "Unknown asset “A999”."),
        (["A100", "FANTA", "", "1", "1.75", "2025-03-01 15:00"], "product", "Unknown SKU “FANTA”."),
        (["A100", "COKE", "Z9", "1", "1.75", "2025-03-01 15:00"], "slot", "Device A100 has no slot Z9."),
        (
            ["A100", "COKE", "", "0", "1.75", "2025-03-01 15:00"],
            "units",
            "Ensure this value is greater than or equal to 1.",
        ),
        (["A100", "COKE", "", "1", "-1", "2025-03-01 15:00"], "cash_amount", "Ensure this value is greater than"),
        (["A100", "COKE", "", "1", "1.75", "9999-12-31 23:59:59"], "sold_at", "Must not be more than"),
        (["A100", "COKE", "", "1", "1.75", "0001-01-01 00:00"], "sold_at", "Must not be before"),
    ],
)
def test_sales_file_with_one_bad_row_imports_nothing_and_names_row_and_problem(
    admin_client, shop, bad_row, field, message
):
    rows = [SALE_HEADER, ["A100", "COKE", "B4", "1", "1.75", "2025-03-01 14:00"], bad_row]

    preview = preview_import(admin_client, Sale, csv_file(rows))

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    errors = row_errors(preview)
    assert list(errors) == [2]
    assert any(text.startswith(message) for text in errors[2][field])
    assert message in preview.content.decode()
    assert not Sale.objects.exists()


def test_a_slot_is_found_among_the_slots_of_the_rows_device(admin_client, shop):
    import_rows(admin_client, Sale, [SALE_HEADER, ["A200", "COKE", "B4", "1", "1.75", "2025-03-01 15:00"]])

    sale = Sale.objects.get()
    assert sale.slot.planogram.cabinet.device.asset == "A200"


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_sales_export_has_the_import_columns(admin_client, shop, file_format):
    SaleFactory(device=shop.planogram.cabinet.device, product=shop.product, slot=shop, sold_at=local(2025, 3, 1, 9))

    rows = exported_rows(export(admin_client, Sale, file_format), file_format)

    assert rows[0] == [*SALE_HEADER, "transaction_id"]  # optional on import
    device, product, slot, units, cash_amount, sold_at, _transaction_id = rows[1]
    assert [device, product, slot, str(units)] == ["A100", shop.product.sku, "B4", "1"]
    assert Decimal(str(cash_amount)) == Decimal("1.50")
    assert str(sold_at) == "2025-03-01 09:00:00"
