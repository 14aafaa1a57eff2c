"""The demo fleet: the same seed gives the same rows, and the data holds every case the metrics and analytics meet.

Every test here reads one fleet, built once for the module (loading lives in ``test_load_demo_fleet``).
"""

import math
import re
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Sum
from django.db.models.functions import Coalesce, ExtractHour, TruncDate
from django.utils import timezone

from accounts import roles
from demo.fleet import DEMO_PREFIX, build_demo_fleet
from demo.fleet.places import WAREHOUSES
from demo.tests.rows import demo_devices, demo_sales, demo_slots, fleet_digest
from devices.choices import VenueType
from devices.models import Cabinet, Location, Route
from planograms.models import Planogram, Product

pytestmark = pytest.mark.django_db

# The window crosses the start of daylight saving time (2025-03-09), so local hours are tested across both offsets.
END = date(2025, 3, 20)
# The smallest fleet with every case the tests look for: 18 devices make two routes (so drivers are told apart) and
# still place one to three machines a site; 30 days hold a silent device's weeks of silence, a new device's late
# start, and enough same-weekday pairs weeks apart to tell a trend from the daily noise.
FLEET = {"devices": 18, "days": 30, "seed": 7, "end_date": END}
BUSY_WEEKDAY_VENUES = {VenueType.OFFICE, VenueType.SCHOOL, VenueType.HOSPITAL, VenueType.FACTORY, VenueType.TRANSIT}


@pytest.fixture(scope="module")
def fleet(django_db_setup, django_db_blocker):
    """The fleet every test reads, built once in a transaction rolled back after the module's last test.

    Each test runs in a savepoint inside that transaction (the ``django_db`` mark), so one that replaces the fleet
    leaves it as it was for the next.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        summary = build_demo_fleet(**FLEET)
        # Check the fleet's deferred foreign keys now, as a commit would. Left pending, every test would check them
        # all again when it ends, and its savepoint's rollback would leave them pending for the next.
        connection.check_constraints()
        # Statistics, as autovacuum would gather after a commit: planned as if the tables were empty, the tests'
        # joins over the sales run about ten times slower.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        yield summary
        transaction.set_rollback(True)


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


def window_growth(units: list[int]) -> float:
    """How a device's daily units changed over the window, as a natural log of the ratio.

    The median, over every pair of days on the same weekday two or more weeks apart, of their log ratio scaled to the
    window: pairing weekdays cancels the weekly pattern, and the median ignores spikes and dips.
    """
    days = len(units)
    return statistics.median(
        math.log((units[j] + 1) / (units[i] + 1)) * days / (j - i) for i in range(days) for j in range(i + 14, days, 7)
    )


def venue_of_devices() -> dict[int, str]:
    return dict(demo_devices().values_list("pk", "location__venue_type"))


def upc_check_digit(digits: str) -> int:
    odd = sum(int(d) for d in digits[0::2])
    even = sum(int(d) for d in digits[1::2])
    return (10 - (3 * odd + even) % 10) % 10


# --- Determinism ------------------------------------------------------------------------------------------------


def test_same_seed_and_end_date_rebuild_the_same_rows(fleet):
    first = fleet_digest()
    build_demo_fleet(**FLEET, flush=True)
    assert fleet_digest() == first


def test_sales_fill_the_days_before_the_end_date_in_the_operator_zone(fleet):
    zone = timezone.get_default_timezone()
    span = demo_sales().aggregate(first=Min("sold_at"), last=Max("sold_at"))
    assert fleet.start == datetime.combine(END - timedelta(days=FLEET["days"]), time.min, tzinfo=zone)
    assert fleet.end == datetime.combine(END, time.min, tzinfo=zone)
    assert fleet.start <= span["first"] < fleet.start + timedelta(hours=12)
    assert fleet.end - timedelta(hours=12) < span["last"] < fleet.end


# --- Fleet structure --------------------------------------------------------------------------------------------


def test_routes_have_drivers_in_the_driver_group_without_a_usable_password(fleet):
    routes = Route.objects.filter(number__startswith=DEMO_PREFIX).select_related("driver")
    assert routes.count() == round(FLEET["devices"] / 12)
    drivers = {route.driver for route in routes}
    assert None not in drivers
    assert len(drivers) == len(routes)
    for driver in drivers:
        assert re.fullmatch(r"driver\d+", driver.username)
        assert driver.groups.filter(name=roles.DRIVER).exists()
        assert not driver.has_usable_password()
    assert not demo_devices().filter(route=None).exists()


def test_routes_are_driven_on_weekdays_from_a_warehouse(fleet):
    routes = Route.objects.filter(number__startswith=DEMO_PREFIX)
    warehouses = {(latitude, longitude) for _, latitude, longitude in WAREHOUSES}
    for route in routes:
        assert route.service_days
        assert set(route.service_days) <= set(range(7))
        assert (route.depot_latitude, route.depot_longitude) in warehouses
    assert len({tuple(route.service_days) for route in routes}) > 1  # not every route on the same days


def test_drinks_are_picked_by_the_case_and_gum_by_the_unit(fleet):
    products = Product.objects.filter(sku__startswith=DEMO_PREFIX)
    assert set(products.filter(category__in=["Beverages", "Energy Drinks"]).values_list("case_pack", flat=True)) <= {
        12,
        24,
    }
    assert set(products.filter(category="Gum & Mints").values_list("case_pack", flat=True)) == {None}
    assert set(products.filter(category="Snacks").values_list("case_pack", flat=True)) <= set(range(6, 13))


def test_locations_spread_over_chicagoland_in_every_main_venue_type(fleet):
    locations = Location.objects.filter(devices__in=demo_devices()).distinct()
    for location in locations:
        assert 41.6 < location.latitude < 42.2
        assert -88.3 < location.longitude < -87.5
        assert re.fullmatch(r"\d+ .+, .+, IL 60\d{3}", location.address)
    venues = set(locations.values_list("venue_type", flat=True))
    assert {VenueType.OFFICE, VenueType.SCHOOL, VenueType.HOSPITAL, VenueType.FACTORY, VenueType.TRANSIT} <= venues
    assert locations.count() < FLEET["devices"]  # some sites host more than one machine


def test_multi_cabinet_devices_only_on_types_that_allow_them(fleet):
    devices = demo_devices().annotate(cabinet_count=Count("cabinets"))
    assert devices.filter(cabinet_count=2).exists()
    assert devices.filter(cabinet_count=3).exists()
    assert devices.filter(device_type__allows_additional_cabinets=False).exists()
    assert not devices.filter(cabinet_count__gt=1, device_type__allows_additional_cabinets=False).exists()
    cabinets = Cabinet.objects.filter(device__in=demo_devices())
    assert cabinets.filter(index=1, is_parent=True).count() == FLEET["devices"]
    assert not cabinets.filter(index__gt=1, is_parent=True).exists()


def test_each_cabinet_has_one_planogram_with_a_slot_per_grid_position(fleet):
    for cabinet in Cabinet.objects.filter(device__in=demo_devices()).select_related("planogram"):
        positions = set(cabinet.planogram.slots.values_list("position", flat=True))
        assert positions == {f"{chr(65 + r)}{c + 1}" for r in range(cabinet.rows) for c in range(cabinet.columns)}


def test_slots_include_sold_out_unassigned_and_maintenance_slots(fleet):
    slots = demo_slots()
    assert slots.filter(capacity__gt=0, product__isnull=False, quantity=0).exists()
    assert slots.filter(capacity__gt=0, product__isnull=True).exists()
    assert slots.filter(capacity=0, product__isnull=True).exists()
    assert slots.filter(capacity=0, product__isnull=False).exists()
    assert not slots.filter(quantity__gt=F("capacity")).exists()
    assert not slots.filter(par_level__gt=F("capacity")).exists()
    assert not slots.filter(product__isnull=True, quantity__gt=0).exists()


def test_catalogue_has_unique_skus_and_valid_barcodes(fleet):
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
        # A slot's grid check reads its cabinet.
        *demo_slots().select_related("planogram__cabinet")[::7],
        *Product.objects.filter(sku__startswith=DEMO_PREFIX),
        # Every 401st sale, picked by id so that only those are loaded.
        *demo_sales().filter(pk__in=demo_sales().values_list("pk", flat=True)[::401]),
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
    per_device_day = demo_sales().count() / (FLEET["devices"] * FLEET["days"])
    assert 25 < per_device_day < 110


def test_some_stocked_products_have_never_sold(fleet):
    unsold = Product.objects.filter(sku__startswith=DEMO_PREFIX, sales__isnull=True)
    assert unsold.filter(slots__capacity__gt=0, slots__planogram__cabinet__device__in=demo_devices()).exists()
    assert unsold.filter(slots__isnull=True).exists()


def test_some_devices_went_silent_after_selling(fleet):
    cutoff = fleet.end - timedelta(days=14)
    last_sale = demo_devices().annotate(last=Max("sales__sold_at"))
    assert last_sale.filter(last__lt=cutoff).exists()
    assert last_sale.filter(last__gte=cutoff).count() > FLEET["devices"] / 2


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
        # A spike multiplies a day by three to five; a weekend or a good day alone stays under three times the median.
        spikes += sum(1 for u in units if u > 3 * statistics.median(units))
        if venues[pk] in BUSY_WEEKDAY_VENUES:
            weekdays = [u for day, u in days.items() if day.weekday() < 5]
            dips += sum(1 for u in weekdays if u <= 0.1 * statistics.median(weekdays))
    assert spikes
    assert dips


def test_devices_grow_and_decline(fleet):
    growth = [
        window_growth([days[day] for day in sorted(days)])
        for days in daily_units().values()
        if len(days) >= FLEET["days"] - 1  # a device that started late or went silent has no trend to compare
    ]
    # Growing and declining devices change by a factor of e^0.3 to e^0.8 over the window, steady ones by about e^±0.1.
    assert max(growth) > math.log(1.7)
    assert min(growth) < -math.log(1.7)
