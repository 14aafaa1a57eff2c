"""``manage.py forecast_backtest``: how well the demand forecast predicted this database's own sales."""

import datetime as dt

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devices.models import Device
from planning.backtest import ORIGIN_WEEKS, SELL_OUT_HORIZON, backtest, backtest_table
from planning.selectors import HISTORY_DAYS, demand_history, stocked_capacity


class Command(BaseCommand):
    help = (
        "Backtest the demand forecast on this database's sales: at every day of the last weeks, forecast from the "
        "days before and compare with what sold, side by side with the spec's flat 28-day velocity."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=int, default=ORIGIN_WEEKS, help="Weeks of origins (default 8).")
        parser.add_argument(
            "--last-day", type=dt.date.fromisoformat, help="Last day of history to use (default: yesterday)."
        )

    def handle(self, *args, weeks, last_day, **options):
        if weeks < 1:
            raise CommandError("--weeks must be at least 1.")
        last_day = last_day or timezone.localdate() - dt.timedelta(days=1)
        days = HISTORY_DAYS + 7 * weeks + SELL_OUT_HORIZON - 1
        devices = Device.objects.all()
        history = demand_history(devices=devices, last_day=last_day, days=days)
        if not len(history.product_ids) or not history.units.any():
            raise CommandError("No sales to backtest on.")
        capacity = stocked_capacity(history)
        result = backtest(history, capacity=capacity, origin_weeks=weeks)
        self.stdout.write(
            f"{len(np.unique(history.device_index)):,} machines, {len(history.product_ids):,} machine-products, "
            f"history {history.first_day} … {last_day}"
        )
        for line in backtest_table(result):
            self.stdout.write(line)
