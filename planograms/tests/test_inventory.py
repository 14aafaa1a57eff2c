"""Restocks: service visits fill to par, to capacity or to a count, and leave an audit trail."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone

from devices.models import Cabinet, Device
from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from planograms.choices import InventoryMovementReason, RestockMode
from planograms.models import InventoryMovement, PlanogramSlot, ServiceVisit
from planograms.services.inventory import restock
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, slots_of_every_kind

pytestmark = pytest.mark.django_db

VISITED = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def slots():
    return slots_of_every_kind()


def quantities(slots):
    return list(
        PlanogramSlot.objects.filter(pk__in=[s.pk for s in slots])
        .order_by("position")
        .values_list("quantity", flat=True)
    )


def trail(visit):
    return sorted(visit.movements.values_list("slot__position", "reason", "quantity_before", "quantity_after"))


def test_fill_to_par_raises_stocked_slots_to_par_and_never_lowers_stock(slots, admin_user):
    visit = restock(slots=slots, mode=RestockMode.PAR, user=admin_user, performed_at=VISITED)

    assert quantities(slots) == [8, 9, 10, 0, 1]
    assert trail(visit) == [("A1", InventoryMovementReason.RESTOCK, 2, 8)]
    assert (visit.device.asset, visit.performed_by, visit.performed_at) == ("A100", admin_user, VISITED)
    movement = visit.movements.get()
    assert (movement.user, movement.occurred_at, movement.shortfall) == (admin_user, VISITED, 0)


def test_fill_to_capacity_fills_every_stocked_slot(slots):
    visit = restock(slots=slots, mode=RestockMode.CAPACITY)

    assert quantities(slots) == [10, 10, 10, 0, 1]
    assert trail(visit) == [("A1", "restock", 2, 10), ("A2", "restock", 9, 10)]


def test_a_count_sets_the_counted_slots_and_records_every_count(slots):
    visit = restock(slots=slots, mode=RestockMode.COUNT, counts={slots[0].pk: 0, slots[2].pk: 10})

    assert quantities(slots) == [0, 9, 10, 0, 1]
    assert trail(visit) == [("A1", "count", 2, 0), ("A3", "count", 10, 10)]


@pytest.mark.parametrize(("count", "message"), [(11, "capacity 10"), (-1, "capacity 10")])
def test_a_count_outside_the_slots_capacity_is_refused_and_changes_nothing(slots, count, message):
    with pytest.raises(ValidationError, match=message):
        restock(slots=slots, mode=RestockMode.COUNT, counts={slots[0].pk: 3, slots[1].pk: count})

    assert quantities(slots) == [2, 9, 10, 0, 1]
    assert not InventoryMovement.objects.exists()


def test_a_count_of_a_slot_not_restocked_is_refused(slots):
    other = PlanogramSlotFactory()
    with pytest.raises(ValidationError, match="Not among the slots"):
        restock(slots=slots, mode=RestockMode.COUNT, counts={other.pk: 1})


def test_a_visit_covers_one_device(slots):
    with pytest.raises(ValidationError, match="exactly one device"):
        restock(slots=[*slots, PlanogramSlotFactory()], mode=RestockMode.PAR)


# The API


def test_the_api_records_a_fill_and_answers_the_visit_with_its_movements(client_for, manager, slots):
    device = slots[0].planogram.cabinet.device

    response = client_for(manager).post(
        "/api/restocks", {"device": device.pk, "mode": "par", "performed_at": "2025-03-01T09:00:00Z"}, format="json"
    )

    assert response.status_code == 201, response.data
    assert (response.data["device"], response.data["performed_by"]) == (device.pk, manager.pk)
    assert [(m["slot_position"], m["quantity_before"], m["quantity_after"]) for m in response.data["movements"]] == [
        ("A1", 2, 8)
    ]


def test_the_api_counts_slots_by_id_or_position_in_a_cabinet(client_for, manager, slots):
    added = CabinetFactory(device=slots[0].planogram.cabinet.device, index=2)
    added_a1 = PlanogramSlotFactory(planogram__cabinet=added, position="A1", quantity=4)

    by_position = client_for(manager).post(
        "/api/restocks", {"cabinet": added.pk, "mode": "count", "counts": {"a1": 3}}, format="json"
    )
    by_id = client_for(manager).post(
        "/api/restocks",
        {"device": added.device_id, "mode": "count", "counts": {str(slots[1].pk): 5, "A1": 7}},
        format="json",
    )

    assert (by_position.status_code, by_id.status_code) == (201, 201)
    assert PlanogramSlot.objects.get(pk=added_a1.pk).quantity == 3
    assert quantities(slots[:2]) == [7, 5]  # "A1" of the device: its parent cabinet's


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mode": "par"}, "device"),
        ({"mode": "count"}, "counts"),
        ({"mode": "count", "counts": {"Z9": 1}}, "counts"),
        ({"mode": "count", "counts": {"A1": 99}}, "counts"),
        ({"mode": "sideways"}, "mode"),
    ],
)
def test_bad_restocks_answer_400_with_the_field(client_for, manager, slots, body, field):
    body = {"device": slots[0].planogram.cabinet.device_id, **body} if field != "device" else body

    response = client_for(manager).post("/api/restocks", body, format="json")

    assert response.status_code == 400
    assert field in response.data
    assert not ServiceVisit.objects.exists()


@pytest.mark.parametrize(
    ("performed_at", "message"),
    [
        ("0001-01-01T00:00:00", "Must not be before 2000-01-01T00:00:00-06:00"),
        ("9999-12-31T23:59:59", "Must not be more than 5 minutes ahead of the server's clock"),  # a 500 before
        ("2099-12-31T23:59:59", "Must not be more than 5 minutes ahead of the server's clock"),
    ],
)
@override_settings(EARLIEST_EVENT="2000-01-01", EVENT_CLOCK_SKEW=300)
def test_a_restock_at_an_implausible_moment_is_refused_naming_performed_at(
    client_for, manager, slots, performed_at, message
):
    body = {"device": slots[0].planogram.cabinet.device_id, "mode": "par", "performed_at": performed_at}

    response = client_for(manager).post("/api/restocks", body, format="json")

    assert response.status_code == 400
    [answer] = response.json()["performed_at"]
    assert answer.startswith(message)
    assert not ServiceVisit.objects.exists()


@override_settings(EARLIEST_EVENT="2000-01-01", EVENT_CLOCK_SKEW=300)
def test_a_restock_a_little_ahead_of_the_servers_clock_is_recorded(client_for, manager, slots):
    performed_at = timezone.now() + dt.timedelta(minutes=4)
    body = {"device": slots[0].planogram.cabinet.device_id, "mode": "par", "performed_at": performed_at.isoformat()}

    response = client_for(manager).post("/api/restocks", body, format="json")

    assert response.status_code == 201, response.data
    assert ServiceVisit.objects.get().performed_at == performed_at


def test_a_driver_restocks_only_their_routes_devices(client_for, driver, slots):
    others = slots[0].planogram.cabinet.device
    own = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(route=RouteFactory(driver=driver)), quantity=0)

    refused = client_for(driver).post("/api/restocks", {"device": others.pk, "mode": "par"}, format="json")
    done = client_for(driver).post(
        "/api/restocks", {"device": own.planogram.cabinet.device_id, "mode": "capacity"}, format="json"
    )

    assert (refused.status_code, done.status_code) == (400, 201)
    assert PlanogramSlot.objects.get(pk=own.pk).quantity == own.capacity


def test_movements_are_listed_and_filtered_read_only(client_for, viewer, slots):
    restock(slots=slots, mode=RestockMode.CAPACITY, performed_at=VISITED)
    client = client_for(viewer)

    listed = client.get("/api/inventory-movements/", {"reason": "restock", "occurred_after": "2025-03-01T00:00:00Z"})
    none_before = client.get("/api/inventory-movements/", {"occurred_before": "2025-03-01T00:00:00Z"})

    assert sorted(m["slot_position"] for m in listed.data["results"]) == ["A1", "A2"]
    assert none_before.data["results"] == []
    # No role may add movements (the audit trail), and DRF checks permissions before the method:
    # 403, where only a superuser, holding every permission, would get as far as the 405.
    assert client.post("/api/inventory-movements/", {}).status_code == 403


# The admin


@pytest.mark.parametrize(
    ("model", "action", "expected"),
    [(Device, "restock_to_par", [8, 9, 10, 0, 1]), (Cabinet, "restock_to_capacity", [10, 10, 10, 0, 1])],
)
def test_admin_actions_restock_the_selected_devices_and_cabinets(admin_client, slots, model, action, expected):
    cabinet = slots[0].planogram.cabinet
    selected = cabinet.device if model is Device else cabinet

    response = admin_client.post(
        f"/admin/devices/{model._meta.model_name}/", {"action": action, ACTION_CHECKBOX_NAME: [selected.pk]}
    )

    assert response.status_code == 302
    assert quantities(slots) == expected
    assert ServiceVisit.objects.get().device == cabinet.device


def test_movements_and_visits_are_read_only_in_the_admin(admin_client, slots):
    visit = restock(slots=slots, mode=RestockMode.PAR)

    assert admin_client.get(f"/admin/planograms/servicevisit/{visit.pk}/change/").status_code == 200
    assert admin_client.get("/admin/planograms/inventorymovement/").status_code == 200
    assert admin_client.get("/admin/planograms/inventorymovement/add/").status_code == 403


def test_a_count_by_position_finds_the_slot_as_a_sale_does(client_for, manager, slots):
    """``slot_at_position``: the parent cabinet's, else the only cabinet's with it; several need the cabinet."""
    device = slots[0].planogram.cabinet.device
    second = PlanogramFactory(cabinet=CabinetFactory(device=device, index=2))
    third = PlanogramFactory(cabinet=CabinetFactory(device=device, index=3))
    only_in_second = PlanogramSlotFactory(planogram=second, position="F8", quantity=4)
    PlanogramSlotFactory(planogram=second, position="E1")
    PlanogramSlotFactory(planogram=third, position="E1")

    found = client_for(manager).post(
        "/api/restocks", {"device": device.pk, "mode": "count", "counts": {"f8": 2}}, format="json"
    )
    ambiguous = client_for(manager).post(
        "/api/restocks", {"device": device.pk, "mode": "count", "counts": {"E1": 1}}, format="json"
    )

    assert found.status_code == 201, found.data
    assert PlanogramSlot.objects.get(pk=only_in_second.pk).quantity == 2
    assert ambiguous.status_code == 400
    assert ambiguous.json() == {
        "counts": ["Device A100 has a slot E1 in more than one added cabinet; give the cabinet."]
    }
