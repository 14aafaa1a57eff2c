"""Writes of a planogram together with its slots."""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from devices.models import Cabinet
from planograms.models import Planogram, PlanogramSlot

SLOT_FIELDS = ("product", "quantity", "capacity", "par_level", "price")

SlotData = Mapping[str, Any]


class SlotsValidationError(ValidationError):
    """Slots that break a rule, aligned with the slots given: ``slot_errors[i]`` is slot i's error, or None.

    As a plain ValidationError it reads ``{"slots": ["Slot 2 (A3): …"]}`` (forms, the admin);
    ``slot_errors`` keeps each slot's field-keyed messages for API clients.
    """

    def __init__(self, slot_errors: list[ValidationError | None], positions: Sequence[Any]):
        self.slot_errors = slot_errors
        super().__init__(
            {
                "slots": [
                    f"Slot {number} ({position}): {message}"
                    for number, (error, position) in enumerate(zip(slot_errors, positions, strict=True), 1)
                    if error is not None
                    for message in error.messages
                ]
            }
        )


@transaction.atomic
def planogram_create(*, cabinet: Cabinet, name: str = "", slots: Sequence[SlotData] = ()) -> Planogram:
    """Create the planogram of ``cabinet`` with ``slots`` (dicts of slot fields, ``product`` as an instance)."""
    planogram = Planogram(cabinet=cabinet, name=name)
    planogram.full_clean()
    planogram.save()
    _slots_replace(planogram=planogram, slots=slots)
    return planogram


@transaction.atomic
def planogram_update(*, planogram: Planogram, name: str, slots: Sequence[SlotData] | None) -> Planogram:
    """Rename the planogram and, unless ``slots`` is None, replace its slot set by position.

    A slot whose position is in ``slots`` keeps its id (and with it its metrics and sales links) and
    takes the fields given, keeping the others; a new position is created with the model's defaults
    for fields not given; a position missing from ``slots`` is deleted. All or nothing.
    """
    planogram.name = name
    planogram.full_clean()
    planogram.save(update_fields=["name", "updated_at"])
    if slots is not None:
        _slots_replace(planogram=planogram, slots=slots)
    return planogram


def _slots_replace(*, planogram: Planogram, slots: Sequence[SlotData]) -> None:
    existing = {slot.position: slot for slot in planogram.slots.all()}
    seen: set[str] = set()
    created: list[PlanogramSlot] = []
    changed: list[PlanogramSlot] = []
    errors: list[ValidationError | None] = []
    now = timezone.now()
    for data in slots:
        position = data.get("position")
        if position in seen:
            errors.append(ValidationError({"position": f"Position {position} is given more than once."}))
            continue
        seen.add(position)
        slot = existing.get(position)
        if slot is None:
            slot = PlanogramSlot(planogram=planogram, **data)
            created.append(slot)
        else:
            values = {field: data[field] for field in SLOT_FIELDS if field in data}
            if any(getattr(slot, field) != value for field, value in values.items()):
                for field, value in values.items():
                    setattr(slot, field, value)
                # bulk_update skips auto_now; the metrics engine finds changed slots by updated_at.
                slot.updated_at = now
                changed.append(slot)
        errors.append(_slot_error(slot))
    if any(errors):
        raise SlotsValidationError(errors, [data.get("position") for data in slots])

    planogram.slots.exclude(position__in=seen).delete()
    PlanogramSlot.objects.bulk_update(changed, [*SLOT_FIELDS, "updated_at"])
    PlanogramSlot.objects.bulk_create(created)


def _slot_error(slot: PlanogramSlot) -> ValidationError | None:
    """The slot's field and ``clean()`` rules, without a query per slot.

    Positions are unique by the check above and by matching existing slots on position; the check
    constraints repeat what ``clean()`` and the field validators already name; related rows arrive
    as instances the caller resolved.
    """
    try:
        slot.full_clean(exclude=["planogram", "product"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return error
    return None
