"""POST /api/sales: bulk, idempotent, all or nothing, with each bad row named."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.test import override_settings
from django.utils import timezone

from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from planograms.models import InventoryMovement, PlanogramSlot
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory
from sales.models import Sale

pytestmark = pytest.mark.django_db

URL = "/api/sales/"


@pytest.fixture
def slot():
    return PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A100"), position="A1", quantity=5)


def row(n, **values):
    return {
        "device": "A100",
        "slot": "A1",
        "units": 1,
        "cash_amount": "1.50",
        "sold_at": "2025-03-01T08:30:00-06:00",
        "transaction_id": f"T{n}",
        **values,
    }


def test_a_batch_is_recorded_and_answered_with_counts(client_for, manager, slot):
    response = client_for(manager).post(URL, {"rows": [row(1, units=2), row(2)]}, format="json")

    assert response.status_code == 201, response.data
    assert response.data == {"recorded": 2, "duplicates": 0, "shortfalls": 0, "units_short": 0}
    assert PlanogramSlot.objects.get(pk=slot.pk).quantity == 5 - 3


def test_retrying_a_batch_records_nothing_new(client_for, manager, slot):
    batch = {"rows": [row(1, units=2), row(2)]}
    client_for(manager).post(URL, batch, format="json")

    response = client_for(manager).post(URL, batch, format="json")

    assert response.status_code == 201
    assert (response.data["recorded"], response.data["duplicates"]) == (0, 2)
    assert Sale.objects.count() == 2
    assert PlanogramSlot.objects.get(pk=slot.pk).quantity == 5 - 3


def test_bad_rows_reject_the_whole_batch_each_row_named_the_whole_batch_with_its_row_named(client_for, manager, slot):
    rows = [row(1), row(2, units="many"), row(3), row(4, device="X", slot="Z9x")]

    response = client_for(manager).post(URL, {"rows": rows}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "rows": {
            "1": {"units": ["A whole number is required."]},
            "3": {"device": ["Unknown asset “X”."], "slot": ["Use a row letter and a column number, e.g. A1."]},
        }
    }
    assert not Sale.objects.exists()
    assert PlanogramSlot.objects.get(pk=slot.pk).quantity == 5


def test_values_no_database_column_takes_are_field_errors(client_for, manager, slot):
    # Found by schemathesis on PostgreSQL: a NUL in a text, an id past the big integer, each a 500 before.
    rows = [row(1, device="A\x00100"), row(2, device=2**63), row(3, transaction_id="t\x00")]

    response = client_for(manager).post(URL, {"rows": rows}, format="json")

    assert response.status_code == 400
    assert response.json()["rows"] == {
        "0": {"device": ["Null characters are not allowed."]},
        "1": {"device": [f"An id is a whole number from 1 to {2**63 - 1}."]},
        "2": {"transaction_id": ["Null characters are not allowed."]},
    }
    assert not Sale.objects.exists()


@pytest.mark.parametrize(
    ("sold_at", "message"),
    [
        # 10000-01-01 in UTC: recorded (201) before, and every listing of sales or movements answered 500 after.
        ("9999-12-31T23:59:59", "Must not be more than 5 minutes ahead of the server's clock"),
        ("2099-01-01T00:00:00Z", "Must not be more than 5 minutes ahead of the server's clock"),
        ("0001-01-01T00:00:00", "Must not be before 2000-01-01T00:00:00-06:00"),
        ("1999-12-31T23:59:59-06:00", "Must not be before 2000-01-01T00:00:00-06:00"),
        ("2026-01-01T00:00:00+16:00", "A UTC offset lies within ±15:59:59, in whole seconds."),
    ],
)
@override_settings(EARLIEST_EVENT="2000-01-01", EVENT_CLOCK_SKEW=300)
def test_an_implausible_moment_is_a_field_error_and_records_nothing(client_for, manager, slot, sold_at, message):
    client = client_for(manager)

    response = client.post(URL, {"rows": [row(1), row(2, sold_at=sold_at)]}, format="json")

    assert response.status_code == 400
    [answer] = response.json()["rows"]["1"]["sold_at"]
    assert answer.startswith(message)
    assert not Sale.objects.exists()
    assert PlanogramSlot.objects.get(pk=slot.pk).quantity == 5
    assert (client.get(URL).status_code, client.get("/api/inventory-movements/").status_code) == (200, 200)


@override_settings(EARLIEST_EVENT="2000-01-01", EVENT_CLOCK_SKEW=300)
def test_a_sale_a_little_ahead_of_the_servers_clock_is_recorded(client_for, manager, slot):
    ahead = (timezone.now() + dt.timedelta(minutes=4)).isoformat()

    response = client_for(manager).post(URL, {"rows": [row(1, sold_at=ahead)]}, format="json")

    assert response.status_code == 201, response.data
    assert client_for(manager).get(URL).json()["count"] == 1


def test_stock_never_goes_below_zero_and_the_shortfall_is_answered(client_for, manager, slot):
    response = client_for(manager).post(URL, {"rows": [row(1, units=4), row(2, units=3)]}, format="json")

    assert response.data["shortfalls"] == 1 and response.data["units_short"] == 2
    assert PlanogramSlot.objects.get(pk=slot.pk).quantity == 0
    assert InventoryMovement.objects.get().shortfall == 2


@pytest.mark.parametrize(
    "body",
    [{}, {"rows": []}, {"rows": "A100"}, {"rows": [row(n) for n in range(10_001)]}, []],
    ids=["missing", "empty", "not-a-list", "too-many", "not-an-object"],
)
def test_a_malformed_batch_answers_400(client_for, manager, slot, body):
    response = client_for(manager).post(URL, body, format="json")

    assert response.status_code == 400
    assert not Sale.objects.exists()


def test_viewers_and_drivers_cannot_post_sales(client_for, viewer, driver, slot):
    for user in (viewer, driver):
        assert client_for(user).post(URL, {"rows": [row(1)]}, format="json").status_code == 403


def test_a_user_without_every_route_posts_only_for_their_routes_devices(client_for, driver, slot):
    driver.user_permissions.add(Permission.objects.get(codename="add_sale"))
    own = PlanogramSlotFactory(
        planogram__cabinet__device=DeviceFactory(asset="A200", route=RouteFactory(driver=driver)), position="A1"
    )

    refused = client_for(driver).post(URL, {"rows": [row(1, device="A200"), row(2)]}, format="json")
    accepted = client_for(driver).post(URL, {"rows": [row(1, device="A200")]}, format="json")

    assert refused.status_code == 400
    assert refused.json() == {"rows": {"1": {"device": ["Unknown asset “A100”."]}}}
    assert accepted.status_code == 201
    assert list(Sale.objects.values_list("slot", flat=True)) == [own.pk]


@pytest.mark.parametrize("size", [10, 400])
def test_posting_sales_runs_the_same_number_of_queries_whatever_the_batch_size(
    client_for, manager, size, django_assert_max_num_queries
):
    for asset in ("A100", "A200"):
        a1 = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset=asset), position="A1", capacity=999)
        PlanogramSlotFactory(planogram=a1.planogram, position="A2", capacity=999, quantity=999)
    rows = [row(n, device=("A100", "A200")[n % 2], slot=("A1", "A2")[n // 2 % 2], units=1 + n % 3) for n in range(size)]
    client = client_for(manager)

    with django_assert_max_num_queries(23):
        response = client.post(URL, {"rows": rows}, format="json")

    assert response.status_code == 201
    assert response.data["recorded"] == size


def test_the_schema_documents_the_bulk_post(admin_client):
    schema = admin_client.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/sales/"]["post"]
    assert "201" in operation["responses"]
    assert "/api/restocks" in schema["paths"]


def test_a_sale_names_its_cabinet_by_an_index_from_1_to_3(client_for, manager, admin_client, slot):
    """A device has its parent cabinet and at most two more (the spec): the API says so and holds to it."""
    third = PlanogramSlotFactory(
        planogram=PlanogramFactory(cabinet=CabinetFactory(device=slot.planogram.cabinet.device, index=3)), position="A1"
    )
    schema = admin_client.get("/api/schema/?format=json").json()

    in_third = client_for(manager).post(URL, {"rows": [row(1, cabinet=3)]}, format="json")
    fourth = client_for(manager).post(URL, {"rows": [row(2, cabinet=4)]}, format="json")

    assert schema["components"]["schemas"]["SaleRowRequest"]["properties"]["cabinet"]["maximum"] == 3
    assert in_third.status_code == 201, in_third.data
    assert Sale.objects.get().slot_id == third.pk
    assert fourth.status_code == 400
    assert fourth.json() == {"rows": {"0": {"cabinet": ["Ensure this value is less than or equal to 3."]}}}
