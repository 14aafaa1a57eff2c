"""Reads of planograms, their slots and their stock movements, scoped to what the asking user may see."""

from django.db.models import QuerySet

from devices.selectors import devices_visible_to

from .models import InventoryMovement, Planogram, PlanogramSlot


def planograms_visible_to(user) -> QuerySet[Planogram]:
    """Planograms of the devices the user may see."""
    return Planogram.objects.filter(cabinet__device__in=devices_visible_to(user))


def slots_visible_to(user) -> QuerySet[PlanogramSlot]:
    """Slots of the planograms of the devices the user may see."""
    return PlanogramSlot.objects.filter(planogram__cabinet__device__in=devices_visible_to(user))


def inventory_movements_visible_to(user):
    """Movements of the slots of the devices the user may see."""
    return InventoryMovement.objects.filter(slot__planogram__cabinet__device__in=devices_visible_to(user))
