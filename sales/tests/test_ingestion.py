"""Recording sales: idempotency, all-or-nothing resolution, stock never below zero, rollups as a rebuild leaves them."""

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from devices.models import Device
from devices.tests.factories import CabinetFactory, DeviceFactory
from devices.tests.test_imports import XLSX_FORMAT, csv_file, import_rows, preview_import, row_errors
from planograms.choices import InventoryMovementReason
from planograms.models import InventoryMovement, PlanogramSlot
from planograms.tests.factories import PlanogramSlotFactory, ProductFactory
from sales.models import DailyProductSales, DeviceDailySales, DeviceProductSales, Sale
from sales.services import (
    SaleEntry,
    SaleRowsInvalid,
    sale_entries_already_recorded,
    sales_record,
    sales_rollups_rebuild,
    sales_rows_resolve,
    sales_windows_refresh,
)
from sales.tests.entries import SOLD_AT, sale_entry, stocked_slots
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def slots():
    return stocked_slots()


def quantities(slots):
    return {slot.pk: PlanogramSlot.objects.get(pk=slot.pk).quantity for slot in slots}


def expected_quantities(slots, entries):
    """The reference: each slot's stock minus its units sold, floored at zero, one entry at a time."""
    stock = {slot.pk: slot.quantity for slot in slots}
    for sale in entries:
        stock[sale.slot_id] = max(stock[sale.slot_id] - sale.units, 0)
    return stock


def test_sales_lower_their_slots_stock_with_one_movement_per_slot(slots):
    entries = [sale_entry(slots[0], 2), sale_entry(slots[0], 1), sale_entry(slots[1], 3), sale_entry(slots[2], 1)]

    result = sales_record(entries=entries)

    assert result.recorded == 4 and result.duplicates == 0 and result.shortfalls == 0
    assert quantities(slots) == expected_quantities(slots, entries)
    movements = InventoryMovement.objects.filter(reason=InventoryMovementReason.SALE)
    assert sorted(movements.values_list("slot_id", "quantity_before", "quantity_after", "shortfall")) == sorted(
        [(slots[0].pk, 5, 2, 0), (slots[1].pk, 5, 2, 0), (slots[2].pk, 5, 4, 0)]
    )


def test_retrying_a_batch_records_nothing_new(slots):
    entries = [sale_entry(slot, 2, transaction_id=f"T{n}") for n, slot in enumerate(slots)]
    sales_record(entries=entries)
    after_first = quantities(slots)

    retried = sales_record(entries=entries)

    assert (retried.recorded, retried.duplicates) == (0, len(entries))
    assert Sale.objects.count() == len(entries)
    assert quantities(slots) == after_first == expected_quantities(slots, entries)
    assert InventoryMovement.objects.count() == len(slots)


def test_a_partly_retried_batch_records_only_its_new_sales(slots):
    sales_record(entries=[sale_entry(slots[0], transaction_id="T1")])

    result = sales_record(
        entries=[sale_entry(slots[0], transaction_id="T1"), sale_entry(slots[0], transaction_id="T2")]
    )

    assert (result.recorded, result.duplicates) == (1, 1)
    assert sorted(Sale.objects.values_list("transaction_id", flat=True)) == ["T1", "T2"]
    assert quantities(slots[:1]) == {slots[0].pk: 3}


def test_a_transaction_id_repeated_within_a_batch_counts_once(slots):
    result = sales_record(entries=[sale_entry(slots[0], 2, "T1"), sale_entry(slots[0], 2, "T1")])

    assert (result.recorded, result.duplicates) == (1, 1)
    assert quantities(slots[:1]) == {slots[0].pk: 3}


def test_transaction_ids_are_per_device_and_sales_without_one_are_never_deduplicated(slots):
    result = sales_record(
        entries=[
            sale_entry(slots[0], 1, "T1"),
            sale_entry(slots[2], 1, "T1"),
            sale_entry(slots[0]),
            sale_entry(slots[0]),
        ]
    )

    assert (result.recorded, result.duplicates) == (4, 0)


def test_a_sale_is_a_duplicate_only_when_its_device_already_has_its_transaction_id(slots):
    sales_record(entries=[sale_entry(slots[0], transaction_id="T1"), sale_entry(slots[0])])

    batch = [
        # recorded before, whatever else differs:
        sale_entry(slots[0], 3, "T1", sold_at=SOLD_AT + dt.timedelta(hours=1)),
        sale_entry(slots[2], 1, "T1"),  # the same id at another device
        sale_entry(slots[0]),  # the same device, product and moment as a recorded sale, but no id
        sale_entry(slots[1], 1, "T2"),
        sale_entry(slots[1], 2, "T2"),  # repeats the entry before it
        sale_entry(slots[0]),  # repeats the third entry, and no id either
    ]

    assert sale_entries_already_recorded(batch) == {0, 4}
    assert sales_record(entries=batch).recorded == 4


def test_stock_never_goes_below_zero_and_the_shortfall_is_recorded(slots):
    entries = [sale_entry(slots[0], 4), sale_entry(slots[0], 3), sale_entry(slots[1], 5)]

    result = sales_record(entries=entries)

    assert quantities(slots[:2]) == {slots[0].pk: 0, slots[1].pk: 0}
    assert (result.shortfalls, result.units_short) == (1, 4 + 3 - 5)
    movement = InventoryMovement.objects.get(slot=slots[0])
    assert (movement.quantity_before, movement.quantity_after, movement.shortfall) == (5, 0, 2)
    assert InventoryMovement.objects.get(slot=slots[1]).shortfall == 0


def test_a_movement_is_dated_by_the_last_sale_it_sums_and_names_the_user(slots, admin_user):
    later = SOLD_AT + dt.timedelta(hours=2)
    sales_record(entries=[sale_entry(slots[0], sold_at=later), sale_entry(slots[0], sold_at=SOLD_AT)], user=admin_user)

    movement = InventoryMovement.objects.get()
    assert (movement.occurred_at, movement.user) == (later, admin_user)


def test_a_sale_without_a_slot_changes_no_stock(slots):
    sales_record(
        entries=[SaleEntry(slots[0].planogram.cabinet.device_id, slots[0].product_id, None, 2, 3, SOLD_AT, None)]
    )

    assert Sale.objects.get().slot is None
    assert quantities(slots) == {slot.pk: 5 for slot in slots}
    assert not InventoryMovement.objects.exists()


def test_an_empty_or_fully_duplicate_batch_schedules_nothing(slots, django_capture_on_commit_callbacks):
    sales_record(entries=[sale_entry(slots[0], transaction_id="T1")])
    with django_capture_on_commit_callbacks() as callbacks:
        sales_record(entries=[sale_entry(slots[0], transaction_id="T1")])
        sales_record(entries=[])

    assert callbacks == []


# Resolving raw rows


def row(**values):
    return {"device": "A100", "slot": "A1", "cash_amount": "1.50", "sold_at": "2025-03-01T08:30:00-06:00", **values}


def test_rows_resolve_names_products_by_sku_or_id_and_slots_by_position(slots):
    other = ProductFactory(sku="COKE")
    a100 = slots[0].planogram.cabinet.device

    entries = sales_rows_resolve(
        [
            row(units=2, transaction_id="T1"),
            row(device=a100.pk, slot="a2", product="COKE"),
            row(device="A200", slot=None, product=other.pk, cash_amount=2, sold_at="2025-03-01 08:30"),
        ]
    )

    assert entries == [
        SaleEntry(a100.pk, slots[0].product_id, slots[0].pk, 2, Decimal("1.50"), SOLD_AT, "T1"),
        SaleEntry(a100.pk, other.pk, slots[1].pk, 1, Decimal("1.50"), SOLD_AT, None),
        SaleEntry(slots[2].planogram.cabinet.device_id, other.pk, None, 1, Decimal("2.00"), SOLD_AT, None),
    ]


def test_a_slot_position_is_taken_from_the_parent_cabinet_unless_the_cabinet_is_given(slots):
    added = CabinetFactory(device=slots[0].planogram.cabinet.device, index=2)
    added_a1 = PlanogramSlotFactory(planogram__cabinet=added, position="A1")
    only_in_added = PlanogramSlotFactory(planogram=added_a1.planogram, position="F8")

    parent, in_added, only = sales_rows_resolve([row(), row(cabinet=2), row(slot="F8")])

    assert (parent.slot_id, in_added.slot_id, only.slot_id) == (slots[0].pk, added_a1.pk, only_in_added.pk)
    assert in_added.product_id == added_a1.product_id


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"device": "X"}, "device", "Unknown asset “X”."),
        ({"device": 999999}, "device", "Unknown device id 999999."),
        ({"device": None}, "device", "This field is required."),
        ({"product": "NOPE"}, "product", "Unknown SKU “NOPE”."),
        ({"slot": "Z9"}, "slot", "Device A100 has no slot Z9."),
        ({"slot": "A1", "cabinet": 2}, "slot", "Device A100 has no slot A1 in cabinet 2."),
        ({"slot": "11"}, "slot", "Use a row letter and a column number, e.g. A1."),
        ({"slot": None}, "product", "Give the product, or the slot it was sold from."),
        ({"units": 0}, "units", "Ensure this value is greater than or equal to 1."),
        ({"units": 2**31}, "units", "Ensure this value is less than or equal to 2147483647."),
        ({"units": 1.5}, "units", "A whole number is required."),
        ({"cash_amount": "-1"}, "cash_amount", "Ensure this value is greater than or equal to 0."),
        ({"cash_amount": "1.505"}, "cash_amount", "Ensure that there are no more than 2 decimal places."),
        ({"cash_amount": "lots"}, "cash_amount", "A number is required."),
        ({"cash_amount": "NaN"}, "cash_amount", "A finite number is required, not NaN or infinity."),
        ({"cash_amount": "100000000"}, "cash_amount", "Ensure this value is less than or equal to 99999999.99."),
        ({"cash_amount": "1e999999999"}, "cash_amount", "Ensure this value is less than or equal to 99999999.99."),
        ({"cabinet": 4}, "cabinet", "Ensure this value is less than or equal to 3."),
        (
            {"sold_at": "yesterday"},
            "sold_at",
            "“yesterday” is not a date and time; write it in ISO 8601, e.g. 2025-03-01T14:30:00-06:00.",
        ),
        (
            {"sold_at": 20250301},
            "sold_at",
            "“20250301” is not a date and time; write it in ISO 8601, e.g. 2025-03-01T14:30:00-06:00.",
        ),
        (
            {"sold_at": "2025-02-30T10:00"},
            "sold_at",
            "“2025-02-30T10:00” is not a date and time; write it in ISO 8601, e.g. 2025-03-01T14:30:00-06:00.",
        ),
        ({"transaction_id": "x" * 101}, "transaction_id", "At most 100 characters."),
    ],
)
def test_one_bad_row_rejects_the_whole_batch_with_its_row_named(slots, bad, field, message):
    with pytest.raises(SaleRowsInvalid) as invalid:
        sales_rows_resolve([row(), row(), row(**bad)])

    assert invalid.value.row_errors == {2: {field: [message]}}
    assert f"Row 2, {field}: {message}" in invalid.value.message_dict["rows"]


def test_a_row_that_is_not_an_object_is_named(slots):
    with pytest.raises(SaleRowsInvalid) as invalid:
        sales_rows_resolve([row(), "A100,A1"])

    assert invalid.value.row_errors == {1: {"non_field_errors": ["Each row must be an object."]}}


def test_rows_resolve_only_among_the_given_devices(slots):
    with pytest.raises(SaleRowsInvalid) as invalid:
        sales_rows_resolve(
            [row(), row(device="A200")],
            devices=Device.objects.filter(asset="A100"),
        )

    assert invalid.value.row_errors == {1: {"device": ["Unknown asset “A200”."]}}


@pytest.mark.parametrize("size", [2, 40])
def test_rows_resolve_in_three_queries_whatever_the_batch_size(slots, size, django_assert_num_queries):
    rows = [
        row(device=device, slot=position, product=slots[0].product.sku)
        for device in ("A100", "A200")
        for position in ("A1", "A2")
    ]

    with django_assert_num_queries(3):
        assert len(sales_rows_resolve(rows * (size // 2))) == len(rows) * (size // 2)


# The rollups take the batch's sums: the same as a rebuild from the raw sales.


def rollup_tables():
    return (
        list(
            DailyProductSales.objects.order_by("device", "product", "date").values_list(
                "device", "product", "date", "units", "revenue", "transactions", "first_sold_at", "last_sold_at",
                "units_to_date", "revenue_to_date",
            )
        ),
        list(
            DeviceDailySales.objects.order_by("device", "date").values_list(
                "device", "date", "units", "revenue", "transactions", "first_sold_at", "last_sold_at"
            )
        ),
        list(
            DeviceProductSales.objects.order_by("device", "product").values_list(
                "device", "product", "units", "revenue", "days_with_sales", "first_sold_at", "last_sold_at",
                "window_start", "units_in_window",
            )
        ),
    )  # fmt: skip


@pytest.mark.parametrize("seed", range(6))
def test_recorded_sales_leave_the_rollups_as_a_rebuild_from_the_raw_sales_would(slots, seed):
    rng = random.Random(seed)
    products = [slot.product for slot in slots] + [ProductFactory()]
    devices = [slots[0].planogram.cabinet.device, slots[2].planogram.cabinet.device]
    history_days = sorted(rng.sample(range(40), 8))
    for day in history_days:
        SaleFactory(
            device=rng.choice(devices), product=rng.choice(products[:4]), units=rng.randint(1, 3),
            cash_amount=Decimal("1.25"), sold_at=SOLD_AT - dt.timedelta(days=day, hours=rng.randint(0, 20)),
        )  # fmt: skip
    window_start = timezone.localdate(SOLD_AT) - dt.timedelta(days=27)
    sales_rollups_rebuild()
    sales_windows_refresh(devices=Device.objects.all(), window_start=window_start)
    # Today, days with history, days before any history, and new days between: product by product.
    batch = [
        SaleEntry(
            device_id=rng.choice(devices).pk,
            product_id=rng.choice(products).pk,
            slot_id=None,
            units=rng.randint(1, 4),
            cash_amount=Decimal(rng.randint(0, 500)) / 100,
            sold_at=SOLD_AT
            - dt.timedelta(days=rng.choice([0, 0, 1, 5, 30, 45, *history_days]), minutes=rng.randint(0, 900)),
            transaction_id=None,
        )
        for _ in range(25)
    ]

    sales_record(entries=batch)
    # Totals new to the batch are counted by the next refresh, as after a rebuild; the others by the batch.
    sales_windows_refresh(devices=Device.objects.all(), window_start=window_start)
    added = rollup_tables()
    sales_rollups_rebuild()
    sales_windows_refresh(devices=Device.objects.all(), window_start=window_start)

    assert added == rollup_tables()


# The admin's sales import takes the same path.

IMPORT_HEADER = ["device", "product", "slot", "units", "cash_amount", "sold_at", "transaction_id"]


def test_an_imported_file_lowers_stock_and_a_reimport_records_only_the_rows_without_a_transaction_id(
    admin_client, slots
):
    rows = [
        IMPORT_HEADER,
        ["A100", "", "A1", "2", "3.00", "2025-03-01 08:30", "T1"],
        ["A100", "", "A1", "4", "6.00", "2025-03-01 08:45", "T2"],
        ["A200", slots[3].product.sku, "A2", "1", "1.50", "2025-03-01 09:00", ""],
    ]

    import_rows(admin_client, Sale, rows)
    import_rows(admin_client, Sale, rows)

    # As the API does: T1 and T2 are skipped the second time; a row without an id is never a duplicate.
    assert sorted(Sale.objects.values_list("units", "transaction_id")) == [
        (1, None),
        (1, None),
        (2, "T1"),
        (4, "T2"),
    ]
    assert quantities(slots) == {slots[0].pk: 0, slots[1].pk: 5, slots[2].pk: 5, slots[3].pk: 3}
    assert InventoryMovement.objects.get(slot=slots[0]).shortfall == 1
    assert Sale.objects.get(transaction_id="T1").slot_id == slots[0].pk


def test_an_xlsx_file_may_type_assets_as_numbers(admin_client, slots):
    numbered = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="1001"), position="B2")
    rows = [IMPORT_HEADER, [1001, None, "B2", 1, 1.75, dt.datetime(2025, 3, 1, 8, 30), "T1"]]

    import_rows(admin_client, Sale, rows, XLSX_FORMAT)

    assert Sale.objects.get().slot_id == numbered.pk


def test_an_imported_file_with_a_bad_row_names_it_as_the_api_does_and_records_nothing(admin_client, slots):
    rows = [
        IMPORT_HEADER,
        ["A100", "", "A1", "1", "1.50", "2025-03-01 08:30", "T1"],
        ["A999", "", "A1", "1", "1", "", ""],
    ]

    preview = preview_import(admin_client, Sale, csv_file(rows))

    assert row_errors(preview) == {2: {"device": ["Unknown asset “A999”."], "sold_at": ["This field is required."]}}
    assert not Sale.objects.exists()
    assert quantities(slots[:1]) == {slots[0].pk: 5}


def test_batches_that_follow_each_other_keep_the_running_totals_a_rebuild_gives(slots):
    """Sales arriving as they happen: on the product's last day, the day after it, and again before both."""
    sales_record(entries=[sale_entry(slots[0], 2, sold_at=SOLD_AT - dt.timedelta(days=3))])
    sales_record(
        entries=[sale_entry(slots[0], 1, sold_at=SOLD_AT - dt.timedelta(days=3, hours=1)), sale_entry(slots[0], 4)]
    )
    sales_record(entries=[sale_entry(slots[0], 3, sold_at=SOLD_AT + dt.timedelta(hours=1)), sale_entry(slots[1], 1)])
    sales_record(entries=[sale_entry(slots[0], 5, sold_at=SOLD_AT - dt.timedelta(days=1))])
    added = rollup_tables()

    sales_rollups_rebuild()

    assert added == rollup_tables()
    assert [row[8] for row in added[0] if row[1] == slots[0].product_id] == [2 + 1, 2 + 1 + 5, 2 + 1 + 5 + 4 + 3]
