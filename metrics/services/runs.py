"""Metrics runs: requesting a recalculation, coalescing requests, fanning it out and recording it.

A run is requested by the API, the admin, a driver's refresh or the beat schedule, and
executed by Celery (inline with the embedded default). Two runs over the same devices never
work at once: ``recalculate_metrics`` locks the devices' rows, so the second waits for the
first to commit and records how long it waited. A request that arrives while an equivalent
run is still queued joins that run instead of queueing another.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from devices.models import Device
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun
from planograms.models import Planogram, PlanogramSlot

from .engine import metrics_qualifying_devices, recalculate_metrics


def metrics_run_request(*, scope: str, device_ids=None, user=None) -> tuple[MetricsRun, bool]:
    """Queue a recalculation; answer ``(run, coalesced)``.

    ``coalesced`` is True when an equivalent run was already queued and not yet started:
    the request is answered by that run. A queued whole-fleet run answers every request.
    With the embedded default (Celery eager) the run has finished when this returns.
    """
    device_ids = sorted(set(device_ids)) if scope == MetricsRunScope.DEVICES else None
    with transaction.atomic():
        queued = MetricsRun.objects.select_for_update().filter(status=MetricsRunStatus.QUEUED)
        _abandon_lost_runs(queued)
        equivalent = Q(scope=MetricsRunScope.FULL) | Q(scope=scope, device_ids=device_ids)
        run = queued.filter(equivalent).order_by("created_at").first()
        if run is not None:
            MetricsRun.objects.filter(pk=run.pk).update(coalesced_requests=F("coalesced_requests") + 1)
            run.refresh_from_db()
            return run, True
        run = MetricsRun.objects.create(scope=scope, device_ids=device_ids, requested_by=user)
        # robust: a broker or worker failure is logged and recorded on the run, never raised to the caller.
        transaction.on_commit(lambda: _metrics_run_send(run.pk), robust=True)
    run.refresh_from_db()
    return run, False


def _metrics_run_send(run_id: int) -> None:
    """Send a queued run's task to the workers; if the broker does not take it, fail the run and re-raise.

    Left queued, a run whose task never left would answer every equivalent request (every request,
    for a full run) until ``METRICS_RUN_QUEUE_TIMEOUT``, with nothing to execute it: the broker back,
    the metrics would still not be recalculated. Failed, it says why, and the next request queues anew.
    """
    from metrics.tasks import recalculate_metrics as recalculate_metrics_task

    try:
        recalculate_metrics_task.delay(run_id)
    except Exception as error:
        metrics_run_fail(run_id=run_id, error=f"The run could not be queued: {type(error).__name__}: {error}")
        raise


def _abandon_lost_runs(queued) -> None:
    """Fail the queued runs no worker has started within ``METRICS_RUN_QUEUE_TIMEOUT`` seconds.

    Their task was lost (a broker flushed, a worker killed before it acknowledged): a request that
    joined them would wait forever, and with it every later one. A lost task delivered after all
    finds its run no longer queued and does nothing.
    """
    timeout = settings.METRICS_RUN_QUEUE_TIMEOUT
    queued.filter(created_at__lt=timezone.now() - dt.timedelta(seconds=timeout)).update(
        status=MetricsRunStatus.FAILED,
        finished_at=timezone.now(),
        error=f"No worker started this run within {timeout} seconds; its task was lost. Later requests queued anew.",
    )


def devices_needing_recalculation():
    """Devices whose metrics no longer describe them: the incremental run's scope.

    Those with sales recorded, slots or planograms changed since their last calculation,
    those with no metrics yet, and those that have metrics but should not (soft-deleted, or
    left without a planogram). Slot deletions that leave no trace are caught by the nightly
    full run.
    """
    calculated_at = OuterRef("metrics__last_calculated")
    changed_slots = PlanogramSlot.objects.filter(
        planogram__cabinet__device=OuterRef("pk"), updated_at__gt=calculated_at
    )
    changed_planograms = Planogram.objects.filter(cabinet__device=OuterRef("pk"), updated_at__gt=calculated_at)
    qualifying = metrics_qualifying_devices(Device.all_objects.all())
    stale = qualifying.filter(
        Q(metrics__isnull=True)
        | Q(sales_recorded_at__gt=F("metrics__last_calculated"))
        | Exists(changed_slots)
        | Exists(changed_planograms)
    )
    orphaned = Device.all_objects.filter(metrics__isnull=False).exclude(pk__in=qualifying.values("pk"))
    return stale.order_by().values_list("pk", flat=True).union(orphaned.order_by().values_list("pk", flat=True))


def _requested_device_ids(run: MetricsRun) -> list[int]:
    if run.scope == MetricsRunScope.DEVICES:
        return list(run.device_ids)
    if run.scope == MetricsRunScope.INCREMENTAL:
        return sorted(devices_needing_recalculation())
    return list(Device.all_objects.order_by("pk").values_list("pk", flat=True))


def metrics_run_execute(*, run_id: int) -> None:
    """Start a queued run: split its devices into chunks and recalculate each.

    Chunks go to the workers in parallel when Celery has a broker; inline otherwise. The run turns
    running and its chunks are sent in one transaction: a worker lost half-way (killed, its pool
    process gone) leaves the run queued, and the task, delivered again, starts it afresh; never a
    run that says running with chunks that were never sent. A run already started (a redelivered
    task) is left to the chunks it fanned out.
    """
    from metrics.tasks import recalculate_metrics_chunk

    with transaction.atomic():
        run = MetricsRun.objects.select_for_update().filter(pk=run_id, status=MetricsRunStatus.QUEUED).first()
        if run is None:
            return
        device_ids = _requested_device_ids(run)
        size = settings.METRICS_CHUNK_DEVICES
        chunks = [device_ids[i : i + size] for i in range(0, len(device_ids), size)] or [[]]
        MetricsRun.objects.filter(pk=run_id).update(
            status=MetricsRunStatus.RUNNING, started_at=timezone.now(), chunks_total=len(chunks)
        )
        # Sent before the commit: a chunk done first waits for it on the run's row lock (see below).
        for index, chunk in enumerate(chunks):
            recalculate_metrics_chunk.delay(run_id, index, chunk)


def metrics_run_execute_chunk(*, run_id: int, chunk_index: int, device_ids: list[int]) -> None:
    """Recalculate one chunk and count it in its run, once, even if the task is redelivered."""
    if chunk_index in MetricsRun.objects.get(pk=run_id).finished_chunks:
        return
    with transaction.atomic():
        result = recalculate_metrics(device_ids=device_ids)
        # Taken last and briefly, so chunks compute in parallel and only their bookkeeping queues.
        run = MetricsRun.objects.select_for_update().get(pk=run_id)
        # Counted already (a redelivered task); or sent by a start that never committed, its worker
        # lost: the run is queued again, and its task, delivered again, sends the chunks anew.
        if chunk_index in run.finished_chunks or run.status == MetricsRunStatus.QUEUED:
            transaction.set_rollback(True)
            return
        run.finished_chunks = [*run.finished_chunks, chunk_index]
        run.devices_processed += result.devices
        run.slots_processed += result.slots
        run.lock_wait_seconds += result.lock_wait_seconds
        if len(run.finished_chunks) == run.chunks_total and run.status == MetricsRunStatus.RUNNING:
            run.status = MetricsRunStatus.SUCCEEDED
            run.finished_at = timezone.now()
        run.save()


def metrics_run_fail(*, run_id: int, error: str) -> None:
    """Record that a run failed; the metrics it did not finish stay as they were."""
    MetricsRun.objects.filter(pk=run_id).exclude(status=MetricsRunStatus.SUCCEEDED).update(
        status=MetricsRunStatus.FAILED, finished_at=timezone.now(), error=error[:10_000]
    )
