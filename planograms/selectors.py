"""Reads of planograms, their slots and their stock movements, scoped to what the asking user may see."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

from cvd_portal.db import listed_rows
from devices.models import Cabinet
from devices.selectors import devices_visible_to

from .models import SLOT_POSITION_PATTERN, InventoryMovement, Planogram, PlanogramSlot


def planograms_visible_to(user) -> QuerySet[Planogram]:
    """Planograms of the devices the user may see."""
    return Planogram.objects.filter(cabinet__device__in=devices_visible_to(user))


def slots_visible_to(user) -> QuerySet[PlanogramSlot]:
    """Slots of the planograms of the devices the user may see."""
    return PlanogramSlot.objects.filter(planogram__cabinet__device__in=devices_visible_to(user))


def inventory_movements_visible_to(user):
    """Movements of the slots of the devices the user may see."""
    return InventoryMovement.objects.filter(slot__planogram__cabinet__device__in=devices_visible_to(user))


# A slot by its position: how a sale, a count or a person names a slot ("A1") of a device.


@dataclass(frozen=True)
class SlotAtPosition:
    slot_id: int
    product_id: int | None


# (device id, position) → {cabinet index: the slot at that position in that cabinet}
SlotsAtPositions = Mapping[tuple[int, str], Mapping[int, SlotAtPosition]]


def slot_position_parse(value) -> str:
    """A position as people write it (``" a1"`` is ``A1``); ValueError unless a row letter and a column number."""
    position = value.strip().upper() if isinstance(value, str) else None
    if position is None or not re.fullmatch(SLOT_POSITION_PATTERN, position):
        raise ValueError("Use a row letter and a column number, e.g. A1.")
    return position


def slots_at_positions(pairs: Iterable[tuple[int, str]]) -> SlotsAtPositions:
    """The slots at each (device id, position) pair given, in every cabinet of the device, in one query.

    Joined against the pairs, so a batch spread over the fleet reads its slots, not every slot at
    the positions it names. Pick one with ``slot_at_position``.
    """
    pairs = set(pairs)
    found: dict[tuple[int, str], dict[int, SlotAtPosition]] = {}
    if not pairs:
        return found
    listed, params = listed_rows(
        connection,
        {"device_id": Cabinet._meta.get_field("device"), "position": PlanogramSlot._meta.get_field("position")},
        [{"device_id": device_id, "position": position} for device_id, position in pairs],
    )
    cabinet_index = connection.ops.quote_name(Cabinet._meta.get_field("index").column)  # a keyword in SQL
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT cabinet.device_id, slot.position, cabinet.{cabinet_index},"
            f" slot.id, slot.product_id FROM {PlanogramSlot._meta.db_table} AS slot"
            f" JOIN {Planogram._meta.db_table} AS planogram ON planogram.id = slot.planogram_id"
            f" JOIN {Cabinet._meta.db_table} AS cabinet ON cabinet.id = planogram.cabinet_id"
            f" JOIN {listed} AS pair ON pair.device_id = cabinet.device_id AND pair.position = slot.position",
            params,
        )
        for device_id, position, cabinet, slot_id, product_id in cursor.fetchall():
            found.setdefault((device_id, position), {})[cabinet] = SlotAtPosition(slot_id, product_id)
    return found


def slot_at_position(
    slots_at: SlotsAtPositions, *, device_id: int, asset: str, position: str, cabinet: int | None = None
) -> SlotAtPosition:
    """The device's slot at ``position``, among ``slots_at`` (read by ``slots_at_positions``).

    With ``cabinet`` (an index), the slot in that cabinet. Without, the parent cabinet's (index 1),
    else the only cabinet's that has the position; when several added cabinets have it, the cabinet
    must be given. Raises ValueError naming the device (by ``asset``) when there is no such slot.
    """
    by_cabinet = slots_at.get((device_id, position), {})
    if cabinet is not None:
        if cabinet in by_cabinet:
            return by_cabinet[cabinet]
        raise ValueError(f"Device {asset} has no slot {position} in cabinet {cabinet}.")
    if 1 in by_cabinet:
        return by_cabinet[1]
    if len(by_cabinet) == 1:
        return next(iter(by_cabinet.values()))
    if not by_cabinet:
        raise ValueError(f"Device {asset} has no slot {position}.")
    raise ValueError(f"Device {asset} has a slot {position} in more than one added cabinet; give the cabinet.")
