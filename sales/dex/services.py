"""Import a DEX audit: keep the file, match the machine and its selections, and record what sold since the last read."""

import dataclasses
import hashlib
from collections.abc import Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cvd_portal.money import cash_amount_parse
from devices.locking import devices_lock
from devices.models import Device
from planograms.models import PlanogramSlot, slot_grid_order
from sales.choices import DexImportStatus
from sales.models import DexImport, DexReading
from sales.services import MAX_UNITS, SaleEntry, sales_record

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
    read_at = timezone.make_aware(audit.read_at)
    record.read_at = read_at
    # Reads of one machine are counted one after the other; the device's row serialises them.
    devices_lock(device_ids=[device.pk])
    previous = DexReading.objects.filter(device=device).order_by("-read_at").first()
    if previous is not None and read_at <= previous.read_at:
        raise DexImportRefused(
            f"The audit was read at {timezone.localtime(read_at):%Y-%m-%d %H:%M}, not after the last imported read"
            f" of {device} ({timezone.localtime(previous.read_at):%Y-%m-%d %H:%M}); import reads in order."
        )

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
                transaction_id=f"dex:{read_at:%Y%m%dT%H%M%S}:{sold.selection}"[:100],
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
