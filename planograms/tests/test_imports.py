"""Importing and exporting products and planogram slots through the admin (preview, then confirm)."""

from decimal import Decimal

import pytest

from devices.tests.factories import CabinetFactory, DeviceFactory
from devices.tests.test_imports import (
    CSV_FORMAT,
    XLSX_FORMAT,
    csv_file,
    export,
    exported_rows,
    import_rows,
    preview_import,
    row_errors,
)
from planograms.models import PlanogramSlot, Product
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

SLOT_HEADER = ["device", "cabinet", "position", "product", "quantity", "capacity", "par_level", "price"]
PRODUCT_HEADER = ["sku", "name", "category", "price", "barcode"]


@pytest.fixture
def machine(db):
    """Device A100 with a planogram on each of its two cabinets, and two products."""
    device = DeviceFactory(asset="A100")
    planograms = {index: PlanogramFactory(cabinet=CabinetFactory(device=device, index=index)) for index in (1, 2)}
    ProductFactory(sku="COKE", price=Decimal("1.75"))
    ProductFactory(sku="CHIPS")
    return planograms


def slots():
    return list(
        PlanogramSlot.objects.order_by("planogram__cabinet__index", "position").values_list(
            "planogram__cabinet__index", "position", "product__sku", "quantity", "capacity", "par_level", "price"
        )
    )


def test_good_slot_csv_creates_slots_in_the_named_cabinets(admin_client, machine):
    rows = [
        SLOT_HEADER,
        ["A100", "1", "A1", "COKE", "5", "10", "8", "2.00"],
        ["A100", "", "A2", "CHIPS", "0", "12", "6", ""],
        ["A100", "2", "A1", "", "0", "0", "0", ""],
    ]

    response = import_rows(admin_client, PlanogramSlot, rows)

    assert response.status_code == 302
    assert slots() == [
        (1, "A1", "COKE", 5, 10, 8, Decimal("2.00")),
        (1, "A2", "CHIPS", 0, 12, 6, None),
        (2, "A1", None, 0, 0, 0, None),
    ]


def test_good_slot_xlsx_creates_slots(admin_client, machine):
    rows = [SLOT_HEADER, ["A100", 2, "B8", "COKE", 3, 9, 5, 1.5]]

    import_rows(admin_client, PlanogramSlot, rows, XLSX_FORMAT)

    assert slots() == [(2, "B8", "COKE", 3, 9, 5, Decimal("1.50"))]


def test_reimporting_a_slot_updates_it_instead_of_adding_another(admin_client, machine):
    PlanogramSlotFactory(planogram=machine[1], position="A1", quantity=1, capacity=10, par_level=8)

    import_rows(admin_client, PlanogramSlot, [SLOT_HEADER, ["A100", "1", "A1", "COKE", "9", "10", "8", ""]])

    assert [(position, quantity) for _, position, _, quantity, *_ in slots()] == [("A1", 9)]


@pytest.mark.parametrize(
    ("bad_row", "field", "message"),
    [
        (["A999", "1", "A2", "CHIPS", "1", "10", "5", ""], "planogram", "No device with asset “A999”."),
        (["A100", "3", "A2", "CHIPS", "1", "10", "5", ""], "planogram", "Device A100 has no planogram for cabinet 3."),
        (["A100", "1", "A2", "NOPE", "1", "10", "5", ""], "product", "No product with SKU “NOPE”."),
        (["A100", "1", "A2", "CHIPS", "11", "10", "5", ""], "quantity", "Quantity 11 exceeds the capacity 10."),
        (
            ["A100", "1", "A2", "CHIPS", "1", "10", "5", "-0.50"],
            "price",
            "Ensure this value is greater than or equal to 0.",
        ),
        (["A100", "1", "A2", "CHIPS", "lots", "10", "5", ""], "quantity", "“lots” is not a number."),
        (
            ["A100", "1", "A0", "CHIPS", "1", "10", "5", ""],
            "position",
            "Use a row letter and a column number, e.g. A1.",
        ),
    ],
)
def test_slot_file_with_one_bad_row_imports_nothing_and_names_row_and_problem(
    admin_client, machine, bad_row, field, message
):
    rows = [SLOT_HEADER, ["A100", "1", "A1", "COKE", "5", "10", "8", ""], bad_row]

    preview = preview_import(admin_client, PlanogramSlot, csv_file(rows))

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    errors = row_errors(preview)
    assert list(errors) == [2]
    assert message in errors[2][field]
    assert message in preview.content.decode()
    assert not PlanogramSlot.objects.exists()


def test_every_field_at_fault_in_a_row_is_reported(admin_client, machine):
    rows = [SLOT_HEADER, ["A100", "1", "A1", "COKE", "12", "10", "11", ""]]

    errors = row_errors(preview_import(admin_client, PlanogramSlot, csv_file(rows)))[1]

    assert errors["quantity"] == ["Quantity 12 exceeds the capacity 10."]
    assert errors["par_level"] == ["Par level 11 exceeds the capacity 10."]


def test_products_import_by_sku_and_refuse_a_negative_price(admin_client, db):
    ProductFactory(sku="COKE", name="Coke 12oz")

    import_rows(admin_client, Product, [PRODUCT_HEADER, ["COKE", "Coca-Cola 12oz", "Drinks", "1.75", "049000028911"]])
    bad = preview_import(admin_client, Product, csv_file([PRODUCT_HEADER, ["PEPSI", "Pepsi", "Drinks", "-1", ""]]))

    assert list(Product.objects.values_list("sku", "name", "price")) == [("COKE", "Coca-Cola 12oz", Decimal("1.75"))]
    assert row_errors(bad) == {1: {"price": ["Ensure this value is greater than or equal to 0."]}}


def test_product_case_pack_imports_with_an_empty_cell_as_none(admin_client, db):
    header = [*PRODUCT_HEADER, "case_pack"]
    rows = [header, ["COKE", "Coca-Cola 20oz", "Drinks", "2.50", "", "24"], ["GUM", "Orbit", "Gum", "1.25", "", ""]]

    import_rows(admin_client, Product, rows)

    assert dict(Product.objects.values_list("sku", "case_pack")) == {"COKE": 24, "GUM": None}


def test_a_file_without_the_case_pack_column_keeps_the_case_packs(admin_client, db):
    ProductFactory(sku="COKE", case_pack=24)

    import_rows(admin_client, Product, [PRODUCT_HEADER, ["COKE", "Coca-Cola 20oz", "Drinks", "2.50", ""]])

    assert Product.objects.get(sku="COKE").case_pack == 24


@pytest.mark.parametrize(
    ("cell", "message"),
    [("0", "Ensure this value is greater than or equal to 1."), ("a dozen", "“a dozen” is not a number.")],
)
def test_a_bad_case_pack_is_a_row_error(admin_client, db, cell, message):
    rows = [[*PRODUCT_HEADER, "case_pack"], ["COKE", "Coca-Cola 20oz", "Drinks", "2.50", "", cell]]

    preview = preview_import(admin_client, Product, csv_file(rows))

    assert row_errors(preview) == {1: {"case_pack": [message]}}
    assert not Product.objects.exists()


def test_product_export_has_the_case_pack_and_reimports_without_changes(admin_client, db):
    ProductFactory(sku="COKE", case_pack=24)
    ProductFactory(sku="GUM", case_pack=None)

    rows = exported_rows(export(admin_client, Product))

    assert rows[0] == [*PRODUCT_HEADER, "case_pack"]
    assert {row[0]: row[-1] for row in rows[1:]} == {"COKE": "24", "GUM": ""}
    preview = preview_import(admin_client, Product, csv_file(rows))
    assert [row.import_type for row in preview.context["result"].rows] == ["skip", "skip"]


@pytest.mark.parametrize("file_format", [CSV_FORMAT, XLSX_FORMAT])
def test_slot_export_uses_the_same_columns_as_the_import(admin_client, machine, file_format):
    PlanogramSlotFactory(planogram=machine[2], position="C3", product=Product.objects.get(sku="COKE"), price=None)

    rows = exported_rows(export(admin_client, PlanogramSlot, file_format), file_format)

    assert rows[0] == SLOT_HEADER
    assert [str(value) for value in rows[1][:4]] == ["A100", "2", "C3", "COKE"]


def test_exported_slots_reimport_without_changes(admin_client, machine):
    PlanogramSlotFactory(planogram=machine[1], position="A1", product=Product.objects.get(sku="COKE"))
    before = slots()
    rows = exported_rows(export(admin_client, PlanogramSlot))

    preview = preview_import(admin_client, PlanogramSlot, csv_file(rows))

    assert [row.import_type for row in preview.context["result"].rows] == ["skip"]
    assert slots() == before
