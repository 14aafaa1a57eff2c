"""Stock on hand: sales lower it, service visits raise or count it, and every change is audited.

Each change of a slot's quantity writes an ``InventoryMovement`` (before, after, reason, who,
when). A visit also touches the slots' ``updated_at``, which is what makes the incremental metrics
run pick their device up (``devices_needing_recalculation``); a sale does not: its device's
``sales_recorded_at`` already marks it, and leaving the indexed ``updated_at`` alone lets
PostgreSQL update the slot in place (a HOT update, no new index entries), in a third of the time.
Writes are set-based: one read of the slots (locked), one ``UPDATE … FROM`` the listed rows and
one insert of the movements, whatever the number of slots.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from cvd_portal.db import bulk_insert, listed_rows, update_by_id
from devices.locking import devices_lock
from devices.models import Device
from planograms.choices import InventoryMovementReason, RestockMode
from planograms.models import InventoryMovement, PlanogramSlot, ServiceVisit
from planograms.signals import stock_changed_on_commit


@dataclass(frozen=True)
class SlotSales:
    """The units a batch of sales took from one slot, and when the last of them was sold."""

    units: int
    last_sold_at: dt.datetime


@dataclass(frozen=True)
class SalesDecrement:
    """What a batch of sales did to the stock: slots lowered, and those that ran short."""

    slots: int
    shortfalls: int
    units_short: int


def slot_quantities_sell(*, sales_by_slot: Mapping[int, SlotSales], user=None) -> SalesDecrement:
    """Lower each slot's quantity by the units sold from it, never below zero.

    The units sold beyond the stock on hand are recorded as the movement's shortfall (an
    inventory discrepancy to look into), not hidden. The caller holds the slots' devices locked.
    """
    if not sales_by_slot:
        return SalesDecrement(slots=0, shortfalls=0, units_short=0)
    now = timezone.now()
    before = _locked_quantities(list(sales_by_slot))
    movements = []
    for slot_id, quantity in before.items():
        sold = sales_by_slot[slot_id]
        movements.append(
            {
                "slot_id": slot_id,
                "reason": InventoryMovementReason.SALE.value,
                "quantity_before": quantity,
                "quantity_after": max(quantity - sold.units, 0),
                "shortfall": max(sold.units - quantity, 0),
                "user_id": user.pk if user else None,
                "occurred_at": sold.last_sold_at,
                "recorded_at": now,
            }
        )
    _quantities_write(movements)
    short = [movement["shortfall"] for movement in movements if movement["shortfall"]]
    return SalesDecrement(slots=len(movements), shortfalls=len(short), units_short=sum(short))


@dataclass(frozen=True)
class SlotReturn:
    """Units put back into one slot: its quantity before and after (at most its capacity), and the capacity."""

    quantity_before: int
    quantity_after: int
    capacity: int


def slot_quantities_return(*, units_by_slot: Mapping[int, int], user=None) -> dict[int, SlotReturn]:
    """Put units back into slots, as when sales are reversed: the opposite of ``slot_quantities_sell``.

    Each slot's quantity rises by its units, at most to its capacity (a slot filled since holds no
    more); each slot whose quantity changed gets a ``correction`` movement, dated now. Answers, by
    slot, its quantity before and after. The caller holds the slots' devices locked.
    """
    units_by_slot = {slot_id: units for slot_id, units in units_by_slot.items() if units > 0}
    if not units_by_slot:
        return {}
    now = timezone.now()
    returned, movements = {}, []
    for slot_id, quantity, capacity in _locked_slots(list(units_by_slot), "quantity", "capacity"):
        after = min(quantity + units_by_slot[slot_id], capacity)
        returned[slot_id] = SlotReturn(quantity, after, capacity)
        if after == quantity:
            continue
        movements.append(
            {
                "slot_id": slot_id,
                "reason": InventoryMovementReason.CORRECTION.value,
                "quantity_before": quantity,
                "quantity_after": after,
                "shortfall": 0,
                "user_id": user.pk if user else None,
                "occurred_at": now,
                "recorded_at": now,
            }
        )
    _quantities_write(movements, touched_at=now)
    return returned


@transaction.atomic
def restock(
    *,
    slots: Iterable[PlanogramSlot],
    mode: RestockMode,
    user=None,
    counts: Mapping[int, int] | None = None,
    performed_at: dt.datetime | None = None,
    note: str = "",
) -> ServiceVisit:
    """Record a service visit to one device that filled or counted some of its slots.

    - ``PAR``: raise each stocked slot to its par level; a slot already above par keeps its stock.
    - ``CAPACITY``: fill each stocked slot to its capacity.
    - ``COUNT``: set the counted quantities, ``counts`` by slot id (0 to the slot's capacity);
      only the counted slots change.

    Fills skip unassigned (no product) and maintenance (zero-capacity) slots. A movement is
    written for every slot whose quantity changed, and for every counted slot (a count that
    confirms the quantity is worth keeping too). The metrics are recalculated after the commit.
    """
    mode = RestockMode(mode)
    slot_ids = sorted({slot.pk for slot in slots})
    if mode == RestockMode.COUNT:
        counts = counts or {}
        if not counts:
            raise ValidationError({"counts": "Give the counted quantity of at least one slot."})
        unknown = sorted(set(counts) - set(slot_ids))
        if unknown:
            raise ValidationError({"counts": f"Not among the slots restocked: {', '.join(map(str, unknown))}."})
        slot_ids = sorted(counts)
    device_ids = list(
        Device.all_objects.filter(cabinets__planogram__slots__pk__in=slot_ids).values_list("pk", flat=True).distinct()
    )
    if len(device_ids) != 1:
        raise ValidationError("A service visit restocks the slots of exactly one device.")
    # The lock sales take, so a visit and an ingestion on one device take turns.
    devices_lock(device_ids=device_ids)

    now = timezone.now()
    visit = ServiceVisit.objects.create(
        device_id=device_ids[0], performed_by=user, performed_at=performed_at or now, note=note
    )
    slots = PlanogramSlot.objects.filter(pk__in=slot_ids).select_for_update()
    if mode != RestockMode.COUNT:
        slots = slots.stockable()
    rows = slots.order_by("pk").values_list("pk", "position", "quantity", "capacity", "par_level")
    movements, errors = [], []
    for slot_id, position, quantity, capacity, par_level in rows:
        if mode == RestockMode.PAR:
            after = max(quantity, par_level)
        elif mode == RestockMode.CAPACITY:
            after = capacity
        else:
            after = counts[slot_id]
            if not (isinstance(after, int) and 0 <= after <= capacity):
                errors.append(f"{position}: the count must be a whole number from 0 to the capacity {capacity}.")
                continue
        if after == quantity and mode != RestockMode.COUNT:
            continue
        movements.append(
            {
                "slot_id": slot_id,
                "reason": (
                    InventoryMovementReason.COUNT if mode == RestockMode.COUNT else InventoryMovementReason.RESTOCK
                ).value,
                "quantity_before": quantity,
                "quantity_after": after,
                "shortfall": 0,
                "service_visit_id": visit.pk,
                "user_id": user.pk if user else None,
                "occurred_at": visit.performed_at,
                "recorded_at": now,
            }
        )
    if errors:
        raise ValidationError({"counts": errors})
    _quantities_write(movements, touched_at=now)
    stock_changed_on_commit()
    return visit


def _locked_quantities(slot_ids: Sequence[int]) -> dict[int, int]:
    """Each slot's quantity, its row locked (``_locked_slots``)."""
    return dict(_locked_slots(slot_ids, "quantity"))


def _locked_slots(slot_ids: Sequence[int], *columns: str) -> list[tuple]:
    """Each slot's id and ``columns``, its row locked (in id order, as everywhere).

    The ids go as one listed relation: a fleet's batch names some 10,000 slots, which ``pk__in``
    would send as as many parameters, each built, sent and parsed.
    """
    table = PlanogramSlot._meta.db_table
    ids, params = listed_rows(connection, {"id": PlanogramSlot._meta.pk}, [{"id": slot_id} for slot_id in slot_ids])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, {', '.join(columns)} FROM {table} WHERE id IN (SELECT id FROM {ids} AS listed)"
            " ORDER BY id FOR UPDATE",
            params,
        )
        return cursor.fetchall()


def _quantities_write(movements: Sequence[dict], *, touched_at: dt.datetime | None = None) -> None:
    """Set each moved slot's quantity to its movement's ``quantity_after`` and record the movements.

    ``touched_at``, when given, becomes the slots' ``updated_at`` (by hand: a set-based UPDATE
    skips auto_now, and the incremental run reads it).
    """
    if not movements:
        return
    slots = [{"id": movement["slot_id"], "quantity": movement["quantity_after"]} for movement in movements]
    assignments = ["quantity = batch.quantity"]
    if touched_at is not None:
        assignments.append("updated_at = batch.updated_at")
        for slot in slots:
            slot["updated_at"] = touched_at
    update_by_id(PlanogramSlot, assignments, slots)
    bulk_insert(InventoryMovement, movements)
