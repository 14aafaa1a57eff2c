"""The engine with the real parts: PostgreSQL row locks, a Celery worker on the Redis broker.

The worker test needs a broker; CI provides one and fails on any skip, so it always runs there.
"""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from cvd_portal.celery import app as celery_app
from cvd_portal.celery import broker_configured
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import CabinetMetrics, DeviceMetrics, MetricsRun, SlotMetrics
from metrics.services.engine import recalculate_metrics
from metrics.services.runs import metrics_run_request
from metrics.tests.oracle import fleet_metrics, stored_metrics
from planograms.tests.factories import PlanogramSlotFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import SaleFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def build_fleet(devices=6):
    slots = []
    for number in range(devices):
        slot = PlanogramSlotFactory(position="A1", quantity=number + 1, capacity=10)
        SaleFactory(
            device=slot.planogram.cabinet.device,
            product=slot.product,
            units=3,
            sold_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=2),
        )
        slots.append(slot)
    sales_rollups_rebuild()
    return slots


def test_two_recalculations_started_together_end_as_one_run_would():
    build_fleet()
    now = dt.datetime.now(dt.UTC)
    start = threading.Barrier(2)
    errors = []

    def recalculate():
        try:
            start.wait()
            recalculate_metrics(now=now)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recalculate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert errors == []
    assert stored_metrics() == fleet_metrics(now)
    assert SlotMetrics.objects.count() == 6
    assert CabinetMetrics.objects.count() == 6
    assert DeviceMetrics.objects.count() == 6


@pytest.fixture
def celery_worker_process():
    """A real worker, in its own process, consuming a queue of its own on the configured broker."""
    if not broker_configured():
        pytest.skip("needs a broker: set CELERY_BROKER_URL (CI does)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cvd_portal.settings.test",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "METRICS_CHUNK_DEVICES": "2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cvd_portal", "worker", "--pool=threads", "--concurrency=2",
         "--queues", queue, "--loglevel=WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_default_queue
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    try:
        yield worker
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
        worker.terminate()
        worker.wait(timeout=30)


def test_a_real_worker_on_the_broker_writes_the_metrics_to_postgresql(celery_worker_process):
    build_fleet(devices=5)
    run, coalesced = metrics_run_request(scope=MetricsRunScope.FULL)
    assert not coalesced
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.2)
    else:
        celery_worker_process.terminate()
        pytest.fail(f"the worker did not finish the run: {celery_worker_process.communicate()[0]}")
    assert run.status == MetricsRunStatus.SUCCEEDED, run.error
    assert run.chunks_total == 3 and sorted(run.finished_chunks) == [0, 1, 2]
    assert (run.devices_processed, run.slots_processed) == (5, 5)
    assert DeviceMetrics.objects.count() == 5
    assert MetricsRun.objects.count() == 1
