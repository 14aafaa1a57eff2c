"""Shared set-up for the hand-run benchmarks: Django on a PostgreSQL database with a demo fleet."""

import argparse
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cvd_bench"


def parse_args(description, defaults=None, **extra):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the fleet even if one of this size exists")
    for flag, options in extra.items():
        parser.add_argument(flag, **options)
    parser.set_defaults(**(defaults or {}))
    return parser.parse_args()


def setup_django(database_url):
    """Point Django, under the production settings, at the benchmark database (created when missing).

    Production settings, as deployed (DEBUG off, no query log, the same database options); only the
    HTTPS redirect is off, since the in-process client speaks plain HTTP. The machine's load is
    printed first: figures from a busy machine are not to be trusted.
    """
    if not database_url.startswith("postgres"):
        sys.exit("The benchmarks run on PostgreSQL: pass --database-url postgres://…")
    print(f"uptime: {os.popen('uptime').read().strip()}")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvd_portal.settings.production")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    print(f"settings: {os.environ['DJANGO_SETTINGS_MODULE']}")
    sys.path.insert(0, str(ROOT))
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_fleet(args):
    """Build the demo fleet unless the database already holds one of the requested size."""
    from django.core.management import call_command

    from devices.models import Device

    if args.rebuild or Device.all_objects.count() != args.devices:
        started = time.perf_counter()
        call_command("load_demo_fleet", devices=args.devices, days=args.days, seed=args.seed, flush=True, verbosity=0)
        print(f"built the demo fleet in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # fresh planner statistics, as autovacuum would give


def timed(function, repeat):
    """Run ``function`` ``repeat`` times; answer the sorted durations in seconds."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append(time.perf_counter() - started)
    return sorted(durations)


def percentile(durations, fraction):
    if len(durations) == 1:
        return durations[0]
    return statistics.quantiles(durations, n=100, method="inclusive")[round(fraction * 100) - 1]


def fleet_summary():
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for label, table in (
            ("devices", "devices_device"),
            ("slots", "planograms_planogramslot"),
            ("sales", "sales_sale"),
            ("daily rollup rows", "sales_dailyproductsales"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[label] = cursor.fetchone()[0]
    return counts


@contextlib.contextmanager
def spec_sales_index():
    """The index the spec's queries on raw sales want, (device, product, sold_at), built for its baselines only.

    The portal has none (every sale would pay for it), and without it the baselines would be
    slower than the spec deserves: the ratios would flatter us.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE INDEX IF NOT EXISTS bench_spec_sale_device_product ON sales_sale (device_id, product_id, sold_at)"
        )
        cursor.execute("ANALYZE sales_sale")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS bench_spec_sale_device_product")
