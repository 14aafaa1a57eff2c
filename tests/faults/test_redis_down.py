"""Redis, the Celery broker, down while sales arrive.

The portal's API (in this process, on the committed test database) sends its tasks to a Redis
server of the test's own, which is stopped. Sales posted meanwhile are recorded and answered 201:
queueing the metrics run after the commit fails, is logged, and raises nothing. A recalculation a
manager asks for meanwhile is answered with a run that says it failed, not one left queued, which
every later request would join for ``METRICS_RUN_QUEUE_TIMEOUT`` seconds, with nothing to run it.
Redis starts again; the next scheduled incremental run goes through it to a real worker and
recalculates every device the sales made stale.
"""

import datetime as dt
import time

import pytest
from django.utils import timezone

from accounts import roles
from accounts.tests.factories import UserFactory
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun
from metrics.services.engine import recalculate_metrics
from metrics.services.runs import devices_needing_recalculation
from metrics.tasks import request_metrics_recalculation
from metrics.tests.oracle import stored_metrics
from planograms.models import PlanogramSlot
from sales.models import Sale

from .fleet import STOCK, metrics_are_right, stocked_fleet
from .services import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

DEVICES = 4
# How long a request may take while the broker is down: the publish's retries, no more.
BROKER_DOWN_REQUEST_SECONDS = 10


def sale_rows(slots, batch):
    sold_at = timezone.now() - dt.timedelta(hours=1)
    return [
        {
            "device": slot.planogram.cabinet.device.asset,
            "slot": slot.position,
            "units": 2,
            "cash_amount": "3.00",
            "sold_at": sold_at.isoformat(),
            "transaction_id": f"R{batch}-{slot.pk}",
        }
        for slot in slots
    ]


def test_sales_are_recorded_while_redis_is_down_and_the_metrics_catch_up_when_it_is_back(
    redis_server, celery_broker, start_worker, client_for
):
    slots = stocked_fleet(DEVICES)
    recalculate_metrics()
    before = stored_metrics()
    client = client_for(UserFactory(role=roles.MANAGER))

    redis_server.stop()
    for batch in range(2):
        started = time.monotonic()
        response = client.post("/api/sales/", {"rows": sale_rows(slots, batch)}, format="json")
        assert response.status_code == 201, response.data
        assert response.data["recorded"] == len(slots)
        assert time.monotonic() - started < BROKER_DOWN_REQUEST_SECONDS
    assert Sale.objects.filter(transaction_id__startswith="R").count() == 2 * len(slots)
    assert set(PlanogramSlot.objects.values_list("quantity", flat=True)) == {STOCK - 4}
    # Nothing recalculated them: the devices wait, stale, for the broker.
    assert stored_metrics() == before
    assert len(set(devices_needing_recalculation())) == DEVICES

    response = client.post("/api/metrics/calculate", {}, format="json")
    assert response.status_code == 202, response.data
    assert response.data["status"] == MetricsRunStatus.FAILED, response.data
    assert response.data["error"]

    redis_server.start()
    worker = start_worker()
    # What celery beat sends every 15 minutes.
    request_metrics_recalculation.delay(MetricsRunScope.INCREMENTAL)

    def caught_up():
        assert worker.alive(), worker.log_tail()
        return not list(devices_needing_recalculation())

    try:
        wait_until(caught_up, timeout=40, interval=0.1, message="the incremental run recalculated the stale devices")
    except AssertionError as error:
        runs = list(MetricsRun.objects.values_list("pk", "scope", "status", "coalesced_requests", "error"))
        raise AssertionError(f"{error}: runs {runs}\n{worker.log_tail()}") from None
    run = MetricsRun.objects.get(scope=MetricsRunScope.INCREMENTAL)
    assert (run.status, run.devices_processed) == (MetricsRunStatus.SUCCEEDED, DEVICES)
    assert metrics_are_right()
