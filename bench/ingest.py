"""Benchmark of sales ingestion through the bulk API, and of the delay to fresh metrics (run by hand).

    .venv/bin/python bench/ingest.py                  # 1,000-device fleet in cvd_bench, a real worker
    .venv/bin/python bench/ingest.py --eager          # no worker: metrics run inline after each request

Posts 10,000-row batches to ``POST /api/sales/`` (DRF's APIClient, in process) and prints the
sustained rows per second, with where the time goes: resolving the rows, recording them (the wait
for the devices' locks, insert, stock, movements) and the rollup catch-up. Two shapes of batch:
rows spread over the whole fleet, and rows from a few devices (a route's worth). Then posts single
sales and times how long until the device's metrics show them, with a real ``celery worker``
subprocess on Redis (or eager). Last, the ceiling: the same rows COPYed into the sales table with
nothing else done, rolled back.
The sales it writes stay in the database, as a day of trade would.
"""

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from decimal import Decimal

from common import ROOT, ensure_fleet, parse_args, setup_django

args = parse_args(
    __doc__,
    **{
        "--rows": {"type": int, "default": 10_000, "help": "rows a request"},
        "--requests": {"type": int, "default": 5, "help": "requests per batch shape"},
        "--route-devices": {"type": int, "default": 50, "help": "devices of a route-sized batch"},
        "--freshness": {"type": int, "default": 5, "help": "single sales timed to fresh metrics"},
        "--broker-url": {"default": "redis://127.0.0.1:6379/13"},
        "--eager": {"action": "store_true", "help": "no worker: tasks run inline"},
    },
)
QUEUE = f"bench-ingest-{uuid.uuid4().hex[:8]}"
if not args.eager:
    os.environ["CELERY_BROKER_URL"] = args.broker_url
setup_django(args.database_url)

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

import sales.api.views as sales_views  # noqa: E402
import sales.services.ingestion as sales_ingestion  # noqa: E402
from cvd_portal.celery import app as celery_app  # noqa: E402
from cvd_portal.db import bulk_insert  # noqa: E402
from metrics.choices import MetricsRunStatus  # noqa: E402
from metrics.models import DeviceMetrics, MetricsRun  # noqa: E402
from metrics.services.runs import metrics_run_fail  # noqa: E402
from planograms.models import PlanogramSlot  # noqa: E402
from sales.models import Sale  # noqa: E402

PHASES = defaultdict(float)
# The slots sales are posted for: assigned a product, with room for stock, on a live device.
STOCKED_SLOTS = PlanogramSlot.objects.filter(
    product__isnull=False, capacity__gt=0, planogram__cabinet__device__deleted_at=None
).order_by("pk")


def timed_phase(name, function):
    """``function``, adding its time to ``PHASES[name]``: where a request's time goes."""

    def wrapper(*positional, **keywords):
        started = time.perf_counter()
        try:
            return function(*positional, **keywords)
        finally:
            PHASES[name] += time.perf_counter() - started

    return wrapper


sales_views.sales_rows_resolve = timed_phase("resolve", sales_views.sales_rows_resolve)
sales_views.sales_record = timed_phase("record", sales_views.sales_record)
sales_ingestion.sales_rollups_add = timed_phase("rollups", sales_ingestion.sales_rollups_add)
sales_ingestion.devices_lock = timed_phase("lock", sales_ingestion.devices_lock)


def start_worker():
    """A real worker in its own process, on a queue of its own, pointed at the same database."""
    env = {**os.environ, "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": args.broker_url, "DEBUG": "false"}
    code = (
        "from cvd_portal.celery import app; "
        f"app.conf.task_default_queue = {QUEUE!r}; "
        f"app.worker_main(['worker', '--queues', {QUEUE!r}, '--concurrency', '2', '--loglevel', 'WARNING',"
        " '--without-heartbeat', '--without-gossip', '--without-mingle'])"
    )
    worker = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
    celery_app.conf.task_default_queue = QUEUE
    return worker


def sale_rows(slots, count, prefix):
    now = timezone.now()
    return [
        {
            "device": asset,
            "cabinet": cabinet,
            "slot": position,
            "units": 1,
            "cash_amount": "1.75",
            "sold_at": (now - dt.timedelta(seconds=random.randrange(3600))).isoformat(),
            "transaction_id": f"{prefix}-{number}",
        }
        for number, (asset, cabinet, position) in enumerate(random.choices(slots, k=count))
    ]


def post(client, rows):
    response = client.post("/api/sales/", {"rows": rows}, format="json")
    assert response.status_code == 201, response.content[:2000]
    return response.data


def throughput(client, label, slots_of_batch):
    """Rows a second over ``args.requests`` requests, each from ``slots_of_batch()``; and a retry's time."""
    PHASES.clear()
    batches = [sale_rows(slots_of_batch(), args.rows, f"bench-{uuid.uuid4().hex[:8]}") for _ in range(args.requests)]
    started = time.perf_counter()
    recorded = sum(post(client, rows)["recorded"] for rows in batches)
    elapsed = time.perf_counter() - started
    assert recorded == args.rows * args.requests
    per_request = {name: seconds / args.requests for name, seconds in PHASES.items()}
    print(
        f"{label}: {recorded / elapsed:,.0f} rows/s ({args.requests} requests of {args.rows:,} rows,"
        f" {elapsed / args.requests:.2f} s each: resolve {per_request['resolve']:.2f} s,"
        f" record {per_request['record'] - per_request['rollups']:.2f} s (of which waiting for the devices' locks"
        f" {per_request['lock']:.2f} s), rollups {per_request['rollups']:.2f} s)"
    )
    started = time.perf_counter()
    retried = post(client, batches[0])
    print(
        f"  retry of a request: {time.perf_counter() - started:.2f} s, {retried['duplicates']:,} duplicates recorded 0"
    )


def wait_for_quiet_metrics(timeout=300):
    """Wait until no metrics run is queued or running (the throughput phase's runs are done)."""
    deadline = time.monotonic() + timeout
    busy = MetricsRun.objects.filter(status__in=[MetricsRunStatus.QUEUED, MetricsRunStatus.RUNNING])
    while busy.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def freshness(client, slots):
    """Seconds from posting one sale to its device's metrics calculated after it."""
    delays = []
    for number in range(args.freshness):
        asset, cabinet, position = random.choice(slots)
        posted = timezone.now()
        started = time.perf_counter()
        post(client, sale_rows([(asset, cabinet, position)], 1, f"fresh-{uuid.uuid4().hex[:8]}-{number}"))
        metrics = DeviceMetrics.objects.filter(device__asset=asset, last_calculated__gte=posted)
        while not metrics.exists():
            if time.perf_counter() - started > 60:
                sys.exit(f"metrics of {asset} not fresh after 60 s")
            time.sleep(0.02)
        delays.append(time.perf_counter() - started)
    return delays


def insert_ceiling():
    """The database's floor for a batch: its rows COPYed into the sales table and their foreign keys
    checked, nothing else (no validation, stock, movements or rollups); rolled back."""
    sold_slots = list(STOCKED_SLOTS.values_list("pk", "planogram__cabinet__device_id", "product_id"))
    now = timezone.now()
    timings = []
    for _ in range(args.requests):
        rows = [
            {
                "device_id": device_id,
                "product_id": product_id,
                "slot_id": slot_id,
                "units": 1,
                "cash_amount": Decimal("1.75"),
                "sold_at": now - dt.timedelta(seconds=random.randrange(3600)),
                "transaction_id": f"ceiling-{uuid.uuid4().hex}",
            }
            for slot_id, device_id, product_id in random.choices(sold_slots, k=args.rows)
        ]
        with transaction.atomic():
            started = time.perf_counter()
            bulk_insert(Sale, rows)
            copied = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the checks a commit would make
            timings.append((copied - started, time.perf_counter() - copied))
            transaction.set_rollback(True)
    copy = statistics.median(timing[0] for timing in timings)
    checks = statistics.median(timing[1] for timing in timings)
    print(
        f"ceiling: the sales table alone takes {copy + checks:.2f} s for {args.rows:,} fleet-wide rows"
        f" (COPY {copy:.2f} s, foreign-key checks {checks:.2f} s): {args.rows / (copy + checks):,.0f} rows/s"
        " before any validation, stock, audit or rollup"
    )


def main():
    ensure_fleet(args)
    random.seed(args.seed)
    # An unsaved superuser: every permission, and no user written to the database.
    user = get_user_model()(username="bench", is_superuser=True, is_staff=True, is_active=True)
    # The bench's settings are local ones, whose ALLOWED_HOSTS do not include the test client's 'testserver'.
    client = APIClient(HTTP_HOST="localhost")
    client.force_authenticate(user)
    slots = list(
        STOCKED_SLOTS.values_list("planogram__cabinet__device__asset", "planogram__cabinet__index", "position")
    )
    devices = sorted({asset for asset, _, _ in slots})
    print(f"fleet: {len(devices):,} devices, {len(slots):,} stocked slots, {Sale.objects.count():,} sales")
    # A run left queued by an earlier bench's worker, stopped before it ran, would answer (coalesce)
    # every request for a recalculation from now on: the bench fails it first.
    for run_id in MetricsRun.objects.filter(status=MetricsRunStatus.QUEUED).values_list("pk", flat=True):
        metrics_run_fail(run_id=run_id, error="Left queued by a stopped benchmark worker.")
    worker = None if args.eager else start_worker()
    mode = "eager (inline)" if args.eager else f"a celery worker (2 processes) on {args.broker_url}"
    print(f"metrics: {mode}")
    try:
        post(client, sale_rows(slots, 100, f"warm-{uuid.uuid4().hex[:8]}"))  # connections, caches, plans
        throughput(client, "fleet-wide batches", lambda: slots)

        def route_slots():
            route = set(random.sample(devices, args.route_devices))
            return [slot for slot in slots if slot[0] in route]

        throughput(client, f"route-sized batches ({args.route_devices} devices)", route_slots)
        wait_for_quiet_metrics()
        delays = freshness(client, slots)
        print(
            f"posted sale to fresh metrics: p50 {statistics.median(delays):.2f} s, max {max(delays):.2f} s"
            f" ({len(delays)} sales)"
        )
        insert_ceiling()
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)


main()
