"""``manage.py load_demo_fleet``: load a deterministic demo fleet with sales history (see ``demo.fleet``)."""

import argparse
from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from demo.fleet import MAX_DAYS, MAX_DEVICES, DemoFleetExistsError, build_demo_fleet, demo_fleet_exists
from metrics.choices import MetricsRunScope
from metrics.services.runs import metrics_run_request


def _bounded(low: int, high: int | None = None):
    """An argument parser for whole numbers from ``low`` to ``high`` (unbounded above without it)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}" if high else f"must be at least {low}")
        return value

    return parse


def _iso_date(text: str) -> date:
    """An argument parser for ISO dates."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-31") from None


class Command(BaseCommand):
    help = (
        "Load a demo fleet: Chicago-area locations, routes with drivers, devices with cabinets and planograms, a "
        "product catalogue and vend-level sales. The same --seed and --end-date give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--devices", type=_bounded(1, MAX_DEVICES), default=50, help="Devices (default 50).")
        parser.add_argument("--days", type=_bounded(1, MAX_DAYS), default=90, help="Days of sales (default 90).")
        parser.add_argument("--seed", type=_bounded(0), default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--end-date",
            type=_iso_date,
            default=None,
            help="Sales end at the start of this day, in TIME_ZONE (default today).",
        )
        parser.add_argument("--flush", action="store_true", help="Replace an existing demo fleet.")
        parser.add_argument("--if-empty", action="store_true", help="Keep an existing demo fleet and do nothing.")

    def handle(self, *args, devices, days, seed, end_date, flush, if_empty, **options):
        if if_empty and not flush and demo_fleet_exists():
            self.stdout.write("A demo fleet is already loaded; keeping it.")
            return
        try:
            summary = build_demo_fleet(devices=devices, days=days, seed=seed, end_date=end_date, flush=flush)
        except DemoFleetExistsError as error:
            raise CommandError(f"{error} Run again with --flush.") from error
        except ProtectedError as error:
            raise CommandError(f"Cannot flush the demo fleet: other data refers to it ({error.args[0]})") from error
        if summary.flushed:
            self.stdout.write(f"Flushed the previous demo fleet ({summary.flushed} rows).")
        last_day = summary.end.date() - timedelta(days=1)
        self.stdout.write(f"Demo fleet with sales from {summary.start:%Y-%m-%d} to {last_day:%Y-%m-%d}:")
        width = max(len(kind) for kind in summary.counts)
        for kind, count in summary.counts.items():
            self.stdout.write(f"  {kind:<{width}}  {count:>10,}")
        self.stdout.write(self.style.SUCCESS(f"Built in {summary.elapsed_seconds:.1f} s."))
        run, _ = metrics_run_request(scope=MetricsRunScope.FULL)
        self.stdout.write(f"Metrics recalculation: run {run.pk}, {run.get_status_display().lower()}.")
