"""Generated fleets and sales histories: the set-based engine agrees exactly with the per-slot oracle."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from devices.models import Cabinet, Device
from devices.services import device_soft_delete
from devices.tests.factories import CabinetTypeFactory, DeviceTypeFactory, LocationFactory
from metrics.services.engine import recalculate_metrics
from metrics.tests.oracle import fleet_metrics, stored_metrics
from planograms.models import Planogram, PlanogramSlot, Product
from sales.models import Sale
from sales.services import sales_rollups_rebuild

ZONE = ZoneInfo(settings.TIME_ZONE)
# Around the autumn DST change, so the window's local midnight and elapsed days are tested there too.
NOW = dt.datetime(2026, 11, 25, 7, 30, tzinfo=ZONE)
PRODUCTS = 4

slot_specs = st.tuples(
    st.integers(0, 12),  # capacity (0 = maintenance)
    st.floats(0, 1),  # fill fraction
    st.one_of(st.none(), st.integers(0, PRODUCTS - 1)),  # product (None = unassigned)
)
cabinet_specs = st.one_of(st.none(), st.lists(slot_specs, max_size=6))  # None = no planogram
device_specs = st.tuples(st.lists(cabinet_specs, min_size=1, max_size=3), st.booleans())  # (cabinets, deleted)
sale_specs = st.tuples(
    st.integers(0, 3),  # device index (modulo the fleet)
    st.integers(0, PRODUCTS - 1),
    st.integers(1, 4),  # units
    st.integers(0, 120 * 24 * 60),  # minutes before NOW
)


class Rollback(Exception):
    pass


def build(devices, sales):
    device_type = DeviceTypeFactory(allows_additional_cabinets=True)
    cabinet_type = CabinetTypeFactory()
    location = LocationFactory()
    products = [Product.objects.create(name=f"P{i}", category="Snacks", price=1, sku=f"P{i}") for i in range(PRODUCTS)]
    built = []
    for number, (cabinets, _) in enumerate(devices):
        device = Device.objects.create(asset=f"H{number}", device_type=device_type, location=location)
        for index, slots in enumerate(cabinets, start=1):
            cabinet = Cabinet.objects.create(device=device, cabinet_type=cabinet_type, index=index, rows=6, columns=8)
            if slots is None:
                continue
            planogram = Planogram.objects.create(cabinet=cabinet)
            for position, (capacity, fill, product) in enumerate(slots, start=1):
                PlanogramSlot.objects.create(
                    planogram=planogram,
                    position=f"A{position}",
                    capacity=capacity,
                    quantity=round(capacity * fill),
                    product=None if product is None else products[product],
                )
        built.append(device)
    for device_index, product, units, minutes in sales:
        Sale.objects.create(
            device=built[device_index % len(built)],
            product=products[product],
            units=units,
            cash_amount=units,
            sold_at=NOW - dt.timedelta(minutes=minutes),
        )
    for device, (_, deleted) in zip(built, devices, strict=True):
        if deleted:
            device_soft_delete(device=device)


@pytest.mark.django_db
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(devices=st.lists(device_specs, min_size=1, max_size=4), sales=st.lists(sale_specs, max_size=40))
# Rounding of halves (1 of 8 is 12.5 %) and a stocked slot whose DRI truncates to 0.
@example(devices=[([[(8, 0.125, 0), (8, 0.625, 1)]], False)], sales=[(0, 1, 4, 60), (0, 1, 4, 120)])
def test_engine_agrees_exactly_with_the_per_slot_oracle(devices, sales):
    try:
        with transaction.atomic():
            build(devices, sales)
            sales_rollups_rebuild()
            recalculate_metrics(now=NOW)
            assert stored_metrics() == fleet_metrics(NOW)
            raise Rollback
    except Rollback:
        pass
