"""A Celery worker killed with SIGKILL in the middle of a metrics run.

A real worker (prefork, production settings) on a Redis server of the test's own recalculates a
committed test database. A trigger holds the run's chunk after it wrote the slot and cabinet
metrics and before the device metrics, uncommitted; then the worker is killed:

- the whole worker (its main process and pool: a host or container gone), whose unacknowledged
  task Redis delivers again to the next worker once the visibility timeout passes;
- only the pool process running the chunk (what the kernel's OOM killer picks), under a main
  process that lives on and sees its worker lost.

Either way the metrics stay exactly as before the run, the run is finished by a retry of its
task, counted once, and the next requested run succeeds with the right metrics.

The last test kills the pool process while the run's own task starts it (the run turning running
and its chunks being sent): the run is started again by the retried task, not left running for
ever with no chunk to finish it.
"""

import json

import psutil
import pytest

from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import DeviceMetrics, MetricsRun
from metrics.services.engine import recalculate_metrics
from metrics.services.runs import metrics_run_request
from metrics.tests.oracle import stored_metrics

from .fleet import metrics_are_right, stocked_fleet, take_stock
from .holds import backend_gone
from .services import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

DEVICES = 6
# Redis hands an unacknowledged task to another consumer once its visibility timeout passes: an
# hour by default. The rescuing worker looks every second with a timeout of two.
REDELIVER_QUICKLY = json.dumps({"visibility_timeout": 2, "unacked_restore_interval": 1, "unacked_restore_throttle": 1})


def wait_for_hold(hold, worker, what):
    """The backend the worker holds at ``hold``, once it waits there (failing at once if the worker died)."""

    def waiting():
        assert worker.alive(), f"the worker died:\n{worker.log_tail()}"
        return hold.waiting()

    (backend,) = wait_until(waiting, timeout=30, message=what)
    return backend


def wait_for_runs(runs, workers, timeout=40):
    def finished():
        for worker in workers:
            assert worker.alive(), f"the worker died:\n{worker.log_tail()}"
        for run in runs:
            run.refresh_from_db()
        return all(run.is_finished for run in runs)

    try:
        wait_until(finished, timeout=timeout, interval=0.1, message="the runs finished")
    except AssertionError as error:
        logs = "\n".join(worker.log_tail() for worker in workers)
        states = [(run.pk, run.status, run.finished_chunks, run.error) for run in runs]
        raise AssertionError(f"{error}: {states}\n{logs}") from None


@pytest.mark.parametrize("killed", ["worker", "pool process"])
def test_a_worker_killed_mid_run_leaves_the_metrics_intact_and_its_run_is_retried(
    killed, start_worker, write_hold, test_database_conninfo
):
    stocked_fleet(DEVICES)
    recalculate_metrics()
    before = stored_metrics()
    take_stock(3)
    hold = write_hold(DeviceMetrics._meta.db_table)
    worker = start_worker(concurrency=1)

    run, _ = metrics_run_request(scope=MetricsRunScope.FULL)
    backend = wait_for_hold(hold, worker, "the run's chunk writing the device metrics")
    if killed == "worker":
        worker.kill()
    else:
        (pool_process,) = psutil.Process(worker.pid).children()
        pool_process.kill()
        pool_process.wait(timeout=10)
    hold.release()
    # The server ends the dead worker's session and rolls its transaction back.
    wait_until(lambda: backend_gone(test_database_conninfo, backend), timeout=10, message="the dead session ended")

    assert stored_metrics() == before
    run.refresh_from_db()
    assert (run.status, run.chunks_total, run.finished_chunks) == (MetricsRunStatus.RUNNING, 1, [])

    # The next request is not held up by the interrupted run: it queues a run of its own.
    take_stock(2)
    fresh, coalesced = metrics_run_request(scope=MetricsRunScope.FULL)
    assert not coalesced
    workers = [worker] if killed == "pool process" else [start_worker(transport_options=REDELIVER_QUICKLY)]
    wait_for_runs([run, fresh], workers)

    assert (fresh.status, fresh.devices_processed) == (MetricsRunStatus.SUCCEEDED, DEVICES), fresh.error
    assert (run.status, run.finished_chunks, run.devices_processed) == (MetricsRunStatus.SUCCEEDED, [0], DEVICES)
    assert metrics_are_right()
    assert MetricsRun.objects.count() == 2


def test_a_worker_killed_while_starting_a_run_leaves_it_to_be_started_again(
    start_worker, write_hold, test_database_conninfo
):
    """Killed after the run turned running but before its chunks were all sent, the run would say running for ever."""
    stocked_fleet(DEVICES)
    recalculate_metrics()
    before = stored_metrics()
    take_stock(3)
    hold = write_hold(
        MetricsRun._meta.db_table, events="UPDATE", when="OLD.chunks_total IS DISTINCT FROM NEW.chunks_total"
    )
    worker = start_worker(concurrency=1)

    run, _ = metrics_run_request(scope=MetricsRunScope.FULL)
    backend = wait_for_hold(hold, worker, "the run's task recording its chunks")
    (pool_process,) = psutil.Process(worker.pid).children()
    pool_process.kill()
    pool_process.wait(timeout=10)
    hold.release()
    wait_until(lambda: backend_gone(test_database_conninfo, backend), timeout=10, message="the dead session ended")
    assert stored_metrics() == before

    wait_for_runs([run], [worker])
    assert (run.status, run.finished_chunks, run.devices_processed) == (MetricsRunStatus.SUCCEEDED, [0], DEVICES)
    assert metrics_are_right()
