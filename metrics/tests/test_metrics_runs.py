"""Metrics runs: requested, coalesced, fanned out in chunks, incremental, and honest about failure."""

import datetime as dt

import pytest
from django.db import OperationalError
from django.utils import timezone

from devices.services import device_soft_delete
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import DeviceMetrics, MetricsRun, SlotMetrics
from metrics.services import runs as metrics_runs
from metrics.services.runs import (
    devices_needing_recalculation,
    metrics_run_execute_chunk,
    metrics_run_request,
)
from planograms.tests.factories import PlanogramSlotFactory
from sales.services import sales_recorded
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_run(django_capture_on_commit_callbacks):
    def request(scope=MetricsRunScope.FULL, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            run, coalesced = metrics_run_request(scope=scope, **kwargs)
        run.refresh_from_db()
        return run, coalesced

    return request


@pytest.fixture
def slots():
    return [PlanogramSlotFactory(position="A1") for _ in range(5)]


def test_a_requested_run_runs_inline_with_the_embedded_default(request_run, slots, admin_user):
    run, coalesced = request_run(user=admin_user)
    assert not coalesced
    assert run.status == MetricsRunStatus.SUCCEEDED
    assert (run.devices_processed, run.slots_processed) == (5, 5)
    assert run.started_at <= run.finished_at and run.requested_by == admin_user
    assert SlotMetrics.objects.count() == 5


def test_a_request_joins_an_equivalent_run_still_queued(request_run, slots):
    queued = MetricsRun.objects.create(scope=MetricsRunScope.DEVICES, device_ids=[1, 2])
    run, coalesced = request_run(scope=MetricsRunScope.DEVICES, device_ids=[2, 1, 2])
    assert coalesced and run.pk == queued.pk and run.coalesced_requests == 1
    other, coalesced = request_run(scope=MetricsRunScope.DEVICES, device_ids=[3])
    assert not coalesced and other.pk != queued.pk
    assert MetricsRun.objects.count() == 2


def test_a_run_queued_past_the_timeout_is_failed_and_the_request_queues_anew(request_run, slots, settings):
    settings.METRICS_RUN_QUEUE_TIMEOUT = 600
    lost = MetricsRun.objects.create(scope=MetricsRunScope.FULL)
    MetricsRun.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(seconds=601))
    recent = MetricsRun.objects.create(scope=MetricsRunScope.DEVICES, device_ids=[1])

    run, coalesced = request_run(scope=MetricsRunScope.INCREMENTAL)

    assert not coalesced and run.pk not in (lost.pk, recent.pk)
    assert run.status == MetricsRunStatus.SUCCEEDED
    lost.refresh_from_db()
    assert lost.status == MetricsRunStatus.FAILED and "task was lost" in lost.error
    recent.refresh_from_db()
    assert recent.status == MetricsRunStatus.QUEUED
    # Its task, delivered late, finds it no longer queued.
    metrics_runs.metrics_run_execute(run_id=lost.pk)
    lost.refresh_from_db()
    assert lost.status == MetricsRunStatus.FAILED and lost.started_at is None


def test_a_queued_full_run_answers_every_request(request_run, slots):
    queued = MetricsRun.objects.create(scope=MetricsRunScope.FULL)
    run, coalesced = request_run(scope=MetricsRunScope.INCREMENTAL)
    assert coalesced and run.pk == queued.pk


def test_a_large_fleet_fans_out_in_chunks(request_run, slots, settings):
    settings.METRICS_CHUNK_DEVICES = 2
    run, _ = request_run()
    assert run.chunks_total == 3 and sorted(run.finished_chunks) == [0, 1, 2]
    assert run.status == MetricsRunStatus.SUCCEEDED and run.devices_processed == 5


def test_a_redelivered_chunk_is_not_counted_twice(slots):
    run = MetricsRun.objects.create(scope=MetricsRunScope.FULL, status=MetricsRunStatus.RUNNING, chunks_total=2)
    device_ids = [slots[0].planogram.cabinet.device_id]
    metrics_run_execute_chunk(run_id=run.pk, chunk_index=0, device_ids=device_ids)
    metrics_run_execute_chunk(run_id=run.pk, chunk_index=0, device_ids=device_ids)
    run.refresh_from_db()
    assert run.finished_chunks == [0] and run.devices_processed == 1 and run.status == MetricsRunStatus.RUNNING


def test_incremental_run_takes_only_changed_devices(request_run, slots):
    request_run()
    assert list(devices_needing_recalculation()) == []
    changed_slot, sold_device, deleted_device = (s.planogram.cabinet.device for s in slots[:3])
    slots[0].quantity = 1
    slots[0].save()
    SaleFactory(device=sold_device)
    sales_recorded(device_ids=[sold_device.pk])
    device_soft_delete(device=deleted_device)
    assert sorted(devices_needing_recalculation()) == sorted([changed_slot.pk, sold_device.pk, deleted_device.pk])

    run, _ = request_run(scope=MetricsRunScope.INCREMENTAL)
    assert run.devices_processed == 2  # the deleted device is cleared, not calculated
    assert not DeviceMetrics.objects.filter(device=deleted_device).exists()
    assert SlotMetrics.objects.get(slot=slots[0]).units_to_par == slots[0].capacity - 1
    assert list(devices_needing_recalculation()) == []


def test_a_failed_run_says_why_and_keeps_the_previous_metrics(request_run, slots, monkeypatch):
    request_run()
    before = {m.pk: m.last_calculated for m in SlotMetrics.objects.all()}

    def broken(**kwargs):
        raise ValueError("bad data")

    monkeypatch.setattr(metrics_runs, "recalculate_metrics", broken)
    run, _ = request_run()
    assert run.status == MetricsRunStatus.FAILED and "ValueError: bad data" in run.error
    assert {m.pk: m.last_calculated for m in SlotMetrics.objects.all()} == before


def test_database_errors_are_retried(request_run, slots, monkeypatch):
    calls = []
    real = metrics_runs.recalculate_metrics

    def flaky(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("connection reset")
        return real(**kwargs)

    monkeypatch.setattr(metrics_runs, "recalculate_metrics", flaky)
    run, _ = request_run()
    assert len(calls) == 2 and run.status == MetricsRunStatus.SUCCEEDED
