"""Voiding a DEX import: its sales reversed, stock and rollups as if it had never been, its read out of the chain."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from planograms.choices import InventoryMovementReason, RestockMode
from planograms.models import InventoryMovement, PlanogramSlot
from planograms.services.inventory import restock
from sales.choices import DexImportStatus
from sales.dex.services import dex_import, dex_import_void
from sales.models import DailyProductSales, DeviceDailySales, DeviceProductSales, DexImport, DexReading, Sale
from sales.services import SaleEntry, sales_record, sales_rollups_rebuild

from .dex_fleet import BASE, FIRST_READ, SECOND, SECOND_READ, THIRD_READ, audit, dex_device, imported, local, slot
from .test_services import (
    expected_device_days,
    expected_rollup,
    expected_totals,
    stored_device_days,
    stored_rollup,
    stored_totals,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:sales_deximport_changelist")


@pytest.fixture
def device():
    return dex_device()


def stock(device) -> dict[tuple[int, str], int]:
    return {
        (s.planogram.cabinet.index, s.position): s.quantity
        for s in PlanogramSlot.objects.filter(planogram__cabinet__device=device).select_related("planogram__cabinet")
    }


def rollups() -> tuple:
    """Every rollup row's values, window counts included: what the reports and the metrics read."""
    return (
        stored_rollup(),
        stored_device_days(),
        stored_totals(),
        sorted(DeviceProductSales.objects.values_list("device", "product", "units_in_window")),
    )


def sell(device, at: dt.datetime, units: int, position="A1") -> None:
    """A sale recorded as the API records it, from the parent cabinet's ``position``."""
    sold_from = slot(device, 1, position)
    entry = SaleEntry(
        device_id=device.pk,
        product_id=sold_from.product_id,
        slot_id=sold_from.pk,
        units=units,
        cash_amount=Decimal("1.50") * units,
        sold_at=local(at),
    )
    sales_record(entries=[entry])


def test_voiding_restores_stock_and_rollups_exactly_as_before_the_import(device, manager):
    imported(audit(FIRST_READ, *BASE))
    # Sales of their own on the read's day and after it, so the rollups have rows the void must lower, not drop.
    sell(device, SECOND_READ - dt.timedelta(hours=2), 2)
    sell(device, SECOND_READ + dt.timedelta(days=3), 1, position="B1")
    stock_before, rollups_before = stock(device), rollups()
    record = imported(audit(SECOND_READ, *SECOND))
    assert (stock(device) != stock_before, rollups() != rollups_before) == (True, True)

    voided = dex_import_void(dex_import=record, user=manager, reason="Counters read from the wrong machine.")

    assert voided is True
    assert stock(device) == stock_before
    assert rollups() == rollups_before
    # And what an independent reckoning of the raw sales left gives: a full rebuild, and sums made here.
    assert (stored_rollup(), stored_device_days(), stored_totals()) == (
        expected_rollup(),
        expected_device_days(),
        expected_totals(),
    )
    sales_rollups_rebuild()
    assert (stored_rollup(), stored_device_days(), stored_totals()) == rollups_before[:3]


def test_a_void_is_recorded_on_the_import_and_in_the_inventory_trail(device, manager):
    imported(audit(FIRST_READ, *BASE))
    record = imported(audit(SECOND_READ, *SECOND))

    dex_import_void(dex_import=record, user=manager, reason="  Counters read from the wrong machine. ")

    record.refresh_from_db()
    assert (record.status, record.voided_by, record.void_reason) == (
        DexImportStatus.VOIDED,
        manager,
        "Counters read from the wrong machine.",
    )
    assert timezone.now() - record.voided_at < dt.timedelta(minutes=1)
    assert record.sales_recorded == 3  # what it recorded then; the void says what it took back
    assert record.parse_record["void"] == {
        "status_before": DexImportStatus.RECORDED,
        "sales_deleted": 3,
        "units_deleted": 9,
        "value_deleted": "13.50",
        "units_returned_to_stock": 9,
        "slots_not_returned": [],
    }
    assert not Sale.objects.exists()
    assert list(DexReading.objects.values_list("read_at", flat=True)) == [local(FIRST_READ)]
    corrections = InventoryMovement.objects.filter(reason=InventoryMovementReason.CORRECTION)
    assert sorted(
        (m.slot.planogram.cabinet.index, m.slot.position, m.quantity_before, m.quantity_after, m.user)
        for m in corrections.select_related("slot__planogram__cabinet", "user")
    ) == [(1, "A1", 12, 15, manager), (1, "B1", 10, 15, manager), (2, "A1", 14, 15, manager)]


def test_voiding_twice_does_nothing(device, manager):
    imported(audit(FIRST_READ, *BASE))
    record = imported(audit(SECOND_READ, *SECOND))
    dex_import_void(dex_import=record, user=manager, reason="Wrong machine.")
    record.refresh_from_db()
    state = (stock(device), rollups(), InventoryMovement.objects.count(), record.voided_at, record.parse_record)

    again = dex_import_void(dex_import=record, user=manager, reason="Again.")

    record.refresh_from_db()
    assert again is False
    assert (stock(device), rollups(), InventoryMovement.objects.count(), record.voided_at, record.parse_record) == state
    assert record.void_reason == "Wrong machine."


def test_the_read_after_a_void_is_counted_from_the_last_read_left(device, manager):
    imported(audit(FIRST_READ, *BASE))
    voided = imported(audit(SECOND_READ, *SECOND))
    dex_import_void(dex_import=voided, user=manager, reason="Wrong machine.")

    record = imported(audit(THIRD_READ, (105, 15750), (41, 6150), (7, 1050), (3, 450)))

    assert (record.status, record.sales_recorded) == (DexImportStatus.RECORDED, 2)
    assert sorted(Sale.objects.values_list("units", "cash_amount")) == [(1, Decimal("1.50")), (5, Decimal("7.50"))]
    assert stock(device) == {(1, "A1"): 10, (1, "A2"): 14, (1, "B1"): 15, (2, "A1"): 15}


def test_a_voided_future_read_no_longer_blocks_the_reads_after_it(device, manager):
    imported(audit(FIRST_READ, *BASE))
    # Imported before reads had to be plausible (or on a server whose clock was off): dated 2099.
    with override_settings(EVENT_CLOCK_SKEW=100 * 365 * 24 * 3600):
        future = imported(audit(dt.datetime(2099, 1, 1, 12, 0), *SECOND))
    assert future.read_at == local(dt.datetime(2099, 1, 1, 12, 0))
    real = audit(THIRD_READ, (105, 15750), (41, 6150), (12, 1800), (4, 600))
    refused = imported(real)
    assert refused.status == DexImportStatus.REJECTED
    assert "a manager can void that import" in refused.parse_record["errors"][0]["message"]

    dex_import_void(dex_import=future, user=manager, reason="The machine's clock said 2099.")
    record, imported_now = dex_import(file_name="audit.dex", data=real)

    assert (imported_now, record.pk, record.status) == (True, refused.pk, DexImportStatus.RECORDED)
    # Counted from the first read: the future read's sales are gone, and counted once, at the real read.
    assert sorted(Sale.objects.values_list("units", "sold_at")) == [
        (1, local(THIRD_READ)),
        (1, local(THIRD_READ)),
        (5, local(THIRD_READ)),
        (5, local(THIRD_READ)),
    ]
    assert not DailyProductSales.objects.filter(date__year=2099).exists()
    assert not DeviceDailySales.objects.filter(date__year=2099).exists()


def test_a_read_that_a_later_one_was_counted_from_cannot_be_voided(device, manager):
    first = imported(audit(FIRST_READ, *BASE))
    imported(audit(SECOND_READ, *SECOND))
    before = (stock(device), rollups(), Sale.objects.count())

    with pytest.raises(ValidationError) as refused:
        dex_import_void(dex_import=first, user=manager, reason="Wrong machine.")

    assert refused.value.messages == [
        f"The read of {timezone.localtime(local(SECOND_READ)):%Y-%m-%d %H:%M} was counted from this one:"
        " void the later reads first, newest first."
    ]
    assert (stock(device), rollups(), Sale.objects.count()) == before
    assert DexImport.objects.get(pk=first.pk).status == DexImportStatus.PARSED


def test_reads_can_be_voided_newest_first_down_to_the_first(device, manager):
    first = imported(audit(FIRST_READ, *BASE))
    stock_before = stock(device)
    second = imported(audit(SECOND_READ, *SECOND))

    dex_import_void(dex_import=second, user=manager, reason="Wrong machine.")
    dex_import_void(dex_import=first, user=manager, reason="Wrong machine.")

    assert not DexReading.objects.exists()
    assert stock(device) == stock_before
    assert imported(audit(THIRD_READ, *SECOND)).status == DexImportStatus.PARSED  # a first read again


@pytest.mark.parametrize(("reason", "field"), [("", "reason"), ("   ", "reason")])
def test_a_void_needs_a_reason(device, manager, reason, field):
    imported(audit(FIRST_READ, *BASE))
    record = imported(audit(SECOND_READ, *SECOND))

    with pytest.raises(ValidationError) as refused:
        dex_import_void(dex_import=record, user=manager, reason=reason)

    assert refused.value.message_dict == {field: ["Say why the import is voided."]}
    assert Sale.objects.count() == 3


def test_a_rejected_import_recorded_nothing_to_void(device, manager):
    record = imported(audit(FIRST_READ, *BASE, serial="SN-9999", asset="A-9999"))

    with pytest.raises(ValidationError) as refused:
        dex_import_void(dex_import=record, user=manager, reason="Unknown machine.")

    assert refused.value.messages == ["A rejected import recorded nothing: there is nothing to void."]
    assert DexImport.objects.get(pk=record.pk).status == DexImportStatus.REJECTED


def test_a_slot_counted_since_the_import_keeps_its_count_and_a_full_slot_stays_at_capacity(device, manager):
    imported(audit(FIRST_READ, *BASE))
    record = imported(audit(SECOND_READ, *SECOND))  # A1 15 → 12, B1 15 → 10, second cabinet's A1 15 → 14
    a1, b1 = slot(device, 1, "A1"), slot(device, 1, "B1")
    restock(slots=[a1], mode=RestockMode.COUNT, counts={a1.pk: 11}, user=manager)  # the truth, whatever was sold
    restock(slots=[b1], mode=RestockMode.CAPACITY, user=manager)  # 20: already full

    dex_import_void(dex_import=record, user=manager, reason="Wrong machine.")

    assert stock(device) == {(1, "A1"): 11, (1, "A2"): 15, (1, "B1"): 20, (2, "A1"): 15}
    record.refresh_from_db()
    assert record.parse_record["void"]["slots_not_returned"] == [
        "A1 (cabinet 1): counted since the import",
        "B1 (cabinet 1): 5 units beyond its capacity of 20",
    ]
    assert record.parse_record["void"]["units_returned_to_stock"] == 1


def test_a_voided_file_uploaded_again_records_nothing(device, manager):
    imported(audit(FIRST_READ, *BASE))
    data = audit(SECOND_READ, *SECOND)
    record = imported(data)
    dex_import_void(dex_import=record, user=manager, reason="Wrong machine.")

    again, imported_now = dex_import(file_name="again.dex", data=data)

    assert (again.pk, again.status, imported_now) == (record.pk, DexImportStatus.VOIDED, False)
    assert not Sale.objects.exists()


# --- The admin action -----------------------------------------------------------------------------------


def void_action(client, records, reason="Wrong machine."):
    return client.post(
        CHANGELIST,
        {"action": "void_selected", ACTION_CHECKBOX_NAME: [r.pk for r in records], "reason": reason},
        follow=True,
    )


def test_the_admin_voids_the_selected_imports_newest_first_and_logs_each(device, admin_client, admin_user):
    first = imported(audit(FIRST_READ, *BASE))
    stock_before_any = stock(device)
    second = imported(audit(SECOND_READ, *SECOND))

    response = void_action(admin_client, [first, second])

    assert response.status_code == 200
    assert "Voided 2 DEX imports" in response.content.decode()
    assert set(DexImport.objects.values_list("status", flat=True)) == {DexImportStatus.VOIDED}
    assert stock(device) == stock_before_any
    assert LogEntry.objects.filter(object_id__in=[str(first.pk), str(second.pk)], user=admin_user).count() == 2


def test_the_admin_action_asks_for_a_reason_and_voids_nothing_without_one(device, admin_client):
    imported(audit(FIRST_READ, *BASE))
    record = imported(audit(SECOND_READ, *SECOND))

    response = void_action(admin_client, [record], reason="")

    assert "Say why the imports are voided" in response.content.decode()
    assert DexImport.objects.get(pk=record.pk).status == DexImportStatus.RECORDED


def test_the_admin_action_reports_an_import_it_cannot_void(device, admin_client):
    first = imported(audit(FIRST_READ, *BASE))
    imported(audit(SECOND_READ, *SECOND))

    response = void_action(admin_client, [first])

    assert "void the later reads first" in response.content.decode()
    assert DexImport.objects.get(pk=first.pk).status == DexImportStatus.PARSED


def test_voiding_needs_the_change_permission_on_dex_imports(device, client, make_user):
    imported(audit(FIRST_READ, *BASE))
    record = imported(audit(SECOND_READ, *SECOND))
    reader = make_user(username="reader", is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_deximport"))
    client.force_login(reader)

    assert "void_selected" not in client.get(CHANGELIST).content.decode()
    void_action(client, [record])
    assert DexImport.objects.get(pk=record.pk).status == DexImportStatus.RECORDED

    reader.user_permissions.add(Permission.objects.get(codename="change_deximport"))
    assert "void_selected" in client.get(CHANGELIST).content.decode()
    void_action(client, [record])
    assert DexImport.objects.get(pk=record.pk).status == DexImportStatus.VOIDED
    # Still read-only: voiding is the one change an import takes.
    assert client.post(reverse("admin:sales_deximport_change", args=[record.pk]), {}).status_code == 403
