"""Celery tasks of the metrics engine: thin wrappers over ``planograms.services``.

Tasks take primary keys and are idempotent, so ``acks_late`` is safe: a task redelivered
after a worker died does its work again or finds it done. Database errors that a retry can
cure (a dropped connection, a serialization failure, a deadlock victim) retry with backoff.
"""

from celery import Task, shared_task
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

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        metrics_run_fail(run_id=args[0] if args else kwargs["run_id"], error=f"{type(exc).__name__}: {exc}")


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
