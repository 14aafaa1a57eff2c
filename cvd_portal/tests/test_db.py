"""The set-based write helpers: what they write, typed as the ORM reads it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import IntegerField, Value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvd_portal.db import DayNumber, bulk_insert, bulk_upsert, integer_columns, listed_rows, update_by_id
from devices.tests.factories import DeviceFactory
from sales.models import DeviceDailySales

pytestmark = pytest.mark.django_db

MOMENT = dt.datetime(2025, 3, 1, 14, 30, tzinfo=dt.UTC)


def day_row(device, day, revenue="1.50", **values):
    return {
        "device_id": device.pk,
        "date": dt.date(2025, 3, day),
        "units": 2,
        "revenue": Decimal(revenue),
        "transactions": 1,
        "first_sold_at": MOMENT,
        "last_sold_at": MOMENT,
        **values,
    }


def stored():
    return list(DeviceDailySales.objects.order_by("date").values_list("date", "units", "revenue", "last_sold_at"))


def test_bulk_insert_writes_every_row_as_the_orm_reads_it():
    device = DeviceFactory()
    rows = [day_row(device, day + 1, revenue=f"{day}.25") for day in range(30)]

    bulk_insert(DeviceDailySales, rows)

    assert stored() == [(row["date"], 2, row["revenue"], MOMENT) for row in rows]


def test_integer_columns_read_what_the_orm_reads():
    devices = [DeviceFactory(), DeviceFactory()]
    bulk_insert(
        DeviceDailySales,
        [day_row(device, day + 1, units=day * 7 + i) for i, device in enumerate(devices) for day in range(20)],
    )
    start = dt.date(2025, 3, 1)
    rows = DeviceDailySales.objects.filter(units__gt=10).annotate(day=DayNumber("date", start)).order_by("pk")

    got = integer_columns(rows.values_list("device_id", "day", "units"))

    assert got.tolist() == [
        [device, (date - start).days, units] for device, date, units in rows.values_list("device_id", "date", "units")
    ]
    assert integer_columns(rows.none().values_list("device_id", "units")).shape == (0, 2)


def test_integer_columns_refuse_a_null():
    bulk_insert(DeviceDailySales, [day_row(DeviceFactory(), 1)])

    with pytest.raises(ValueError, match="NOT NULL integer columns only"):
        integer_columns(DeviceDailySales.objects.annotate(nothing=Value(None, IntegerField())).values_list("nothing"))


def test_bulk_upsert_updates_rows_by_primary_key_and_inserts_the_others():
    device = DeviceFactory()
    bulk_insert(DeviceDailySales, [day_row(device, 1)])
    existing = DeviceDailySales.objects.get()

    bulk_upsert(
        DeviceDailySales, [{**day_row(device, 1, units=7), "id": existing.pk}, {**day_row(device, 2), "id": 999}]
    )

    assert stored() == [
        (dt.date(2025, 3, 1), 7, Decimal("1.50"), MOMENT),
        (dt.date(2025, 3, 2), 2, Decimal("1.50"), MOMENT),
    ]


def test_update_by_id_sets_each_row_from_its_listed_values():
    device = DeviceFactory()
    bulk_insert(DeviceDailySales, [day_row(device, 1), day_row(device, 2)])
    later = MOMENT + dt.timedelta(hours=3)
    rows = [
        {"id": pk, "revenue": Decimal("9.99"), "last_sold_at": later}
        for pk in DeviceDailySales.objects.filter(date__day=2).values_list("pk", flat=True)
    ]

    update_by_id(DeviceDailySales, ["revenue = batch.revenue", "last_sold_at = batch.last_sold_at"], rows)

    assert stored() == [
        (dt.date(2025, 3, 1), 2, Decimal("1.50"), MOMENT),
        (dt.date(2025, 3, 2), 2, Decimal("9.99"), later),
    ]


def test_listed_rows_join_as_a_relation_of_typed_columns():
    device = DeviceFactory()
    bulk_insert(DeviceDailySales, [day_row(device, 1), day_row(device, 2)])
    fields = {"device_id": DeviceDailySales._meta.get_field("device"), "date": DeviceDailySales._meta.get_field("date")}
    listed, params = listed_rows(
        connection,
        fields,
        [{"device_id": device.pk, "date": dt.date(2025, 3, 2)}, {"device_id": 0, "date": dt.date(2025, 3, 1)}],
    )
    table = DeviceDailySales._meta.db_table

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table}.units FROM {table} JOIN {listed} AS listed"
            f" ON {table}.device_id = listed.device_id AND {table}.date = listed.date",
            params,
        )
        assert cursor.fetchall() == [(2,)]


listed_values = st.fixed_dictionaries(
    {
        "date": st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
        "units": st.integers(min_value=0, max_value=2**31 - 1),
        "revenue": st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2),
        # Any real offset (±14 h) and microsecond, within years whose instant stays inside the calendar in UTC.
        "last_sold_at": st.datetimes(
            min_value=dt.datetime(2, 1, 1),
            max_value=dt.datetime(9998, 12, 31),
            timezones=st.builds(
                lambda minutes: dt.timezone(dt.timedelta(minutes=minutes)),
                st.integers(min_value=-14 * 60, max_value=14 * 60),
            ),
        ),
    }
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(listed_values, min_size=1, max_size=5, unique_by=lambda row: row["date"]))
def test_listed_numbers_dates_and_moments_arrive_exactly(values):
    # These columns go as array literals written by the project, not by psycopg.
    device = DeviceFactory()
    bulk_insert(DeviceDailySales, [day_row(device, 1 + number) for number in range(len(values))])
    pks = list(DeviceDailySales.objects.filter(device=device).order_by("pk").values_list("pk", flat=True))

    update_by_id(
        DeviceDailySales,
        [f"{name} = batch.{name}" for name in ("date", "units", "revenue", "last_sold_at")],
        [{"id": pk, **row} for pk, row in zip(pks, values, strict=True)],
    )

    assert (
        list(
            DeviceDailySales.objects.filter(device=device)
            .order_by("pk")
            .values("date", "units", "revenue", "last_sold_at")
        )
        == values
    )
