"""What the fault tests found, pinned without starting any process: a metrics run whose task is lost ends failed.

These run with the main suite (no ``faults`` mark): each is the fast, in-process check of a fix
that a fault test shows with the real processes.
"""

import pytest
from celery.exceptions import WorkerLostError
from celery.signals import task_failure
from kombu.exceptions import OperationalError as BrokerError

from metrics import tasks
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun
from metrics.services.runs import metrics_run_request
from planograms.tests.factories import PlanogramSlotFactory

pytestmark = pytest.mark.django_db


def test_a_run_the_broker_does_not_take_fails_and_the_next_request_queues_anew(
    django_capture_on_commit_callbacks, monkeypatch
):
    """Redis down: left queued, the run would answer every request for ten minutes and never run."""
    PlanogramSlotFactory()

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with monkeypatch.context() as patched:
        patched.setattr(tasks.recalculate_metrics, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            lost, _ = metrics_run_request(scope=MetricsRunScope.FULL)
    lost.refresh_from_db()
    assert lost.status == MetricsRunStatus.FAILED
    assert (
        lost.error
        == "The run could not be queued: OperationalError: Error 111 connecting to 127.0.0.1:6379. Connection refused."
    )

    with django_capture_on_commit_callbacks(execute=True):
        run, coalesced = metrics_run_request(scope=MetricsRunScope.INCREMENTAL)
    run.refresh_from_db()
    assert not coalesced and run.pk != lost.pk
    assert (run.status, run.devices_processed) == (MetricsRunStatus.SUCCEEDED, 1)


@pytest.mark.parametrize("task", [tasks.recalculate_metrics, tasks.recalculate_metrics_chunk])
def test_a_task_whose_pool_process_is_lost_more_often_than_it_retries_fails_its_run(task):
    """The worker's main process reports the loss with ``task_failure``; the task's ``on_failure`` never runs."""
    run = MetricsRun.objects.create(scope=MetricsRunScope.FULL, status=MetricsRunStatus.RUNNING, chunks_total=1)
    other = MetricsRun.objects.create(scope=MetricsRunScope.FULL, status=MetricsRunStatus.RUNNING, chunks_total=1)
    args = [run.pk] if task is tasks.recalculate_metrics else [run.pk, 0, [1]]
    lost = WorkerLostError("Worker exited prematurely: signal 9 (SIGKILL) Job: 3.")

    task_failure.send(sender=task, task_id="t1", exception=lost, args=args, kwargs={}, traceback=None, einfo=None)
    # Another task's loss, or a task error on_failure already recorded, leaves runs alone.
    task_failure.send(sender=tasks.request_metrics_recalculation, task_id="t2", exception=lost, args=[], kwargs={})
    task_failure.send(sender=task, task_id="t3", exception=ValueError("bad"), args=[other.pk], kwargs={})

    run.refresh_from_db()
    assert run.status == MetricsRunStatus.FAILED
    assert run.error == "WorkerLostError: Worker exited prematurely: signal 9 (SIGKILL) Job: 3."
    other.refresh_from_db()
    assert other.status == MetricsRunStatus.RUNNING
