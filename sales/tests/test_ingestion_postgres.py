"""Sales ingestion with the real parts: two clients posting overlapping batches at once on PostgreSQL."""

import threading
from collections import Counter

import pytest
from django.db import connections
from rest_framework.test import APIClient

from accounts import roles
from accounts.tests.factories import UserFactory
from devices.tests.factories import DeviceFactory
from planograms.models import InventoryMovement, PlanogramSlot
from planograms.tests.factories import PlanogramSlotFactory
from sales.models import Sale

pytestmark = pytest.mark.django_db(transaction=True)

STOCK = 40


def sale_row(number, assets):
    # Sales of transaction n come from device n % 6, units 1 + n % 3: the second client's batch
    # names the devices in the opposite order, so only ordered locking keeps them from deadlocking.
    return {
        "device": assets[number % len(assets)],
        "slot": "A1",
        "units": 1 + number % 3,
        "cash_amount": "1.50",
        "sold_at": "2025-03-01T08:30:00-06:00",
        "transaction_id": f"T{number}",
    }


def test_two_clients_posting_overlapping_batches_record_each_transaction_once():
    assets = [f"PG{n}" for n in range(6)]
    slots = {
        asset: PlanogramSlotFactory(
            planogram__cabinet__device=DeviceFactory(asset=asset), position="A1", quantity=STOCK, capacity=100
        )
        for asset in assets
    }
    manager = UserFactory(role=roles.MANAGER)
    batches = [
        [sale_row(n, assets) for n in range(120)],
        [sale_row(n, assets) for n in reversed(range(60, 180))],
    ]
    start = threading.Barrier(len(batches))
    answers, errors = [], []

    def post(rows):
        try:
            client = APIClient()
            client.force_authenticate(manager)
            start.wait()
            answers.append(client.post("/api/sales/", {"rows": rows}, format="json"))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(rows,)) for rows in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert errors == []
    assert [answer.status_code for answer in answers] == [201, 201], [answer.data for answer in answers]
    assert sum(answer.data["recorded"] for answer in answers) == 180
    assert sum(answer.data["duplicates"] for answer in answers) == 60
    transactions = Counter(Sale.objects.values_list("transaction_id", flat=True))
    assert transactions == Counter({f"T{n}": 1 for n in range(180)})

    # The reference: every distinct transaction once, stock floored at zero per slot.
    sold = Counter()
    for number in range(180):
        sold[assets[number % len(assets)]] += 1 + number % 3
    for asset, slot in slots.items():
        assert PlanogramSlot.objects.get(pk=slot.pk).quantity == max(STOCK - sold[asset], 0)
        movements = InventoryMovement.objects.filter(slot=slot)
        assert sum(m.quantity_before - m.quantity_after + m.shortfall for m in movements) == sold[asset]
