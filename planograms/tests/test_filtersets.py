"""The planogram FilterSets on their own: every filter against rows chosen by hand, and the errors they answer."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from devices.services import device_soft_delete
from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from planograms.choices import InventoryMovementReason
from planograms.filtersets import (
    InventoryMovementFilterSet,
    PlanogramFilterSet,
    PlanogramSlotFilterSet,
    ProductFilterSet,
)
from planograms.models import InventoryMovement, Planogram, PlanogramSlot, Product, ServiceVisit
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

pytestmark = pytest.mark.django_db

UNKNOWN_CHOICE = "Select a valid choice. That choice is not one of the available choices."
OFFSET_REFUSED = "A UTC offset lies within ±15:59:59, in whole seconds."
OUT_OF_RANGE = "Out of range: a moment lies between 0001-01-01 and 9999-12-31 in UTC."


def narrowed(filterset_class, query: str, *, queryset):
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    assert filterset.is_valid(), filterset.errors
    return filterset.qs


def errors(filterset_class, query: str, *, queryset) -> dict:
    filterset = filterset_class(QueryDict(query), queryset=queryset)
    assert not filterset.is_valid()
    return filterset.errors


# --- ProductFilterSet --------------------------------------------------------------------------------


@pytest.fixture
def catalogue():
    """Four products that differ in category (and its case), SKU, barcode and name."""
    return {
        "Cola Classic": ProductFactory(name="Cola Classic", category="Drinks", sku="DR-001", barcode="0490001"),
        "Cola Zero": ProductFactory(name="Cola Zero", category="drinks", sku="DR-002", barcode=""),
        "Salted Chips": ProductFactory(name="Salted Chips", category="Snacks", sku="SN-100", barcode="7790001"),
        "Granola Bar": ProductFactory(name="Granola Bar", category="Snacks", sku="SN-200", barcode="0490002"),
    }


def products(query: str) -> set[str]:
    return {product.name for product in narrowed(ProductFilterSet, query, queryset=Product.objects.all())}


def test_products_no_parameter_narrows_nothing(catalogue):
    assert products("") == set(catalogue)


def test_product_category_is_the_whole_category_in_any_case(catalogue):
    assert products("category=DRINKS") == {"Cola Classic", "Cola Zero"}
    assert products("category=snacks") == {"Salted Chips", "Granola Bar"}
    assert products("category=drink") == set()


def test_product_sku_is_the_exact_sku(catalogue):
    assert products("sku=SN-100") == {"Salted Chips"}
    assert products("sku=SN-") == set()
    assert products("sku=sn-100") == set()


def test_product_barcode_is_the_exact_barcode(catalogue):
    assert products("barcode=0490002") == {"Granola Bar"}
    assert products("barcode=0490") == set()


def test_product_search_matches_part_of_the_name_sku_or_barcode_in_any_case(catalogue):
    assert products("search=COLA") == {"Cola Classic", "Cola Zero"}  # names; "Granola" holds "ola", not "cola"
    assert products("search=sn-") == {"Salted Chips", "Granola Bar"}  # SKUs
    assert products("search=0490") == {"Cola Classic", "Granola Bar"}  # barcodes
    assert products("search=002") == {"Cola Zero", "Granola Bar"}  # a SKU and a barcode
    assert products("search=pretzel") == set()


def test_product_filters_given_together_all_apply(catalogue):
    assert products("category=snacks&search=0490") == {"Granola Bar"}


# --- PlanogramFilterSet ------------------------------------------------------------------------------


@pytest.fixture
def planograms():
    """Four planograms: D-1 has two cabinets, D-1 and D-2 are on the north route, D-3 on the south one."""
    north, south = RouteFactory(name="North"), RouteFactory(name="South")
    first, second, third = (
        DeviceFactory(asset="D-1", route=north),
        DeviceFactory(asset="D-2", route=north),
        DeviceFactory(asset="D-3", route=south),
    )

    def planogram(device, index, name):
        return PlanogramFactory(cabinet=CabinetFactory(device=device, index=index), name=name)

    return {
        "D-1/1": planogram(first, 1, "Lobby snacks"),
        "D-1/2": planogram(first, 2, "Lobby drinks"),
        "D-2/1": planogram(second, 1, "Gym drinks"),
        "D-3/1": planogram(third, 1, ""),
        "devices": {"D-1": first, "D-2": second, "D-3": third},
        "routes": {"north": north, "south": south},
    }


def layouts(query: str) -> set[str]:
    rows = narrowed(PlanogramFilterSet, query, queryset=Planogram.objects.select_related("cabinet__device"))
    return {f"{row.cabinet.device.asset}/{row.cabinet.index}" for row in rows}


def test_planograms_no_parameter_narrows_nothing(planograms):
    assert layouts("") == {"D-1/1", "D-1/2", "D-2/1", "D-3/1"}


def test_planogram_name_matches_part_of_it_in_any_case(planograms):
    assert layouts("name=LOBBY") == {"D-1/1", "D-1/2"}
    assert layouts("name=drinks") == {"D-1/2", "D-2/1"}
    assert layouts("name=pantry") == set()


def test_planogram_cabinet_is_one_cabinet(planograms):
    assert layouts(f"cabinet={planograms['D-1/2'].cabinet_id}") == {"D-1/2"}


def test_planogram_device_takes_every_cabinet_of_the_device(planograms):
    assert layouts(f"device={planograms['devices']['D-1'].pk}") == {"D-1/1", "D-1/2"}
    assert layouts(f"device={planograms['devices']['D-3'].pk}") == {"D-3/1"}


def test_planogram_route_takes_the_devices_on_the_route(planograms):
    assert layouts(f"route={planograms['routes']['north'].pk}") == {"D-1/1", "D-1/2", "D-2/1"}
    assert layouts(f"route={planograms['routes']['south'].pk}") == {"D-3/1"}


def test_planogram_filters_given_together_all_apply(planograms):
    assert layouts(f"route={planograms['routes']['north'].pk}&name=drinks") == {"D-1/2", "D-2/1"}
    assert layouts(f"device={planograms['devices']['D-1'].pk}&name=drinks") == {"D-1/2"}


def test_a_retired_device_is_not_a_planogram_device_choice(planograms):
    retired = device_soft_delete(device=planograms["devices"]["D-3"])
    found = errors(PlanogramFilterSet, f"device={retired.pk}", queryset=Planogram.objects.all())
    assert found == {"device": [UNKNOWN_CHOICE]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("cabinet=999999", "cabinet", UNKNOWN_CHOICE),
        ("cabinet=abc", "cabinet", UNKNOWN_CHOICE),
        ("device=999999", "device", UNKNOWN_CHOICE),
        ("route=999999", "route", UNKNOWN_CHOICE),
        ("route=x", "route", UNKNOWN_CHOICE),
    ],
)
def test_a_wrong_planogram_value_is_an_error_naming_its_filter(planograms, query, field, message):
    assert errors(PlanogramFilterSet, query, queryset=Planogram.objects.all()) == {field: [message]}


# --- PlanogramSlotFilterSet --------------------------------------------------------------------------


@pytest.fixture
def slots():
    """D-1's slots of every kind, and D-2's sold-out one-unit slot and stocked A1.

    A1 sold out, A2 stocked, A3 maintenance and empty, A4 unassigned and empty; only A1 and D-2's B1 are sold out.
    """
    cola, chips = ProductFactory(name="Cola"), ProductFactory(name="Chips")
    first = PlanogramFactory(cabinet__device=DeviceFactory(asset="D-1"))
    second = PlanogramFactory(cabinet__device=DeviceFactory(asset="D-2"))
    rows = {
        "D-1/A1": PlanogramSlotFactory(planogram=first, position="A1", product=cola, capacity=10, quantity=0),
        "D-1/A2": PlanogramSlotFactory(planogram=first, position="A2", product=chips, capacity=10, quantity=4),
        "D-1/A3": PlanogramSlotFactory(
            planogram=first, position="A3", product=cola, capacity=0, quantity=0, par_level=0
        ),
        "D-1/A4": PlanogramSlotFactory(planogram=first, position="A4", product=None, capacity=10, quantity=0),
        "D-2/A1": PlanogramSlotFactory(planogram=second, position="A1", product=cola, capacity=10, quantity=3),
        "D-2/B1": PlanogramSlotFactory(
            planogram=second, position="B1", product=chips, capacity=1, quantity=0, par_level=1
        ),
    }
    return {"slots": rows, "planograms": {"D-1": first, "D-2": second}, "products": {"cola": cola, "chips": chips}}


def positions(query: str) -> set[str]:
    rows = narrowed(
        PlanogramSlotFilterSet, query, queryset=PlanogramSlot.objects.select_related("planogram__cabinet__device")
    )
    return {f"{row.planogram.cabinet.device.asset}/{row.position}" for row in rows}


def test_slots_no_parameter_narrows_nothing(slots):
    assert positions("") == set(slots["slots"])


def test_slot_planogram_is_one_planogram(slots):
    assert positions(f"planogram={slots['planograms']['D-2'].pk}") == {"D-2/A1", "D-2/B1"}


def test_slot_device_takes_the_slots_of_the_devices_planograms(slots):
    device = slots["planograms"]["D-1"].cabinet.device
    assert positions(f"device={device.pk}") == {"D-1/A1", "D-1/A2", "D-1/A3", "D-1/A4"}


def test_slot_product_takes_the_slots_holding_it(slots):
    assert positions(f"product={slots['products']['cola'].pk}") == {"D-1/A1", "D-1/A3", "D-2/A1"}
    assert positions(f"product={slots['products']['chips'].pk}") == {"D-1/A2", "D-2/B1"}


def test_slot_position_is_the_exact_position(slots):
    assert positions("position=A1") == {"D-1/A1", "D-2/A1"}
    assert positions("position=B1") == {"D-2/B1"}
    assert positions("position=A") == set()


def test_a_sold_out_slot_has_a_product_a_capacity_and_nothing_left(slots):
    # Empty but left out: D-1/A3 is a maintenance slot (capacity 0), D-1/A4 holds no product.
    assert positions("sold_out=true") == {"D-1/A1", "D-2/B1"}
    assert positions("sold_out=false") == {"D-1/A2", "D-1/A3", "D-1/A4", "D-2/A1"}


def test_a_maintenance_slot_has_a_capacity_of_zero(slots):
    assert positions("maintenance=true") == {"D-1/A3"}
    assert positions("maintenance=false") == {"D-1/A1", "D-1/A2", "D-1/A4", "D-2/A1", "D-2/B1"}


def test_slot_filters_given_together_all_apply(slots):
    cola = slots["products"]["cola"].pk
    assert positions(f"product={cola}&sold_out=false&maintenance=false") == {"D-2/A1"}
    assert positions(f"planogram={slots['planograms']['D-1'].pk}&sold_out=true") == {"D-1/A1"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("planogram=999999", "planogram"),
        ("device=999999", "device"),
        ("product=999999", "product"),
        ("product=cola", "product"),
    ],
)
def test_a_wrong_slot_value_is_an_error_naming_its_filter(slots, query, field):
    assert errors(PlanogramSlotFilterSet, query, queryset=PlanogramSlot.objects.all()) == {field: [UNKNOWN_CHOICE]}


# --- InventoryMovementFilterSet ----------------------------------------------------------------------

# The operator's local time (America/Chicago in the tests, UTC-6 in early March).
LOCAL = timezone.get_default_timezone()


@pytest.fixture
def movements():
    """Five movements around local midnight of 2 March 2026, each differing in what the filters read.

    ``late`` is at 23:30 the evening before (05:30 UTC on the 2nd), ``midnight`` exactly at local midnight,
    ``next`` at the following midnight; D-1 is on the north route, D-2 and the retired D-3 on the south one.
    """
    north, south = RouteFactory(name="North"), RouteFactory(name="South")
    first_a1 = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="D-1", route=north), position="A1")
    first_a2 = PlanogramSlotFactory(planogram=first_a1.planogram, position="A2")
    second_a1 = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="D-2", route=south), position="A1")
    third_a1 = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="D-3", route=south), position="A1")
    first_visit = ServiceVisit.objects.create(
        device=first_a1.planogram.cabinet.device, performed_at=dt.datetime(2026, 3, 2, tzinfo=LOCAL)
    )
    third_visit = ServiceVisit.objects.create(
        device=third_a1.planogram.cabinet.device, performed_at=dt.datetime(2026, 3, 2, 8, tzinfo=LOCAL)
    )

    def movement(slot, reason, at, visit=None):
        return InventoryMovement.objects.create(
            slot=slot, reason=reason, quantity_before=5, quantity_after=4, service_visit=visit, occurred_at=at
        )

    rows = {
        "late": movement(first_a1, InventoryMovementReason.SALE, dt.datetime(2026, 3, 1, 23, 30, tzinfo=LOCAL)),
        "midnight": movement(
            first_a2, InventoryMovementReason.RESTOCK, dt.datetime(2026, 3, 2, tzinfo=LOCAL), first_visit
        ),
        "noon": movement(second_a1, InventoryMovementReason.COUNT, dt.datetime(2026, 3, 2, 12, tzinfo=LOCAL)),
        "next": movement(second_a1, InventoryMovementReason.CORRECTION, dt.datetime(2026, 3, 3, tzinfo=LOCAL)),
        "retired": movement(
            third_a1, InventoryMovementReason.RESTOCK, dt.datetime(2026, 3, 2, 8, tzinfo=LOCAL), third_visit
        ),
    }
    device_soft_delete(device=third_a1.planogram.cabinet.device)
    return {
        "movements": rows,
        "slots": {"D-1/A1": first_a1, "D-2/A1": second_a1},
        "devices": {"D-1": first_a1.planogram.cabinet.device, "D-3": third_a1.planogram.cabinet.device},
        "routes": {"north": north, "south": south},
        "visits": {"D-1": first_visit, "D-3": third_visit},
    }


def moved(movements, query: str) -> set[str]:
    names = {row.pk: name for name, row in movements["movements"].items()}
    rows = narrowed(InventoryMovementFilterSet, query, queryset=InventoryMovement.objects.all())
    return {names[row.pk] for row in rows}


def test_movements_no_parameter_narrows_nothing(movements):
    assert moved(movements, "") == {"late", "midnight", "noon", "next", "retired"}


def test_movement_slot_is_one_slot(movements):
    assert moved(movements, f"slot={movements['slots']['D-2/A1'].pk}") == {"noon", "next"}
    assert moved(movements, f"slot={movements['slots']['D-1/A1'].pk}") == {"late"}


def test_movement_device_takes_every_slot_of_the_device(movements):
    assert moved(movements, f"device={movements['devices']['D-1'].pk}") == {"late", "midnight"}


def test_a_retired_devices_movements_can_still_be_read(movements):
    assert moved(movements, f"device={movements['devices']['D-3'].pk}") == {"retired"}


def test_movement_route_takes_the_devices_on_the_route(movements):
    assert moved(movements, f"route={movements['routes']['north'].pk}") == {"late", "midnight"}
    assert moved(movements, f"route={movements['routes']['south'].pk}") == {"noon", "next", "retired"}


def test_movement_reason_is_one_reason(movements):
    assert moved(movements, "reason=restock") == {"midnight", "retired"}
    assert moved(movements, "reason=sale") == {"late"}
    assert moved(movements, "reason=correction") == {"next"}


def test_movement_service_visit_is_one_visit(movements):
    assert moved(movements, f"service_visit={movements['visits']['D-1'].pk}") == {"midnight"}
    assert moved(movements, f"service_visit={movements['visits']['D-3'].pk}") == {"retired"}


def test_occurred_after_keeps_the_moment_itself_and_later(movements):
    assert moved(movements, "occurred_after=2026-03-02T00:00:00-06:00") == {"midnight", "noon", "next", "retired"}
    assert moved(movements, "occurred_after=2026-03-02T05:30:00Z") == {"late", "midnight", "noon", "next", "retired"}
    assert moved(movements, "occurred_after=2026-03-03T00:00:00-06:00") == {"next"}


def test_occurred_before_keeps_only_earlier_moments(movements):
    assert moved(movements, "occurred_before=2026-03-02T00:00:00-06:00") == {"late"}
    assert moved(movements, "occurred_before=2026-03-02T05:30:00Z") == set()
    assert moved(movements, "occurred_before=2026-03-03T00:00:00-06:00") == {"late", "midnight", "noon", "retired"}


def test_a_bare_date_is_local_midnight_and_consecutive_days_share_no_movement(movements):
    # UTC midnight would keep ``late`` (05:30 UTC on the 2nd) in the 2nd; local midnight leaves it in the 1st.
    assert moved(movements, "occurred_after=2026-03-02") == {"midnight", "noon", "next", "retired"}
    first = moved(movements, "occurred_after=2026-03-01&occurred_before=2026-03-02")
    second = moved(movements, "occurred_after=2026-03-02&occurred_before=2026-03-03")
    third = moved(movements, "occurred_after=2026-03-03&occurred_before=2026-03-04")
    assert (first, second, third) == ({"late"}, {"midnight", "noon", "retired"}, {"next"})


def test_movement_filters_given_together_all_apply(movements):
    south = movements["routes"]["south"].pk
    assert moved(movements, f"route={south}&reason=restock") == {"retired"}
    assert moved(movements, f"route={south}&occurred_before=2026-03-03") == {"noon", "retired"}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("slot=999999", "slot", UNKNOWN_CHOICE),
        ("device=999999", "device", UNKNOWN_CHOICE),
        ("route=999999", "route", UNKNOWN_CHOICE),
        ("service_visit=999999", "service_visit", UNKNOWN_CHOICE),
        ("reason=refund", "reason", "Select a valid choice. refund is not one of the available choices."),
        ("occurred_after=yesterday", "occurred_after", "Enter a valid date/time."),
        ("occurred_before=2026-02-30", "occurred_before", "Enter a valid date/time."),
        ("occurred_before=2026-03-02T25:00", "occurred_before", "Enter a valid date/time."),
        ("occurred_after=2026-03-02T00:00:00%2B16:00", "occurred_after", OFFSET_REFUSED),
        ("occurred_before=2026-03-02T00:00:00-23:59", "occurred_before", OFFSET_REFUSED),
        ("occurred_after=0001-01-01T00:00:00%2B01:00", "occurred_after", OUT_OF_RANGE),
        ("occurred_before=9999-12-31T23:00:00", "occurred_before", OUT_OF_RANGE),
    ],
)
def test_a_wrong_movement_value_is_an_error_naming_its_filter(movements, query, field, message):
    assert errors(InventoryMovementFilterSet, query, queryset=InventoryMovement.objects.all()) == {field: [message]}


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("occurred_after=2026-03-02T00:00:00%2B16:00", "occurred_after", OFFSET_REFUSED),  # a 500 before
        ("occurred_before=2026-03-02T00:00:00-16:00", "occurred_before", OFFSET_REFUSED),  # a 500 before
        ("occurred_before=9999-12-31T23:00:00", "occurred_before", OUT_OF_RANGE),
    ],
)
def test_the_movements_api_answers_a_moment_the_database_cannot_compare_400_naming_the_filter(
    movements, client_for, manager, query, field, message
):
    response = client_for(manager).get(f"/api/inventory-movements/?{query}")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
