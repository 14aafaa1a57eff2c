"""Device row locks: taken in id order, held by the transaction against every other connection."""

import re
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from devices.locking import devices_lock
from devices.models import Device
from devices.tests.factories import DeviceFactory

# Committed rows, so that a second connection sees them and can try to lock them.
pytestmark = pytest.mark.django_db(transaction=True)

LOCK_NOT_AVAILABLE = "55P03"


@contextmanager
def other_connection():
    """A second connection to the test database, as another worker's would be."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield other
    finally:
        other.close()


def locked_elsewhere(device) -> bool:
    """Whether another connection holds ``device``'s row: this one asks for it without waiting (NOWAIT)."""
    with other_connection() as other, other.cursor() as cursor:
        try:
            cursor.execute(f"SELECT id FROM {Device._meta.db_table} WHERE id = %s FOR UPDATE NOWAIT", [device.pk])
        except OperationalError as error:
            assert error.__cause__.sqlstate == LOCK_NOT_AVAILABLE
            return True
        return False


def test_devices_are_locked_in_id_order_in_one_query_whatever_order_they_are_named_in():
    first, second, third = DeviceFactory.create_batch(3)

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        devices_lock(device_ids=[third.pk, first.pk, second.pk])

    [lock] = queries.captured_queries
    # The only column selected is the id, so "ORDER BY 1" orders by it.
    assert re.fullmatch(
        r'SELECT "devices_device"\."id" AS "pk" FROM "devices_device" WHERE .* ORDER BY 1 ASC FOR UPDATE', lock["sql"]
    )


def test_a_writer_waiting_for_one_device_holds_the_lower_ids_only():
    # Assets sort against the ids, so the model's default ordering would lock in the other order.
    first, second, third = (DeviceFactory(asset=asset) for asset in ("Z3", "Z2", "Z1"))
    errors = []

    def writer():
        try:
            with transaction.atomic():
                devices_lock(device_ids=[third.pk, second.pk, first.pk])
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    with other_connection() as holder:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {Device._meta.db_table} WHERE id = %s FOR UPDATE", [second.pk])
        thread = threading.Thread(target=writer)
        thread.start()
        deadline = time.monotonic() + 10
        while not locked_elsewhere(first):  # the writer has taken the first device and waits for the second
            assert time.monotonic() < deadline, "the writer never locked the lowest id"
            time.sleep(0.05)

        assert not locked_elsewhere(third)

        holder.rollback()
    thread.join(timeout=10)
    assert not thread.is_alive()
    assert errors == []


def test_another_connection_cannot_lock_a_locked_device_until_the_transaction_ends():
    locked, also_locked, free = DeviceFactory.create_batch(3)

    with transaction.atomic():
        devices_lock(device_ids=[locked.pk, also_locked.pk])

        assert locked_elsewhere(locked)
        assert locked_elsewhere(also_locked)
        assert not locked_elsewhere(free)

    assert not locked_elsewhere(locked)


def test_no_ids_named_locks_every_device_even_soft_deleted_ones():
    device = DeviceFactory()
    retired = DeviceFactory()
    Device.all_objects.filter(pk=retired.pk).update(deleted_at="2025-03-01T00:00:00Z")

    with transaction.atomic():
        devices_lock(device_ids=None)

        assert locked_elsewhere(device)
        assert locked_elsewhere(retired)


def test_locking_no_devices_issues_no_query():
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        devices_lock(device_ids=[])

    assert queries.captured_queries == []
