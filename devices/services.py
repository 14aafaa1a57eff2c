"""Writes to the fleet that carry a rule beyond a plain save."""

from django.db import transaction
from django.utils import timezone

from .models import Device


@transaction.atomic
def device_soft_delete(*, device: Device, user=None) -> Device:
    """Retire a device: hidden from the fleet, metrics and analytics, but its history is kept."""
    if device.deleted_at is None:
        device.deleted_at = timezone.now()
        device.deleted_by = user
        device.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return device


@transaction.atomic
def device_restore(*, device: Device) -> Device:
    """Bring a soft-deleted device back into the fleet."""
    if device.deleted_at is not None:
        device.deleted_at = None
        device.deleted_by = None
        device.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
    return device
