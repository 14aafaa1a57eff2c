"""Ingestion: resolving raw sale rows, and recording resolved sales with their inventory effect."""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cvd_portal.db import bulk_insert, listed_rows
from cvd_portal.moments import event_moment_check
from cvd_portal.money import cash_amount_parse
from devices.locking import devices_lock
from devices.models import MAX_CABINETS_PER_DEVICE, Device
from planograms.models import Product
from planograms.selectors import slot_at_position, slot_position_parse, slots_at_positions
from planograms.services.inventory import SlotSales, slot_quantities_sell
from planograms.signals import stock_changed_on_commit
from sales.models import Sale
from sales.services.rollups import sales_rollups_add


@dataclass(frozen=True)
class SaleEntry:
    """One resolved sale, ready to record: ids, not names."""

    device_id: int
    product_id: int
    slot_id: int | None
    units: int
    cash_amount: Decimal
    sold_at: dt.datetime
    transaction_id: str | None = None


@dataclass(frozen=True)
class SalesRecorded:
    """What ``sales_record`` did: sales recorded, retried ones left out, slots that ran short."""

    recorded: int
    duplicates: int
    shortfalls: int
    units_short: int = 0


@transaction.atomic
def sales_record(*, entries: Sequence[SaleEntry], user=None) -> SalesRecorded:
    """Record a batch of resolved sales, all or nothing, and take them from the slots' stock.

    Idempotent by transaction id: an entry ``sale_entries_already_recorded`` finds is left out,
    so a client may retry a batch safely.
    Each slot's quantity drops by the batch's units for it, never below zero; the units beyond
    the stock are kept as the slot's movement's shortfall. The rollups take the batch's sums
    (``sales_rollups_add``, what ``sales_recorded``'s rebuild would give, without re-summing the
    devices' history), the devices' metrics are marked stale as ``sales_recorded`` marks them, and
    the incremental metrics run is queued for after the commit. A fixed number of queries whatever
    the batch's size.
    """
    # The devices are locked first, so concurrent batches over the same devices take turns: the
    # second sees the first's transaction ids, and no sale is counted twice.
    devices_lock(device_ids={entry.device_id for entry in entries})
    already_recorded = sale_entries_already_recorded(entries)
    fresh = [entry for index, entry in enumerate(entries) if index not in already_recorded]
    if not fresh:
        return SalesRecorded(recorded=0, duplicates=len(entries), shortfalls=0)

    bulk_insert(Sale, [_sale_row(entry) for entry in fresh])
    units_by_slot, last_sold_at = defaultdict(int), {}
    for entry in fresh:
        if entry.slot_id is not None:
            units_by_slot[entry.slot_id] += entry.units
            last_sold_at[entry.slot_id] = max(entry.sold_at, last_sold_at.get(entry.slot_id, entry.sold_at))
    decrement = slot_quantities_sell(
        sales_by_slot={slot_id: SlotSales(units, last_sold_at[slot_id]) for slot_id, units in units_by_slot.items()},
        user=user,
    )
    sales_rollups_add(entries=fresh)
    Device.all_objects.filter(pk__in={entry.device_id for entry in fresh}).update(sales_recorded_at=timezone.now())
    stock_changed_on_commit()
    return SalesRecorded(
        recorded=len(fresh),
        duplicates=len(entries) - len(fresh),
        shortfalls=decrement.shortfalls,
        units_short=decrement.units_short,
    )


def sale_entries_already_recorded(entries: Sequence[SaleEntry]) -> set[int]:
    """The indexes of the ``entries`` that are duplicates: the one rule every way a sale arrives follows.

    A sale is a duplicate when its device already recorded its transaction id, or an earlier entry
    has the same device and transaction id. A sale without a transaction id is never a duplicate.
    """
    seen = _recorded_transactions(entries)
    duplicates = set()
    for index, entry in enumerate(entries):
        if entry.transaction_id is None:
            continue
        key = (entry.device_id, entry.transaction_id)
        if key in seen:
            duplicates.add(index)
        seen.add(key)
    return duplicates


def _recorded_transactions(entries: Sequence[SaleEntry]) -> set[tuple[int, str]]:
    """The (device, transaction id) pairs of ``entries`` already recorded: one index lookup a pair."""
    pairs = {(entry.device_id, entry.transaction_id) for entry in entries if entry.transaction_id is not None}
    if not pairs:
        return set()
    batch, params = listed_rows(
        connection,
        {"device_id": Sale._meta.get_field("device"), "transaction_id": Sale._meta.get_field("transaction_id")},
        [{"device_id": device_id, "transaction_id": transaction_id} for device_id, transaction_id in pairs],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT sale.device_id, sale.transaction_id FROM {Sale._meta.db_table} AS sale JOIN {batch} AS batch"
            " ON sale.device_id = batch.device_id AND sale.transaction_id = batch.transaction_id",
            params,
        )
        return set(cursor.fetchall())


def _sale_row(entry: SaleEntry) -> dict:
    return {
        "device_id": entry.device_id,
        "product_id": entry.product_id,
        "slot_id": entry.slot_id,
        "units": entry.units,
        "cash_amount": entry.cash_amount,
        "sold_at": entry.sold_at,
        "transaction_id": entry.transaction_id,
    }


class SaleRowsInvalid(ValidationError):
    """Sale rows that cannot be recorded; ``row_errors`` maps each bad row's index to its fields' messages.

    Also a plain ValidationError whose ``rows`` messages name row, field and problem, for callers
    that show flat messages.
    """

    def __init__(self, row_errors: dict[int, dict[str, list[str]]]):
        self.row_errors = row_errors
        super().__init__(
            {
                "rows": [
                    f"Row {index}, {field}: {message}"
                    for index, fields in row_errors.items()
                    for field, messages in fields.items()
                    for message in messages
                ]
            }
        )


@dataclass
class _SaleRow:
    """One raw row's values, parsed but not yet looked up."""

    device: int | str
    product: int | str | None
    slot: str | None
    cabinet: int | None
    units: int
    cash_amount: Decimal
    sold_at: dt.datetime
    transaction_id: str | None


MAX_UNITS = 2_147_483_647  # the database's integer
MAX_ID = 2**63 - 1  # the database's big integer, what every primary key is


def sales_rows_resolve(rows: Sequence, *, devices=None) -> list[SaleEntry]:
    """Turn raw sale rows into entries for ``sales_record``, or raise ``SaleRowsInvalid`` naming every bad row.

    A row is a mapping with:

    - ``device``: its asset (a string) or id (a number), among ``devices`` (by default the active fleet);
    - ``product``: its SKU (a string) or id (a number); may be left out when ``slot`` is given,
      and is then the slot's product;
    - ``slot``: a position such as ``"A1"`` among the device's slots, optional; ``cabinet`` (its
      index, 1 to ``MAX_CABINETS_PER_DEVICE``) picks the cabinet (``slot_at_position``: by default
      the parent, or the one cabinet with that position);
    - ``units`` (a whole number from 1; 1 when left out), ``cash_amount`` (``cash_amount_parse``:
      a decimal from 0, at most 2 places), ``sold_at`` (ISO 8601; without an offset, in the
      operator's time zone);
    - ``transaction_id``: the client's id of the sale, optional, at most 100 characters.

    Types are checked in Python without a serializer per row, and every name is looked up for the
    whole batch at once: three queries whatever the number of rows.
    """
    devices = Device.objects.all() if devices is None else devices
    errors: dict[int, dict[str, list[str]]] = {}
    # Rows with bad values are looked up too, so each bad row is answered with all its problems at once.
    parsed: dict[int, _SaleRow] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors[index] = {"non_field_errors": ["Each row must be an object."]}
            continue
        errors[index] = {}
        parsed[index] = _sale_row_parse(row, errors[index])

    device_by_ref = _lookup(devices, "asset", [row.device for row in parsed.values() if row.device is not None])
    product_by_ref = _lookup(
        Product.objects.all(), "sku", [row.product for row in parsed.values() if row.product is not None]
    )
    slots_at = slots_at_positions(
        {
            (device_by_ref[row.device][0], row.slot)
            for row in parsed.values()
            if row.slot is not None and row.device in device_by_ref
        }
    )

    entries = []
    for index, row in parsed.items():
        row_errors = errors[index]
        device = device_by_ref.get(row.device)
        if device is None and row.device is not None:
            row_errors["device"] = [_unknown("asset", "device id", row.device)]
        product_id = slot_id = None
        if row.product is not None:
            product = product_by_ref.get(row.product)
            if product is None:
                row_errors["product"] = [_unknown("SKU", "product id", row.product)]
            else:
                product_id = product[0]
        if device is not None and row.slot is not None:
            try:
                slot = slot_at_position(
                    slots_at, device_id=device[0], asset=device[1], position=row.slot, cabinet=row.cabinet
                )
            except ValueError as problem:
                row_errors["slot"] = [str(problem)]
            else:
                slot_id = slot.slot_id
                if product_id is None and row.product is None:
                    product_id = slot.product_id
                    if product_id is None:
                        row_errors["product"] = [f"Slot {row.slot} holds no product; give the product."]
        if row_errors:
            continue
        entries.append(
            SaleEntry(
                device_id=device[0],
                product_id=product_id,
                slot_id=slot_id,
                units=row.units,
                cash_amount=row.cash_amount,
                sold_at=row.sold_at,
                transaction_id=row.transaction_id,
            )
        )
    errors = {index: row_errors for index, row_errors in errors.items() if row_errors}
    if errors:
        raise SaleRowsInvalid(errors)
    return entries


def _sale_row_parse(row: Mapping, errors: dict) -> _SaleRow:
    """Check a row's types and ranges: a bad field's value is None and its messages go to ``errors``."""

    def field(name, parse, *, required=True, default=None):
        value = row.get(name)
        if value is None or value == "":
            if required:
                errors[name] = ["This field is required."]
            return default
        if isinstance(value, str) and "\x00" in value:  # no database text column can hold one
            errors[name] = ["Null characters are not allowed."]
            return None
        try:
            return parse(value)
        except ValueError as problem:
            errors[name] = [str(problem)]
            return None

    values = _SaleRow(
        device=field("device", _reference),
        product=field("product", _reference, required=False),
        slot=field("slot", slot_position_parse, required=False),
        cabinet=field("cabinet", lambda value: _whole_number(value, 1, MAX_CABINETS_PER_DEVICE), required=False),
        units=field("units", lambda value: _whole_number(value, 1, MAX_UNITS), required=False, default=1),
        cash_amount=field("cash_amount", cash_amount_parse),
        sold_at=field("sold_at", _moment),
        transaction_id=field("transaction_id", _transaction_id, required=False),
    )
    if values.product is None and values.slot is None and "product" not in errors and "slot" not in errors:
        errors["product"] = ["Give the product, or the slot it was sold from."]
    return values


def _reference(value) -> int | str:
    """A natural key (a string) or an id (a number)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 < value <= MAX_ID:
            raise ValueError(f"An id is a whole number from 1 to {MAX_ID}.")
        return value
    raise ValueError("Give a name (a string) or an id (a number).")


def _whole_number(value, minimum: int, maximum: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("A whole number is required.")
    # Django's validator messages, as the model's own validation words them.
    if value < minimum:
        raise ValueError(f"Ensure this value is greater than or equal to {minimum}.")
    if value > maximum:
        raise ValueError(f"Ensure this value is less than or equal to {maximum}.")
    return value


def _moment(value) -> dt.datetime:
    """An ISO 8601 string, or a datetime (a spreadsheet's cell); without an offset, in the operator's zone.

    When a sale can have happened: ``event_moment_check``'s window, the rule every moment a client sends follows.
    """
    try:
        moment = value if isinstance(value, dt.datetime) else parse_datetime(value.strip())
    except (AttributeError, ValueError):
        moment = None
    if moment is None:
        raise ValueError(f"“{value}” is not a date and time; write it in ISO 8601, e.g. 2025-03-01T14:30:00-06:00.")
    try:
        return event_moment_check(moment if timezone.is_aware(moment) else timezone.make_aware(moment))
    except ValidationError as implausible:
        raise ValueError(implausible.messages[0]) from None


def _transaction_id(value) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValueError("Give the transaction id as a string.")
    value = str(value).strip()
    if len(value) > 100:
        raise ValueError("At most 100 characters.")
    return value


def _lookup(queryset, key: str, references) -> dict[int | str, tuple[int, str]]:
    """``(pk, natural key)`` of each reference found: strings by ``key``, numbers by id, in one query."""
    names = {reference for reference in references if isinstance(reference, str)}
    ids = {reference for reference in references if isinstance(reference, int)}
    if not names and not ids:
        return {}
    found = {}
    for pk, name in queryset.filter(Q(**{f"{key}__in": names}) | Q(pk__in=ids)).values_list("pk", key):
        if name in names:
            found[name] = (pk, name)
        if pk in ids:
            found[pk] = (pk, name)
    return found


def _unknown(key: str, id_label: str, reference) -> str:
    return f"Unknown {key} “{reference}”." if isinstance(reference, str) else f"Unknown {id_label} {reference}."
