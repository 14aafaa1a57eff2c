"""Loading a demo fleet: what another seed gives, the default end date, reused driver accounts, refusing to load
twice, flushing, and the command's arguments. Each test starts from a database without a demo fleet."""

import re
from datetime import date, datetime, time
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from demo.fleet import CATALOGUE, DEMO_PREFIX, DemoFleetExistsError, build_demo_fleet
from demo.tests.rows import demo_devices, demo_sales, fleet_digest
from devices.models import Location, Route
from planograms.models import Product
from sales.models import Sale
from sales.tests.factories import SaleFactory

# One device for a day: enough for a route, a driver, a full catalogue and some sales.
TINY = {"devices": 1, "days": 1}


def test_another_seed_gives_other_data(db):
    build_demo_fleet(**TINY, seed=7, end_date=date(2025, 3, 20))
    first = fleet_digest()
    build_demo_fleet(**TINY, seed=8, end_date=date(2025, 3, 20), flush=True)
    assert fleet_digest() != first


def test_end_date_defaults_to_today_in_the_operator_zone(db):
    summary = build_demo_fleet(**TINY)
    today = timezone.localdate()
    assert summary.end == datetime.combine(today, time.min, tzinfo=timezone.get_default_timezone())
    assert not demo_sales().filter(sold_at__gte=summary.end).exists()


def test_an_existing_driver_account_is_reused_with_its_password(db):
    driver = get_user_model().objects.create_user("driver1", password="set-by-make-run")
    build_demo_fleet(**TINY)
    driver.refresh_from_db()
    assert Route.objects.get(number=f"{DEMO_PREFIX}101").driver == driver
    assert driver.check_password("set-by-make-run")


def test_build_refuses_to_load_over_an_existing_demo_fleet(db):
    build_demo_fleet(**TINY)
    with pytest.raises(DemoFleetExistsError):
        build_demo_fleet(**TINY)
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo_fleet", "--devices", "3", "--days", "1", stdout=StringIO())


def test_flush_replaces_the_demo_fleet_and_leaves_other_data(db):
    other_sale = SaleFactory()
    call_command("load_demo_fleet", "--devices", "14", "--days", "3", "--end-date", "2025-03-20", stdout=StringIO())
    out = StringIO()
    call_command(
        "load_demo_fleet",
        "--devices",
        "5",
        "--days",
        "2",
        "--seed",
        "3",
        "--end-date",
        "2025-03-20",
        "--flush",
        stdout=out,
    )
    assert demo_devices().count() == 5
    assert Route.objects.filter(number__startswith=DEMO_PREFIX).count() == 1
    assert Product.objects.filter(sku__startswith=DEMO_PREFIX).count() == sum(map(len, CATALOGUE.values()))
    assert set(Location.objects.exclude(pk=other_sale.device.location_id)) == set(
        Location.objects.filter(devices__in=demo_devices())
    )
    assert set(demo_sales().values_list("device_id", flat=True)) <= set(demo_devices().values_list("pk", flat=True))
    assert Sale.objects.filter(pk=other_sale.pk).exists()
    assert "Flushed the previous demo fleet" in out.getvalue()
    assert re.search(r"devices\s+5\b", out.getvalue())
    assert re.search(r"Built in [\d.]+ s", out.getvalue())


@pytest.mark.parametrize("argument", [["--devices", "0"], ["--days", "-1"], ["--end-date", "20.03.2025"]])
def test_command_rejects_bad_arguments(db, argument):
    with pytest.raises(CommandError):
        call_command("load_demo_fleet", *argument, stdout=StringIO())
