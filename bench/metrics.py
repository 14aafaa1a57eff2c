"""Benchmark of the metrics engine against the spec's per-slot algorithm (run by hand).

    .venv/bin/python bench/metrics.py                       # 1,000 devices × 90 days
    .venv/bin/python bench/metrics.py --devices 10000 --database-url postgres://postgres@127.0.0.1:5432/cvd_bench_10k

Prints the full recalculation time, the spec's algorithm on the same database, their
ratio, an incremental run after 1 % of the devices changed, and the time per slot.
"""

import datetime as dt
import time

from common import ensure_fleet, fleet_summary, parse_args, percentile, setup_django, spec_sales_index, timed

args = parse_args(
    __doc__,
    **{"--spec-devices": {"type": int, "default": None, "help": "run the spec's algorithm on this many devices only"}},
)
setup_django(args.database_url)

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from devices.models import Device  # noqa: E402
from metrics.services.engine import recalculate_metrics  # noqa: E402
from metrics.services.runs import devices_needing_recalculation  # noqa: E402
from planograms.models import PlanogramSlot  # noqa: E402


def spec_per_slot_algorithm(device_limit=None):
    """The spec's ``calculate_all_metrics``: one slot at a time, two or three queries each, on raw sales.

    Written into a scratch table and rolled back, so the portal's metrics are untouched.
    Answers the number of slots it processed.
    """
    now = timezone.now()
    window_start = now - dt.timedelta(days=28)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE spec_slot_metrics (slot_id bigint PRIMARY KEY, is_sold_out int, dri int, pl int,"
            " utp int, sales_28_day int, daily_velocity float, last_calculated timestamptz) ON COMMIT DROP"
        )
        limit = (
            ""
            if device_limit is None
            else f"AND d.id IN (SELECT id FROM devices_device ORDER BY id LIMIT {int(device_limit)})"
        )
        cursor.execute(
            "SELECT ps.id, ps.product_id, ps.quantity, ps.capacity, c.device_id FROM planograms_planogramslot ps"
            " JOIN planograms_planogram p ON ps.planogram_id = p.id JOIN devices_cabinet c ON p.cabinet_id = c.id"
            f" JOIN devices_device d ON c.device_id = d.id WHERE d.deleted_at IS NULL {limit}"
        )
        slots = cursor.fetchall()
        for slot_id, product_id, quantity, capacity, device_id in slots:
            is_sold_out = 1 if quantity == 0 else 0
            level = round(quantity * 100.0 / capacity) if capacity > 0 else 0
            units_to_par = capacity - quantity
            cursor.execute(
                "SELECT COALESCE(SUM(units), 0) FROM sales_sale WHERE device_id = %s AND product_id = %s"
                " AND sold_at >= %s",
                [device_id, product_id, window_start],
            )
            sales_28 = cursor.fetchone()[0]
            if sales_28 > 0:
                velocity = sales_28 / 28.0
            else:
                cursor.execute(
                    "SELECT COALESCE(SUM(units), 0), EXTRACT(EPOCH FROM (%s - MIN(sold_at))) / 86400"
                    " FROM sales_sale WHERE device_id = %s AND product_id = %s",
                    [now, device_id, product_id],
                )
                total, days_active = cursor.fetchone()
                velocity = total / float(days_active) if total and days_active and days_active > 0 else 0.1
            dri = min(int(quantity / velocity), 999) if velocity > 0 else 999
            cursor.execute(
                "INSERT INTO spec_slot_metrics VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (slot_id)"
                " DO UPDATE SET is_sold_out = EXCLUDED.is_sold_out, dri = EXCLUDED.dri, pl = EXCLUDED.pl,"
                " utp = EXCLUDED.utp, sales_28_day = EXCLUDED.sales_28_day,"
                " daily_velocity = EXCLUDED.daily_velocity, last_calculated = EXCLUDED.last_calculated",
                [slot_id, is_sold_out, dri, level, units_to_par, sales_28, velocity, now],
            )
        transaction.set_rollback(True)
    return len(slots)


def main():
    ensure_fleet(args)
    counts = fleet_summary()
    print("fleet: " + ", ".join(f"{value:,} {label}" for label, value in counts.items()))

    full = timed(recalculate_metrics, args.repeat)
    ours = percentile(full, 0.5)
    print(
        f"full recalculation (ours): p50 {ours:.3f} s, min {full[0]:.3f} s, max {full[-1]:.3f} s ({args.repeat} runs)"
    )
    print(f"  per slot: {ours / counts['slots'] * 1e6:.1f} µs")

    with spec_sales_index():
        started = time.perf_counter()
        spec_slots = spec_per_slot_algorithm(args.spec_devices)
        spec = time.perf_counter() - started
    scale = counts["slots"] / spec_slots
    spec_full = spec * scale
    scope = "" if scale == 1 else f" (measured on {spec_slots:,} slots, scaled ×{scale:.1f})"
    print(f"spec per-slot algorithm: {spec_full:.1f} s{scope}")
    print(f"ratio: ours is {spec_full / ours:.0f}× faster")

    changed = list(Device.objects.order_by("?").values_list("pk", flat=True)[: max(1, counts["devices"] // 100)])
    PlanogramSlot.objects.filter(planogram__cabinet__device__in=changed, quantity__gt=0).update(
        quantity=0, updated_at=timezone.now()
    )
    started = time.perf_counter()
    stale = list(devices_needing_recalculation())
    result = recalculate_metrics(device_ids=stale)
    incremental = time.perf_counter() - started
    print(f"incremental after 1% changed: {incremental:.3f} s ({result.devices} devices, {result.slots:,} slots)")


main()
