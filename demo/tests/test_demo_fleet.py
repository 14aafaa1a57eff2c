"""The demo fleet: the same seed gives the same rows, and the data holds every case the metrics and analytics meet."""

import hashlib
import re
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from accounts import roles
from demo.fleet import CATALOGUE, DEMO_PREFIX, DemoFleetExistsError, build_demo_fleet
from devices.choices import VenueType
from devices.models import Cabinet, Device, Location, Route
from planograms.models import Planogram, PlanogramSlot, Product
from sales.models import Sale
from sales.tests.factories import SaleFactory

# The window crosses the start of daylight saving time (2025-03-09), so local hours are tested across both offsets.
END = date(2025, 3, 20)
SMALL = {"devices": 12, "days": 30, "seed": 7, "end_date": END}
# Structure-only builds need no history to speak of.
SHORT = {"devices": 25, "days": 2, "seed": 7, "end_date": END}
BUSY_WEEKDAY_VENUES = {VenueType.OFFICE, VenueType.SCHOOL, VenueType.HOSPITAL, VenueType.FACTORY, VenueType.TRANSIT}


@pytest.fixture
def fleet(db):
    return build_demo_fleet(**SMALL)


def demo_devices():
    return Device.all_objects.filter(asset__startswith=DEMO_PREFIX)


def demo_slots():
    return PlanogramSlot.objects.filter(planogram__cabinet__device__in=demo_devices())


def demo_sales():
    return Sale.objects.filter(device__in=demo_devices())


def fleet_digest() -> str:
    """A fingerprint of the demo fleet by natural keys, so database ids and ``auto_now`` stamps do not count."""
    parts = [
        Location.objects.filter(devices__in=demo_devices())
        .distinct()
        .order_by("name")
        .values_list("name", "address", "venue_type", "latitude", "longitude"),
        Route.objects.filter(number__startswith=DEMO_PREFIX).values_list("number", "name", "driver__username"),
        demo_devices().values_list(
            "asset", "device_type__name", "location__name", "route__number", "cooler", "model", "serial_number"
        ),
        Cabinet.objects.filter(device__in=demo_devices()).values_list(
            "device__asset", "index", "is_parent", "cabinet_type__name", "rows", "columns"
        ),
        demo_slots()
        .order_by("planogram__cabinet__device__asset", "planogram__cabinet__index", "position")
        .values_list(
            "planogram__cabinet__device__asset",
            "planogram__cabinet__index",
            "position",
            "product__sku",
            "quantity",
            "capacity",
            "par_level",
            "price",
        ),
        Product.objects.filter(sku__startswith=DEMO_PREFIX)
        .order_by("sku")
        .values_list("sku", "name", "category", "price", "barcode"),
        demo_sales()
        .order_by("device__asset", "sold_at", "slot__planogram__cabinet__index", "slot__position", "units")
        .values_list(
            "device__asset",
            "product__sku",
            "slot__planogram__cabinet__index",
            "slot__position",
            "units",
            "cash_amount",
            "sold_at",
        ),
    ]
    return hashlib.sha256(repr([list(rows) for rows in parts]).encode()).hexdigest()


def daily_units() -> dict[int, dict[date, int]]:
    """Units sold by device and local day, with the days between a device's first and last sale filled in as 0."""
    rows = demo_sales().annotate(day=TruncDate("sold_at")).values("device_id", "day").annotate(units=Sum("units"))
    by_device = defaultdict(dict)
    for row in rows:
        by_device[row["device_id"]][row["day"]] = row["units"]
    for days in by_device.values():
        first, last = min(days), max(days)
        for offset in range((last - first).days + 1):
            days.setdefault(first + timedelta(days=offset), 0)
    return by_device


def venue_of_devices() -> dict[int, str]:
    return dict(demo_devices().values_list("pk", "location__venue_type"))


def upc_check_digit(digits: str) -> int:
    odd = sum(int(d) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return (10 - (3 * odd + even) % 10) % 10


# --- Determinism ------------------------------------------------------------------------------------------------


def test_same_seed_and_end_date_rebuild_the_same_rows(db):
    build_demo_fleet(**SMALL)
    first = fleet_digest()
    build_demo_fleet(**SMALL, flush=True)
    assert fleet_digest() == first


def test_another_seed_gives_other_data(db):
    build_demo_fleet(**SMALL)
    first = fleet_digest()
    build_demo_fleet(**{**SMALL, "seed": SMALL["seed"] + 1}, flush=True)
    assert fleet_digest() != first


def test_sales_fill_the_days_before_the_end_date_in_the_operator_zone(fleet):
    zone = timezone.get_default_timezone()
    span = demo_sales().aggregate(first=Min("sold_at"), last=Max("sold_at"))
    assert fleet.start == datetime.combine(END - timedelta(days=30), time.min, tzinfo=zone)
    assert fleet.end == datetime.combine(END, time.min, tzinfo=zone)
    assert fleet.start <= span["first"] < fleet.start + timedelta(hours=12)
    assert fleet.end - timedelta(hours=12) < span["last"] < fleet.end


def test_end_date_defaults_to_today_in_the_operator_zone(db):
    summary = build_demo_fleet(devices=1, days=1)
    today = timezone.localdate()
    assert summary.end == datetime.combine(today, time.min, tzinfo=timezone.get_default_timezone())
    assert not demo_sales().filter(sold_at__gte=summary.end).exists()


# --- Fleet structure --------------------------------------------------------------------------------------------


def test_routes_have_drivers_in_the_driver_group_without_a_usable_password(db):
    build_demo_fleet(**SHORT)
    routes = Route.objects.filter(number__startswith=DEMO_PREFIX).select_related("driver")
    assert routes.count() == round(SHORT["devices"] / 12)
    drivers = {route.driver for route in routes}
    assert None not in drivers
    assert len(drivers) == len(routes)
    for driver in drivers:
        assert re.fullmatch(r"driver\d+", driver.username)
        assert driver.groups.filter(name=roles.DRIVER).exists()
        assert not driver.has_usable_password()
    assert not demo_devices().filter(route=None).exists()


def test_an_existing_driver_account_is_reused_with_its_password(db):
    driver = get_user_model().objects.create_user("driver1", password="set-by-make-run")
    build_demo_fleet(**SHORT)
    driver.refresh_from_db()
    assert Route.objects.get(number=f"{DEMO_PREFIX}101").driver == driver
    assert driver.check_password("set-by-make-run")


def test_locations_spread_over_chicagoland_in_every_main_venue_type(db):
    build_demo_fleet(**SHORT)
    locations = Location.objects.filter(devices__in=demo_devices()).distinct()
    for location in locations:
        assert 41.6 < location.latitude < 42.2
        assert -88.3 < location.longitude < -87.5
        assert re.fullmatch(r"\d+ .+, .+, IL 60\d{3}", location.address)
    venues = set(locations.values_list("venue_type", flat=True))
    assert {VenueType.OFFICE, VenueType.SCHOOL, VenueType.HOSPITAL, VenueType.FACTORY, VenueType.TRANSIT} <= venues
    assert locations.count() < SHORT["devices"]  # some sites host more than one machine


def test_multi_cabinet_devices_only_on_types_that_allow_them(db):
    build_demo_fleet(**SHORT)
    devices = demo_devices().annotate(cabinet_count=Count("cabinets"))
    assert devices.filter(cabinet_count=2).exists()
    assert devices.filter(cabinet_count=3).exists()
    assert devices.filter(device_type__allows_additional_cabinets=False).exists()
    assert not devices.filter(cabinet_count__gt=1, device_type__allows_additional_cabinets=False).exists()
    cabinets = Cabinet.objects.filter(device__in=demo_devices())
    assert cabinets.filter(index=1, is_parent=True).count() == SHORT["devices"]
    assert not cabinets.filter(index__gt=1, is_parent=True).exists()


def test_each_cabinet_has_one_planogram_with_a_slot_per_grid_position(db):
    build_demo_fleet(**SHORT)
    for cabinet in Cabinet.objects.filter(device__in=demo_devices()).select_related("planogram"):
        positions = set(cabinet.planogram.slots.values_list("position", flat=True))
        assert positions == {f"{chr(65 + r)}{c + 1}" for r in range(cabinet.rows) for c in range(cabinet.columns)}


def test_slots_include_sold_out_unassigned_and_maintenance_slots(db):
    build_demo_fleet(**SHORT)
    slots = demo_slots()
    assert slots.filter(capacity__gt=0, product__isnull=False, quantity=0).exists()
    assert slots.filter(capacity__gt=0, product__isnull=True).exists()
    assert slots.filter(capacity=0, product__isnull=True).exists()
    assert slots.filter(capacity=0, product__isnull=False).exists()
    assert not slots.filter(quantity__gt=F("capacity")).exists()
    assert not slots.filter(par_level__gt=F("capacity")).exists()
    assert not slots.filter(product__isnull=True, quantity__gt=0).exists()


def test_catalogue_has_unique_skus_and_valid_barcodes(db):
    build_demo_fleet(**SHORT)
    products = Product.objects.filter(sku__startswith=DEMO_PREFIX)
    assert 60 <= products.count() <= 120
    assert {"Snacks", "Candy", "Beverages", "Healthy", "Pastry"} <= set(products.values_list("category", flat=True))
    barcodes = list(products.values_list("barcode", flat=True))
    assert len(set(barcodes)) == len(barcodes)
    for barcode in barcodes:
        assert re.fullmatch(r"\d{12}", barcode)
        assert int(barcode[-1]) == upc_check_digit(barcode[:-1])


def test_rows_pass_model_validation(fleet):
    sample = [
        *Location.objects.filter(devices__in=demo_devices()).distinct(),
        *Route.objects.filter(number__startswith=DEMO_PREFIX),
        *demo_devices(),
        *Cabinet.objects.filter(device__in=demo_devices()),
        *Planogram.objects.filter(cabinet__device__in=demo_devices()),
        *demo_slots()[::7],
        *Product.objects.filter(sku__startswith=DEMO_PREFIX),
        *demo_sales()[::401],
    ]
    for obj in sample:
        obj.full_clean()


# --- Sales ------------------------------------------------------------------------------------------------------


def test_sales_come_from_a_slot_of_their_device_at_its_vend_price(fleet):
    sales = demo_sales()
    assert not sales.filter(slot=None).exists()
    assert not sales.exclude(slot__planogram__cabinet__device=F("device")).exists()
    assert not sales.exclude(slot__product=F("product")).exists()
    assert not sales.exclude(cash_amount=F("units") * Coalesce("slot__price", "slot__product__price")).exists()
    assert not sales.filter(slot__capacity=0).exists()
    assert sales.filter(units=1).count() > 0.9 * sales.count()
    assert sales.filter(slot__price__isnull=False).exists()


def test_fleet_averages_tens_of_vends_per_device_and_day(fleet):
    per_device_day = demo_sales().count() / (SMALL["devices"] * SMALL["days"])
    assert 25 < per_device_day < 110


def test_some_stocked_products_have_never_sold(fleet):
    unsold = Product.objects.filter(sku__startswith=DEMO_PREFIX, sales__isnull=True)
    assert unsold.filter(slots__capacity__gt=0, slots__planogram__cabinet__device__in=demo_devices()).exists()
    assert unsold.filter(slots__isnull=True).exists()


def test_some_devices_went_silent_after_selling(fleet):
    cutoff = fleet.end - timedelta(days=14)
    last_sale = demo_devices().annotate(last=Max("sales__sold_at"))
    assert last_sale.filter(last__lt=cutoff).exists()
    assert last_sale.filter(last__gte=cutoff).count() > SMALL["devices"] / 2


def test_some_devices_started_selling_within_the_window(fleet):
    first_sale = demo_devices().annotate(first=Min("sales__sold_at"))
    assert first_sale.filter(first__gt=fleet.start + timedelta(days=5)).exists()


def test_office_devices_sell_on_weekdays_in_office_hours(fleet):
    office = demo_sales().filter(device__location__venue_type=VenueType.OFFICE)
    daily = daily_units()
    weekday, weekend = [], []
    for pk in office.values_list("device_id", flat=True).distinct():
        for day, units in daily[pk].items():
            (weekend if day.weekday() >= 5 else weekday).append(units)
    assert statistics.mean(weekday) > 4 * statistics.mean(weekend)
    in_office_hours = office.annotate(hour=ExtractHour("sold_at")).filter(hour__gte=8, hour__lte=18)
    assert in_office_hours.count() > 0.9 * office.count()


def test_transit_devices_sell_around_the_clock(fleet):
    transit = demo_sales().filter(device__location__venue_type=VenueType.TRANSIT)
    hours = set(transit.annotate(hour=ExtractHour("sold_at")).values_list("hour", flat=True))
    assert len(hours) >= 20


def test_daily_sales_show_spikes_and_dips(fleet):
    venues = venue_of_devices()
    spikes = dips = 0
    for pk, days in daily_units().items():
        units = list(days.values())
        mean, spread = statistics.mean(units), statistics.pstdev(units)
        spikes += sum(1 for u in units if spread and (u - mean) / spread > 2.5)
        if venues[pk] in BUSY_WEEKDAY_VENUES:
            weekdays = [u for day, u in days.items() if day.weekday() < 5]
            dips += sum(1 for u in weekdays if u <= 0.1 * statistics.median(weekdays))
    assert spikes
    assert dips


def test_devices_grow_and_decline(fleet):
    thirds = SMALL["days"] // 3
    ratios = []
    for days in daily_units().values():
        if len(days) < SMALL["days"] - 1:
            continue  # started late or went silent: no trend to compare
        units = [days[day] for day in sorted(days)]
        ratios.append(sum(units[-thirds:]) / max(1, sum(units[:thirds])))
    assert max(ratios) > 1.25
    assert min(ratios) < 0.8


# --- Loading and replacing --------------------------------------------------------------------------------------


def test_build_refuses_to_load_over_an_existing_demo_fleet(db):
    build_demo_fleet(**SHORT)
    with pytest.raises(DemoFleetExistsError):
        build_demo_fleet(**SHORT)
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
