"""Celery tasks of the metrics engine: thin wrappers over ``metrics.services.runs``.

Tasks take primary keys and are idempotent, so ``acks_late`` is safe: a task redelivered
after a worker died does its work again or finds it done. Database errors that a retry can
cure (a dropped connection, a serialization failure, a deadlock victim) retry with backoff.
"""

from celery import Task, shared_task
from celery.exceptions import WorkerLostError
from celery.signals import task_failure
from django.db import InterfaceError, OperationalError

from metrics.services.runs import (
    metrics_run_execute,
    metrics_run_execute_chunk,
    metrics_run_fail,
    metrics_run_request,
)

from .choices import MetricsRunScope

RETRYABLE = (OperationalError, InterfaceError)


class MetricsRunTask(Task):
    """Marks the run failed when the task gives up (an error, or retries exhausted)."""

    autoretry_for = RETRYABLE
    retry_backoff = True
    retry_backoff_max = 120
    max_retries = 5
    acks_late = True
    # A pool process killed under the task (the kernel's OOM killer, a kill -9) makes the main process
    # acknowledge the message: without a retry the task never ran to its end and its run said "running"
    # for ever. The task is sent again, as retry() does, up to max_retries times, this many seconds later.
    retry_on_worker_lost = True
    default_retry_delay = 2

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        _fail_run_of_task(args, kwargs, exc)


@task_failure.connect
def metrics_run_fail_on_lost_worker(sender=None, exception=None, args=None, kwargs=None, **_):
    """A task whose pool process was lost once more than its retries allow fails its run.

    The worker's main process reports that loss; ``on_failure`` runs only in the pool process.
    """
    if isinstance(sender, MetricsRunTask) and isinstance(exception, WorkerLostError):
        _fail_run_of_task(args, kwargs, exception)


def _fail_run_of_task(args, kwargs, error: BaseException) -> None:
    """Fail the run a metrics task was called for (its first argument, ``run_id``), saying why."""
    metrics_run_fail(run_id=args[0] if args else kwargs["run_id"], error=f"{type(error).__name__}: {error}")


@shared_task(base=MetricsRunTask)
def recalculate_metrics(run_id):
    """Execute a queued metrics run (fans out in device chunks)."""
    metrics_run_execute(run_id=run_id)


@shared_task(base=MetricsRunTask)
def recalculate_metrics_chunk(run_id, chunk_index, device_ids):
    metrics_run_execute_chunk(run_id=run_id, chunk_index=chunk_index, device_ids=device_ids)


@shared_task
def request_metrics_recalculation(scope=MetricsRunScope.INCREMENTAL):
    """The beat schedule's entry point: queue a run (coalesced with one already queued)."""
    run, _ = metrics_run_request(scope=scope)
    return run.pk
