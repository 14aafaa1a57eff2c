"""Backtest of the demand forecast against the spec's flat 28-day velocity, and planning speed (run by hand).

    .venv/bin/python bench/forecast.py                  # 1,000 devices × 126 days, its own database

Builds (once) a demo fleet with 126 days of sales on PostgreSQL (56 days to learn from, 8 weeks of
origins, 14 days of horizon after the last), then:

- the rolling-origin backtest exactly as ``manage.py forecast_backtest`` runs it (same selector, same
  code), ours against the flat rule, side by side;
- the same backtest for the *oracle*: the demo generator's own expected demand (each machine's level ×
  weekday × trend, each product's share: everything a forecast could know, none of the day's noise).
  No forecast can do better on average; its gain over the flat rule is the most there is to have;
- the time to forecast the whole fleet and to plan every route's next service day.
"""

import datetime as dt
import time

from common import ensure_fleet, parse_args, percentile, setup_django, timed

args = parse_args(
    __doc__, defaults={"days": 126, "database_url": "postgres://postgres@127.0.0.1:5432/cvd_bench_forecast"}
)
setup_django(args.database_url)

import numpy as np  # noqa: E402
from django.utils import timezone  # noqa: E402

from demo.fleet import plan_demo_fleet  # noqa: E402
from devices.models import Device, Route  # noqa: E402
from planning.backtest import HORIZONS, SELL_OUT_HORIZON, backtest, backtest_table  # noqa: E402
from planning.selectors import HISTORY_DAYS, demand_history, fleet_outlook, route_plan, stocked_capacity  # noqa: E402


def main():
    ensure_fleet(args)
    last_day = timezone.localdate() - dt.timedelta(days=1)
    days = HISTORY_DAYS + 7 * 8 + SELL_OUT_HORIZON - 1
    started = time.perf_counter()
    history = demand_history(devices=Device.objects.all(), last_day=last_day, days=days)
    read = time.perf_counter() - started
    capacity = stocked_capacity(history)
    started = time.perf_counter()
    result = backtest(history, capacity=capacity)
    print(
        f"history: {Device.objects.count():,} machines, {len(history.product_ids):,} machine-products, "
        f"{history.first_day} … {last_day}; read in {read:.2f} s, backtest in {time.perf_counter() - started:.1f} s"
    )
    for line in backtest_table(result):
        print(line)
    oracle_mae = oracle_backtest(history)
    if oracle_mae:
        print(
            "oracle (the generator's expected demand): MAE "
            + ", ".join(
                f"h={h}: {oracle_mae[h]:.3f} ({100 * (oracle_mae[h] / result.flat.mae[h] - 1):+.1f}% vs flat)"
                for h in HORIZONS
            )
        )

    devices = Device.objects.all()
    outlook = timed(lambda: fleet_outlook(devices=devices, now=timezone.now()), args.repeat)
    print(f"forecast + health of the whole fleet: p50 {percentile(outlook, 0.5):.2f} s ({args.repeat} runs)")
    routes = list(Route.objects.all())
    today = timezone.localdate()

    def plan_every_route():
        for route in routes:
            route_plan(route, day=route.next_service_day(today - dt.timedelta(days=1)) or today)

    plans = timed(plan_every_route, args.repeat)
    print(f"plans of all {len(routes)} routes' next service day: p50 {percentile(plans, 0.5):.2f} s")


def oracle_backtest(history):
    """MAE per horizon of the generator's expected demand on the backtest's scored days, or None when the
    database's fleet is not the demo fleet of these arguments (the oracle then means nothing)."""
    end_date = history.first_day + dt.timedelta(days=history.days)
    plan = plan_demo_fleet(devices=args.devices, days=args.days, seed=args.seed, end_date=end_date)
    expected = getattr(plan.sales, "expected_daily_units", None)
    if expected is None:
        return None
    assets = [device.asset for device in plan.devices]
    skus = [product.sku for product in plan.products]
    asset_of = dict(Device.objects.values_list("pk", "asset"))
    from planograms.models import Product

    sku_of = dict(Product.objects.values_list("pk", "sku"))
    device_row = {asset: i for i, asset in enumerate(assets)}
    product_column = {sku: j for j, sku in enumerate(skus)}
    series_devices = history.device_ids[history.device_index]
    rows = [device_row.get(asset_of[int(d)]) for d in series_devices]
    columns = [product_column.get(sku_of[int(p)]) for p in history.product_ids]
    if None in rows or None in columns:
        return None
    share = plan.sales.product_share[np.array(rows), np.array(columns)]
    # The plan's days run up to end_date; the history's too.
    oracle = expected[np.array(rows)][:, -history.days :] * share[:, None]
    errors = {h: [] for h in HORIZONS}
    last_origin = history.days - SELL_OUT_HORIZON
    for origin in range(max(HISTORY_DAYS, last_origin - 55), last_origin + 1):
        for h in HORIZONS:
            day = origin + h - 1
            seen = history.observed[:, day]
            errors[h].append(np.abs(oracle[seen, day] - history.units[seen, day]))
    return {h: float(np.concatenate(errors[h]).mean()) for h in HORIZONS}


main()
