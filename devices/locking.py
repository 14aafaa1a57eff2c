"""The devices' row locks: every writer of a device's sales, stock, rollups or metrics takes them first."""

from collections.abc import Iterable

from devices.models import Device


def devices_lock(*, device_ids: Iterable[int] | None) -> None:
    """Lock the devices' rows (every device's when ``device_ids`` is None) until the transaction ends.

    In id order, so concurrent writers of the same devices take turns instead of deadlocking: each
    waits for the first device it shares with an earlier one and then holds all it needs, whatever
    order its caller named them in. Soft-deleted devices are locked too. One query; the caller's
    ``transaction.atomic`` holds the locks.
    """
    devices = Device.all_objects.all() if device_ids is None else Device.all_objects.filter(pk__in=device_ids)
    # PostgreSQL locks the rows as the ordered scan returns them: the ORDER BY is the locking order.
    list(devices.order_by("pk").select_for_update().values_list("pk", flat=True))
