"""The metrics API: starting runs, following them, and the route devices a driver plans from."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from devices.models import Device
from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun, SlotMetrics, UrgencyThresholds
from metrics.services.engine import recalculate_metrics
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory
from sales.services import sales_rollups_rebuild

pytestmark = pytest.mark.django_db
CALCULATE = "/api/metrics/calculate"


def route_devices_url(route):
    return reverse("route-devices", args=[route.pk])


@pytest.fixture
def post_calculate(django_capture_on_commit_callbacks):
    def post(client, body=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(CALCULATE, body or {}, format="json")

    return post


def device_with_dri(route, quantity, asset=None):
    """A one-slot device with no sales history: DRI = quantity × 10 (velocity 0.1 a day)."""
    device = DeviceFactory(route=route, **({"asset": asset} if asset else {}))
    PlanogramSlotFactory(planogram=PlanogramFactory(cabinet=CabinetFactory(device=device)), position="A1",
                         quantity=quantity, capacity=max(quantity, 1) * 2, par_level=0)  # fmt: skip
    return device


@pytest.mark.django_db(transaction=True)  # real commits: the run starts when the request's transaction commits
def test_manager_starts_a_whole_fleet_run_that_finishes_inline(client_for, manager):
    PlanogramSlotFactory()
    response = client_for(manager).post(CALCULATE, {}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == MetricsRunStatus.SUCCEEDED and body["scope"] == MetricsRunScope.FULL
    assert body["coalesced"] is False and body["devices_processed"] == 1 and body["slots_processed"] == 1
    run = client_for(manager).get(reverse("metrics-runs-detail", args=[body["id"]])).json()
    assert run["status"] == "succeeded" and run["finished_at"] is not None and run["error"] == ""


def test_chosen_devices_only(client_for, manager, post_calculate):
    chosen, other = PlanogramSlotFactory(), PlanogramSlotFactory()
    response = post_calculate(client_for(manager), {"device_ids": [chosen.planogram.cabinet.device_id]})
    assert response.status_code == 202 and response.json()["scope"] == MetricsRunScope.DEVICES
    assert SlotMetrics.objects.filter(slot=chosen).exists()
    assert not SlotMetrics.objects.filter(slot=other).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"device_ids": "all"},
        {"device_ids": []},
        {"device_ids": ["x"]},
        {"device_ids": [999999]},
        {"device_ids": [None]},
        {"device_ids": {"a": 1}},
    ],
)
def test_bad_requests_get_field_messages(client_for, manager, post_calculate, body):
    response = post_calculate(client_for(manager), body)
    assert response.status_code == 400
    assert "device_ids" in response.json()
    assert not MetricsRun.objects.exists()


@pytest.mark.parametrize("count", [10, 10_000])
def test_calculate_checks_every_device_id_in_one_query(client_for, driver, count, django_assert_max_num_queries):
    route = RouteFactory(driver=driver)
    device_type = DeviceFactory(route=route).device_type
    Device.objects.bulk_create(
        Device(asset=f"Q{n:05d}", device_type=device_type, route=route) for n in range(count - 1)
    )
    device_ids = list(Device.objects.filter(route=route).values_list("pk", flat=True))
    client = client_for(driver)

    # The user's permissions (2), the ids (1), then the run: lost runs failed, an equivalent one looked for,
    # the new one written and read back, in a savepoint (2).
    with django_assert_max_num_queries(10):
        response = client.post(CALCULATE, {"device_ids": device_ids}, format="json")

    assert response.status_code == 202, response.content[:300]
    assert response.json()["device_ids"] == sorted(device_ids)


def test_calculate_names_each_bad_device_id_by_its_index(client_for, driver, post_calculate):
    own = DeviceFactory(route=RouteFactory(driver=driver))
    foreign = DeviceFactory()
    body = {"device_ids": [own.pk, foreign.pk, "x", f" {own.pk}", 2**63, True, 1.5]}  # an id's digits are welcome

    response = post_calculate(client_for(driver), body)

    assert response.status_code == 400
    assert response.json() == {
        "device_ids": {
            "1": [f'Invalid pk "{foreign.pk}" - object does not exist.'],
            "2": ["Incorrect type. Expected pk value, received str."],
            "4": [f'Invalid pk "{2**63}" - object does not exist.'],
            "5": ["Incorrect type. Expected pk value, received bool."],
            "6": ["Incorrect type. Expected pk value, received float."],
        }
    }
    assert not MetricsRun.objects.exists()


def test_who_may_start_runs(api_client, client_for, viewer, post_calculate):
    assert post_calculate(api_client).status_code == 401
    assert post_calculate(client_for(viewer)).status_code == 403


def test_a_driver_recalculates_only_their_own_devices(client_for, driver, post_calculate):
    own = device_with_dri(RouteFactory(driver=driver), 3)
    foreign = device_with_dri(RouteFactory(), 3)
    response = post_calculate(client_for(driver))
    assert response.status_code == 202 and response.json()["device_ids"] == [own.pk]
    assert post_calculate(client_for(driver), {"device_ids": [foreign.pk]}).status_code == 400
    runs = client_for(driver).get(reverse("metrics-runs-list")).json()["results"]
    assert [run["id"] for run in runs] == [response.json()["id"]]
    other_run = MetricsRun.objects.create(scope=MetricsRunScope.FULL)
    assert client_for(driver).get(reverse("metrics-runs-detail", args=[other_run.pk])).status_code == 404


def test_routes_count_their_devices_by_urgency(client_for, manager):
    route = RouteFactory()
    # No history: DRI = 10 × quantity → 999 (nothing stocked), 10, 20, 50, 90 days.
    for quantity in (0, 1, 2, 5, 9):
        device_with_dri(route, quantity)
    DeviceFactory(route=route)  # never calculated
    retired = device_with_dri(route, 0)
    retired.deleted_at = retired.created_at
    retired.save()
    UrgencyThresholds.objects.update_or_create(pk=1, defaults={"critical_days": 10, "warning_days": 30, "ok_days": 70})
    sales_rollups_rebuild()
    recalculate_metrics()
    body = client_for(manager).get(reverse("routes-detail", args=[route.pk])).json()
    assert body["device_count"] == 6
    assert body["urgency_counts"] == {"critical": 1, "warning": 1, "ok": 1, "good": 2, "unknown": 1}


def test_route_devices_answers_devices_cabinets_and_slots_most_urgent_first(client_for, manager):
    route = RouteFactory()
    calm = device_with_dri(route, 8, asset="CALM")  # 80 days
    busy = DeviceFactory(route=route, asset="BUSY")
    planogram = PlanogramFactory(cabinet=CabinetFactory(device=busy))
    for position, quantity in (("A10", 0), ("B1", 2), ("A2", 3)):
        PlanogramSlotFactory(planogram=planogram, position=position, quantity=quantity, capacity=4, par_level=4)
    PlanogramSlotFactory(planogram=planogram, position="A1", quantity=0, capacity=0, par_level=0, product=None)
    recalculate_metrics()

    body = client_for(manager).get(route_devices_url(route)).json()
    assert [d["asset"] for d in body["devices"]] == ["BUSY", "CALM"]
    device = body["devices"][0]
    assert device["urgency"] == "good"  # 20 days
    assert device["location"]["latitude"] is not None
    assert device["metrics"]["sold_out_count"] == 1
    assert device["metrics"]["days_remaining_inventory"] == 20
    assert device["metrics"]["units_to_par"] == 4 + 2 + 1
    (cabinet,) = device["cabinets"]
    assert cabinet["metrics"]["product_level_percent"] == 42  # 5 of 12
    assert [s["position"] for s in cabinet["slots"]] == ["A1", "A2", "A10", "B1"]
    maintenance = cabinet["slots"][0]
    assert maintenance["is_maintenance"] and maintenance["metrics"] is None and maintenance["product"] is None
    assert cabinet["slots"][2]["metrics"]["is_sold_out"] is True
    assert body["thresholds"] == {"critical_days": 1, "warning_days": 3, "ok_days": 7}
    assert body["calculated_at"] is not None
    assert body["devices"][1]["asset"] == calm.asset


def test_uncalculated_devices_are_listed_last_with_unknown_urgency(client_for, manager):
    route = RouteFactory()
    DeviceFactory(route=route, asset="NEW")
    body = client_for(manager).get(route_devices_url(route)).json()
    assert body["devices"][0]["urgency"] == "unknown" and body["devices"][0]["metrics"] is None
    assert body["calculated_at"] is None


def test_a_driver_gets_only_their_own_routes(client_for, driver):
    own, foreign = RouteFactory(driver=driver), RouteFactory(driver=UserFactory())
    assert client_for(driver).get(route_devices_url(own)).status_code == 200
    assert client_for(driver).get(route_devices_url(foreign)).status_code == 404
    assert [r["id"] for r in client_for(driver).get(reverse("routes-list")).json()["results"]] == [own.pk]


@pytest.mark.parametrize("devices", [2, 12])
def test_route_devices_runs_a_fixed_number_of_queries(client_for, manager, devices, django_assert_max_num_queries):
    route = RouteFactory()
    for _ in range(devices):
        device = device_with_dri(route, 3)
        second = PlanogramFactory(cabinet=CabinetFactory(device=device, index=2))
        PlanogramSlotFactory(planogram=second, position="A1")
    recalculate_metrics()
    client = client_for(manager)
    with django_assert_max_num_queries(7):
        response = client.get(route_devices_url(route))
    assert len(response.json()["devices"]) == devices


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=8,
)


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.dictionaries(st.sampled_from(["device_ids", "scope", "x"]), json_values, max_size=3) | json_values)
def test_no_body_makes_calculate_fail_with_a_500(client_for, manager, body):
    response = client_for(manager).post(CALCULATE, body, format="json")
    assert response.status_code < 500
