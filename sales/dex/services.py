"""DEX audits: import one (keep the file, match its machine and selections, record what sold), or void an import."""

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cvd_portal.moments import event_moment_check, event_window
from cvd_portal.money import cash_amount_parse
from devices.locking import devices_lock
from devices.models import Device
from planograms.choices import InventoryMovementReason
from planograms.models import InventoryMovement, PlanogramSlot, slot_grid_order
from planograms.services.inventory import slot_quantities_return
from planograms.signals import stock_changed_on_commit
from sales.choices import DexImportStatus
from sales.models import DexImport, DexReading, Sale
from sales.services import MAX_UNITS, SaleEntry, sales_record, sales_recorded

from .deltas import AuditSales, audit_sales
from .parser import DexAudit, DexIssue, DexMachine, DexParseError, SelectionCounters, parse_dex

MAX_DEX_FILE_BYTES = 2 * 1024 * 1024


def dex_file_size_validate(size: int) -> None:
    """A DEX audit is a few kilobytes; refuse anything far beyond before it is read into memory."""
    if size > MAX_DEX_FILE_BYTES:
        raise ValidationError(f"A DEX audit is at most {MAX_DEX_FILE_BYTES // 1024} KiB; this file has {size} bytes.")


class DexImportRefused(Exception):
    """An audit that parsed but cannot be imported (no such machine, a read older than the last one)."""


@transaction.atomic
def dex_import(*, file_name: str, data: bytes, user=None) -> tuple[DexImport, bool]:
    """Import one DEX audit file; answer its import record and whether this call read it.

    - The same bytes again (same SHA-256) answer the existing import (and False) and record nothing; a
      file rejected before is read again (the fleet may have changed since), its record reused.
    - A file that cannot be read, or names no known machine, or is not newer than the machine's last
      imported read, is kept as a rejected import with its error (and line), and records nothing.
    - Otherwise the machine is matched (``device_for_audit``), each selection to the slot at the same
      position (``slots_by_selection``), and one sale is recorded per selection that sold since the
      previous read (``sales.dex.deltas``), dated at the read: an audit says how much sold since
      the last read, not when. Each sale's transaction id is the read time and selection, so a retry
      records nothing twice.
    - A read time the machine's clock cannot have had (outside ``cvd_portal.moments``' event window:
      before ``EARLIEST_EVENT``, or ahead of the upload by more than ``EVENT_CLOCK_SKEW``) is not
      believed: the read is dated at its upload, with a warning saying so, so that a clock reading
      2099 never dates sales in 2099 nor refuses every real read after it.
    - A voided import (``dex_import_void``) uploaded again stays voided and records nothing.
    """
    sha256 = hashlib.sha256(data).hexdigest()
    record = DexImport.objects.select_for_update().filter(sha256=sha256).first()
    if record is not None and record.status != DexImportStatus.REJECTED:
        return record, False
    record = record or DexImport(sha256=sha256)
    record.file_name, record.raw_file, record.uploaded_by, record.uploaded_at = file_name, data, user, timezone.now()
    record.device, record.read_at, record.sales_recorded = None, None, 0

    try:
        audit = parse_dex(data)
    except DexParseError as error:
        _reject(record, error.message, line=error.line)
        return record, True
    record.machine_serial, record.machine_asset = audit.machine.serial[:100], audit.machine.asset[:100]
    warnings = list(audit.warnings)
    try:
        _record_audit(record, audit, warnings, user=user)
    except DexImportRefused as error:
        _reject(record, str(error), warnings)
    return record, True


@transaction.atomic
def dex_import_void(*, dex_import: DexImport, user, reason: str) -> bool:
    """Void a DEX import: take back all it recorded, in one transaction; answer whether this call voided it.

    - Its sales are deleted (a sale is never negative, and without them every rollup is again the plain
      sum of the sales left), and the rollups are rebuilt from the read's local day on by
      ``sales_recorded``, which also marks the device's metrics stale.
    - Each slot gets back the units the import's sales took from its stock (before − after of the sale
      movement the import wrote; a shortfall never left the slot) with a ``correction`` movement by
      ``user``, at most up to its capacity: a slot filled since holds no more. A slot counted since the
      import keeps its count, which already says what it holds. What is not given back is listed.
    - Its reading is deleted, so the machine's next read is counted from the last read left. Each read
      was counted from the one before it, so only a device's latest read can be voided: the later ones
      first, newest first.
    - The import stays, marked voided, with who, when and why, and what was taken back
      (``parse_record["void"]``); its file uploaded again records nothing.

    An import voided before is left as it is (False). ValidationError, and nothing changes, for a
    rejected import (it recorded nothing), a read a later one was counted from, or no ``reason``.
    """
    # The import's row, then its device's: the order ``dex_import`` takes them in.
    record = DexImport.objects.select_for_update().get(pk=dex_import.pk)
    if record.status == DexImportStatus.VOIDED:
        return False
    if record.status == DexImportStatus.REJECTED:
        raise ValidationError("A rejected import recorded nothing: there is nothing to void.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the import is voided."})
    devices_lock(device_ids=[record.device_id])
    later = DexReading.objects.filter(device_id=record.device_id, read_at__gt=record.read_at).order_by("read_at")
    if (next_read := later.first()) is not None:
        raise ValidationError(
            f"The read of {timezone.localtime(next_read.read_at):%Y-%m-%d %H:%M} was counted from this one:"
            " void the later reads first, newest first."
        )

    sales = Sale.objects.filter(device_id=record.device_id, sold_at=record.read_at, transaction_id__startswith="dex:")
    sold = list(sales.values_list("slot_id", "units", "cash_amount"))
    returned, not_returned = _stock_return(record, {slot_id for slot_id, _, _ in sold if slot_id}, user=user)
    if sold:
        sales.delete()
        sales_recorded(device_ids=[record.device_id], since=timezone.localtime(record.read_at).date())
        stock_changed_on_commit()
    DexReading.objects.filter(dex_import=record).delete()

    record.parse_record["void"] = {
        "status_before": record.status,
        "sales_deleted": len(sold),
        "units_deleted": sum(units for _, units, _ in sold),
        "value_deleted": str(sum((cash for _, _, cash in sold), Decimal("0.00"))),
        "units_returned_to_stock": returned,
        "slots_not_returned": not_returned,
    }
    record.status, record.voided_at, record.voided_by, record.void_reason = (
        DexImportStatus.VOIDED,
        timezone.now(),
        user,
        reason,
    )
    record.save(update_fields=["status", "voided_at", "voided_by", "void_reason", "parse_record"])
    dex_import.refresh_from_db()
    return True


def _stock_return(record: DexImport, slot_ids: set[int], *, user) -> tuple[int, list[str]]:
    """Give the slots back what the import's sales took (``dex_import_void``): units returned, and slots not given all.

    The import's sales wrote one sale movement per slot, dated at the read, by the uploader, after the
    upload began; the first such movement of each slot is the import's (its device was locked throughout).
    """
    if not slot_ids:
        return 0, []
    movements = (
        InventoryMovement.objects.filter(
            slot_id__in=slot_ids,
            reason=InventoryMovementReason.SALE,
            occurred_at=record.read_at,
            recorded_at__gte=record.uploaded_at,
            user_id=record.uploaded_by_id,
        )
        .order_by("slot_id", "pk")
        .distinct("slot_id")
        .values_list("slot_id", "pk", "quantity_before", "quantity_after")
    )
    taken = {slot_id: (pk, before - after) for slot_id, pk, before, after in movements}
    counted_since = {
        slot_id
        for slot_id, pk in InventoryMovement.objects.filter(
            slot_id__in=taken, reason=InventoryMovementReason.COUNT, recorded_at__gte=record.uploaded_at
        ).values_list("slot_id", "pk")
        if pk > taken[slot_id][0]
    }
    returned = slot_quantities_return(
        units_by_slot={slot_id: units for slot_id, (_, units) in taken.items() if slot_id not in counted_since},
        user=user,
    )
    labels = {
        pk: f"{position} (cabinet {cabinet})"
        for pk, position, cabinet in PlanogramSlot.objects.filter(pk__in=taken).values_list(
            "pk", "position", "planogram__cabinet__index"
        )
    }
    not_returned = [f"{labels[slot_id]}: counted since the import" for slot_id in counted_since]
    for slot_id, change in returned.items():
        if (beyond := taken[slot_id][1] - (change.quantity_after - change.quantity_before)) > 0:
            not_returned.append(f"{labels[slot_id]}: {beyond} units beyond its capacity of {change.capacity}")
    units = sum(change.quantity_after - change.quantity_before for change in returned.values())
    return units, sorted(not_returned)


def device_for_audit(machine: DexMachine) -> Device:
    """The active device an audit is from: by serial number (ID101), else by asset number (ID106).

    The serial is the controller's own and needs no typing, so it wins; an empty or all-zero field
    (what a machine reports when nobody set it) is no identification.
    """
    serial, asset = _identification(machine.serial), _identification(machine.asset)
    if serial:
        by_serial = list(Device.objects.filter(serial_number=serial)[:2])
        if len(by_serial) == 1:
            return by_serial[0]
        if len(by_serial) > 1 and asset and (matched := [d for d in by_serial if d.asset == asset]):
            return matched[0]
    if asset and (device := Device.objects.filter(asset=asset).first()) is not None:
        return device
    raise DexImportRefused(
        f"No device has serial number {machine.serial!r} or asset number {machine.asset!r} (ID101, ID106)."
    )


def slots_by_selection(device: Device, audit: DexAudit) -> dict[str, PlanogramSlot]:
    """Selections matched to slots by position: the audit's n-th selection is the device's n-th slot.

    The device's slots are taken parent cabinet first, each in grid order (A1, A2, … A10, B1); a
    selection beyond the last slot has none.
    """
    slots = (
        PlanogramSlot.objects.filter(planogram__cabinet__device=device)
        .select_related("product")
        .order_by("planogram__cabinet__index", *slot_grid_order())
    )
    return {selection.selection: slot for selection, slot in zip(audit.selections, slots, strict=False)}


def _record_audit(record: DexImport, audit: DexAudit, warnings: list[DexIssue], *, user) -> None:
    device = device_for_audit(audit.machine)
    record.device = device
    if audit.read_at is None:
        raise DexImportRefused("The audit has no read time (EA302/EA303, or ID501/ID502).")
    read_at, clock_believed = _read_time(record, audit, warnings)
    record.read_at = read_at
    # Reads of one machine are counted one after the other; the device's row serialises them.
    devices_lock(device_ids=[device.pk])
    previous = DexReading.objects.filter(device=device).order_by("-read_at").first()
    if previous is not None and read_at <= previous.read_at:
        message = (
            f"The audit was read at {timezone.localtime(read_at):%Y-%m-%d %H:%M}, not after the last imported read"
            f" of {device} ({timezone.localtime(previous.read_at):%Y-%m-%d %H:%M}); import reads in order."
        )
        if previous.read_at not in event_window(now=record.uploaded_at):
            message += (
                " That read is dated ahead of the server's clock (imported before such clocks were caught):"
                f" a manager can void that import ({previous.dex_import.file_name})."
            )
        raise DexImportRefused(message)

    sales = audit_sales(
        previous=_counters_from_json(previous.counters) if previous else None, selections=audit.selections
    )
    slots = slots_by_selection(device, audit)
    entries, sold_record = [], []
    for sold in sales.sold:
        slot = slots.get(sold.selection)
        if slot is None or slot.product_id is None:
            where = "no slot at its position" if slot is None else f"slot {slot.position} has no product"
            warnings.append(DexIssue(f"selection {sold.selection} sold {sold.units} but has {where}: not recorded"))
            continue
        value = audit.money(sold.value)
        try:
            cash = cash_amount_parse(value, round_half_up=True)
        except ValueError as problem:
            raise DexImportRefused(f"Selection {sold.selection} sold for {value}: {problem}") from None
        if sold.units > MAX_UNITS:
            raise DexImportRefused(f"Selection {sold.selection} sold {sold.units} units: beyond any sale.")
        entries.append(
            SaleEntry(
                device_id=device.pk,
                product_id=slot.product_id,
                slot_id=slot.pk,
                units=sold.units,
                cash_amount=cash,
                sold_at=read_at,
                transaction_id=_transaction_id(read_at, sold.selection),
            )
        )
        sold_record.append(
            {
                "selection": sold.selection,
                "slot": slot.position,
                "units": sold.units,
                "value": str(cash),
                "counted_from": sold.counted_from,
            }
        )
    # Every refusal comes before this point: from here on the import is recorded.
    recorded = sales_record(entries=entries, user=user).recorded if entries else 0
    record.status = _status(previous, sales)
    record.sales_recorded = recorded
    record.parse_record = {
        "warnings": [_issue_json(issue) for issue in warnings],
        "errors": [],
        "notes": list(sales.notes),
        "counts": {
            "selections": len(audit.selections),
            "selections_sold": len(sold_record),
            "units": sum(row["units"] for row in sold_record),
            "value": str(sum((Decimal(row["value"]) for row in sold_record), Decimal("0.00"))),
        },
        "currency": audit.currency,
        "sold": sold_record,
    }
    if not clock_believed:
        record.parse_record["machine_read_at"] = audit.read_at.isoformat()
    record.save()

    counters = _counters_to_json(audit)
    if previous is not None and not sales.reinitialised:
        # A selection missing from this read keeps its last counters as the base of the next.
        counters = {**previous.counters, **counters}
    DexReading.objects.create(
        dex_import=record,
        device=device,
        read_at=read_at,
        counters=counters,
        decimals=audit.decimals,
        chain=(previous.chain + sales.reinitialised) if previous else 1,
        needs_review=sales.reinitialised,
    )


def _read_time(record: DexImport, audit: DexAudit, warnings: list[DexIssue]) -> tuple[dt.datetime, bool]:
    """When the machine was read, and whether its clock was believed: its word (local time), if it can be right.

    A read time outside the event window (a clock unset, reading 1900 or 9999, or years ahead) is replaced
    by the upload's time, and a warning at the read time's line says so.
    """
    clock = audit.read_at
    try:
        return event_moment_check(timezone.make_aware(clock), now=record.uploaded_at), True
    except ValidationError as implausible:
        problem = implausible.messages[0]
    warnings.append(
        DexIssue(
            f"the machine's clock reads {clock.isoformat(sep=' ', timespec='seconds')}, which cannot be right:"
            f" {problem} The read is dated at its upload,"
            f" {timezone.localtime(record.uploaded_at):%Y-%m-%d %H:%M:%S}.",
            audit.read_at_line,
        )
    )
    return record.uploaded_at, False


def _transaction_id(read_at: dt.datetime, selection: str) -> str:
    """``dex:<read time>:<selection>``: a machine's clock counts whole seconds; an upload's time has microseconds."""
    moment = f"{read_at:%Y%m%dT%H%M%S}" + (f".{read_at.microsecond:06d}" if read_at.microsecond else "")
    return f"dex:{moment}:{selection}"[:100]


def _status(previous: DexReading | None, sales: AuditSales) -> str:
    if previous is None:
        return DexImportStatus.PARSED
    return DexImportStatus.NEEDS_REVIEW if sales.reinitialised else DexImportStatus.RECORDED


def _reject(record: DexImport, message: str, warnings: Sequence[DexIssue] = (), *, line: int | None = None) -> None:
    record.status = DexImportStatus.REJECTED
    record.parse_record = {
        "warnings": [_issue_json(issue) for issue in warnings],
        "errors": [_issue_json(DexIssue(message, line))],
    }
    record.save()


def _identification(value: str) -> str:
    return "" if value.strip("0 ") == "" else value


def _issue_json(issue: DexIssue) -> dict:
    return {"line": issue.line, "message": issue.message}


def _counters_to_json(audit: DexAudit) -> dict:
    return {selection.selection: dataclasses.asdict(selection.counters) for selection in audit.selections}


def _counters_from_json(counters: dict) -> dict[str, SelectionCounters]:
    return {selection: SelectionCounters(**values) for selection, values in counters.items()}


def dex_import_issues(record: DexImport, kind: str) -> list[str]:
    """A record's ``"errors"`` or ``"warnings"`` as one message each, ``line 7: …`` when it has a line."""
    return [str(DexIssue(issue["message"], issue["line"])) for issue in record.parse_record.get(kind, [])]
