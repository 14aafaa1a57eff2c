from decimal import Decimal

import pytest

from cvd_portal.tests.api import detail_url, ids, list_url
from devices.services import device_soft_delete
from devices.tests.factories import CabinetFactory, RouteFactory
from planograms.models import Planogram, PlanogramSlot, Product
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

pytestmark = pytest.mark.django_db


def slot(position, product=None, **fields):
    return {"position": position, "product": product, "quantity": 5, "capacity": 10, "par_level": 8, **fields}


# Products


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"category": "drinks"}, ["Cola", "Water"]),
        ({"search": "col"}, ["Cola"]),
        ({"search": "SKU-CHIPS"}, ["Chips"]),
        ({"search": "0049000"}, ["Cola"]),
    ],
)
def test_product_filters(client_for, viewer, params, expected):
    ProductFactory(name="Cola", category="Drinks", barcode="004900000044")
    ProductFactory(name="Water", category="Drinks")
    ProductFactory(name="Chips", category="Snacks", sku="SKU-CHIPS")

    response = client_for(viewer).get(list_url("products"), params)

    assert [row["name"] for row in response.json()["results"]] == expected


def test_product_crud_with_money_as_two_place_strings(client_for, manager):
    client = client_for(manager)

    created = client.post(
        list_url("products"), {"name": "Cola", "category": "Drinks", "price": 2, "sku": "C-1"}, format="json"
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["price"] == "2.00"

    assert client.patch(detail_url("products", pk), {"price": "2.25"}, format="json").status_code == 200
    assert client.get(detail_url("products", pk)).json()["price"] == "2.25"
    assert client.delete(detail_url("products", pk)).status_code == 204
    assert not Product.objects.filter(pk=pk).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"price": "-0.01"}, "price"),
        ({"price": "1.005"}, "price"),
        ({"price": "cheap"}, "price"),
        ({"price": None}, "price"),
        ({"price": "1000000.00"}, "price"),
        ({"sku": "TAKEN"}, "sku"),
        ({"name": ""}, "name"),
        ({"case_pack": 0}, "case_pack"),
        ({"case_pack": -12}, "case_pack"),
        ({"case_pack": "dozen"}, "case_pack"),
        ({"case_pack": 1.5}, "case_pack"),
    ],
)
def test_product_bad_body_is_400(client_for, manager, changes, field):
    ProductFactory(sku="TAKEN")
    body = {"name": "Cola", "category": "Drinks", "price": "1.50", "sku": "C-1", **changes}

    response = client_for(manager).post(list_url("products"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_product_case_pack_is_written_read_and_cleared(client_for, manager):
    client = client_for(manager)
    body = {"name": "Cola", "category": "Drinks", "price": "2.50", "sku": "C-1", "case_pack": 24}

    created = client.post(list_url("products"), body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["case_pack"] == 24
    pk = created.json()["id"]

    cleared = client.patch(detail_url("products", pk), {"case_pack": None}, format="json")
    assert cleared.status_code == 200, cleared.json()
    assert cleared.json()["case_pack"] is None
    assert Product.objects.get(pk=pk).case_pack is None


def test_a_zero_case_pack_is_400_with_the_message(client_for, manager):
    body = {"name": "Cola", "category": "Drinks", "price": "2.50", "sku": "C-1", "case_pack": 0}

    response = client_for(manager).post(list_url("products"), body, format="json")

    assert response.status_code == 400
    assert response.json() == {"case_pack": ["Ensure this value is greater than or equal to 1."]}


def test_driver_reads_products_but_cannot_add_them(client_for, driver):
    product = ProductFactory()
    client = client_for(driver)

    assert ids(client.get(list_url("products"))) == [product.pk]
    assert client.post(list_url("products"), {"name": "X"}, format="json").status_code == 403


# Planograms: nested writes


def test_planogram_is_created_with_its_slots(client_for, manager):
    cabinet = CabinetFactory()
    cola = ProductFactory(price=Decimal("2.00"))
    body = {"cabinet": cabinet.pk, "name": "Summer", "slots": [slot("A1", cola.pk), slot("A2", price="1.75")]}

    response = client_for(manager).post(list_url("planograms"), body, format="json")

    assert response.status_code == 201, response.json()
    planogram = Planogram.objects.get(cabinet=cabinet)
    assert response.json()["id"] == planogram.pk
    assert response.json()["device_asset"] == cabinet.device.asset
    assert [(s.position, s.product, s.price) for s in planogram.slots.all()] == [
        ("A1", cola, None),
        ("A2", None, Decimal("1.75")),
    ]
    assert [s["vend_price"] for s in response.json()["slots"]] == ["2.00", "1.75"]


def test_put_replaces_slots_by_position_and_keeps_surviving_ids(client_for, manager):
    planogram = PlanogramFactory(name="Old")
    a1 = PlanogramSlotFactory(planogram=planogram, position="A1", quantity=3)
    a2 = PlanogramSlotFactory(planogram=planogram, position="A2")
    product = ProductFactory()
    body = {
        "cabinet": planogram.cabinet_id,
        "name": "New",
        "slots": [{"position": "A1", "product": product.pk, "capacity": 12}, slot("B1", product.pk)],
    }

    response = client_for(manager).put(detail_url("planograms", planogram.pk), body, format="json")

    assert response.status_code == 200, response.json()
    slots = {s.position: s for s in PlanogramSlot.objects.filter(planogram=planogram)}
    assert set(slots) == {"A1", "B1"}
    assert slots["A1"].pk == a1.pk
    assert (slots["A1"].product, slots["A1"].capacity, slots["A1"].quantity) == (product, 12, 3)
    assert not PlanogramSlot.objects.filter(pk=a2.pk).exists()
    assert [s["id"] for s in response.json()["slots"]] == [a1.pk, slots["B1"].pk]
    assert Planogram.objects.get(pk=planogram.pk).name == "New"


def test_patch_without_slots_keeps_them(client_for, manager):
    planogram = PlanogramFactory()
    kept = PlanogramSlotFactory(planogram=planogram)

    response = client_for(manager).patch(detail_url("planograms", planogram.pk), {"name": "Renamed"}, format="json")

    assert response.status_code == 200
    assert list(planogram.slots.values_list("pk", flat=True)) == [kept.pk]


def test_duplicate_positions_are_400_naming_the_duplicate(client_for, manager):
    cabinet = CabinetFactory()
    body = {"cabinet": cabinet.pk, "slots": [slot("A1"), slot("A2"), slot("A1")]}

    response = client_for(manager).post(list_url("planograms"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["slots"]) == ["2"]
    assert "A1" in response.json()["slots"]["2"]["position"][0]
    assert not Planogram.objects.filter(cabinet=cabinet).exists()


@pytest.mark.parametrize(
    ("bad_slot", "field"),
    [
        (slot("A2", quantity=11), "quantity"),
        (slot("A2", par_level=11), "par_level"),
        (slot("A2", price="-1.00"), "price"),
        (slot("Z99x"), "position"),
        (slot("a2"), "position"),
        (slot("A2", product=987654), "product"),
        (slot("A2", capacity="ten"), "capacity"),
        (slot("A2", quantity=None), "quantity"),
        ({"quantity": 1}, "position"),
    ],
)
def test_bad_slot_is_400_at_its_index(client_for, manager, bad_slot, field):
    cabinet = CabinetFactory()
    body = {"cabinet": cabinet.pk, "name": "Bad", "slots": [slot("A1"), bad_slot]}

    response = client_for(manager).post(list_url("planograms"), body, format="json")

    assert response.status_code == 400
    assert list(response.json()["slots"]) == ["1"]
    assert field in response.json()["slots"]["1"]
    assert not Planogram.objects.filter(cabinet=cabinet).exists()


def test_failed_replace_changes_nothing(client_for, manager):
    planogram = PlanogramFactory(name="Old")
    a1 = PlanogramSlotFactory(planogram=planogram, position="A1", quantity=5)
    body = {"cabinet": planogram.cabinet_id, "name": "New", "slots": [slot("A1", quantity=1), slot("B1", quantity=99)]}

    response = client_for(manager).put(detail_url("planograms", planogram.pk), body, format="json")

    assert response.status_code == 400
    assert "quantity" in response.json()["slots"]["1"]
    a1.refresh_from_db()
    assert a1.quantity == 5
    assert list(planogram.slots.all()) == [a1]
    assert Planogram.objects.get(pk=planogram.pk).name == "Old"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slots": "A1"}, "slots"),
        ({"slots": [1, 2]}, "slots"),
        ({"cabinet": None}, "cabinet"),
        ({"cabinet": "first"}, "cabinet"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_bad_planogram_body_is_400(client_for, manager, body, field):
    cabinet = CabinetFactory()

    response = client_for(manager).post(list_url("planograms"), {"cabinet": cabinet.pk, **body}, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_cabinet_has_one_planogram(client_for, manager):
    planogram = PlanogramFactory()

    response = client_for(manager).post(list_url("planograms"), {"cabinet": planogram.cabinet_id}, format="json")

    assert response.status_code == 400
    assert "cabinet" in response.json()


def test_a_planogram_stays_with_its_cabinet(client_for, manager):
    planogram = PlanogramFactory()
    other = CabinetFactory()

    response = client_for(manager).patch(detail_url("planograms", planogram.pk), {"cabinet": other.pk}, format="json")

    assert response.status_code == 400
    assert "cabinet" in response.json()


def test_no_planogram_for_a_retired_device(client_for, manager):
    cabinet = CabinetFactory()
    device_soft_delete(device=cabinet.device)

    response = client_for(manager).post(list_url("planograms"), {"cabinet": cabinet.pk}, format="json")

    assert response.status_code == 400
    assert "cabinet" in response.json()


def test_planogram_list_filter_retrieve_delete(client_for, manager):
    planogram = PlanogramFactory()
    PlanogramSlotFactory(planogram=planogram)
    PlanogramFactory()
    client = client_for(manager)

    assert ids(client.get(list_url("planograms"), {"device": planogram.cabinet.device_id})) == [planogram.pk]
    assert ids(client.get(list_url("planograms"), {"route": planogram.cabinet.device.route_id})) == [planogram.pk]
    assert len(client.get(detail_url("planograms", planogram.pk)).json()["slots"]) == 1
    assert client.delete(detail_url("planograms", planogram.pk)).status_code == 204
    assert not PlanogramSlot.objects.filter(planogram_id=planogram.pk).exists()


def test_driver_sees_only_planograms_and_slots_of_own_devices(client_for, driver):
    own = PlanogramSlotFactory(planogram__cabinet__device__route=RouteFactory(driver=driver))
    other = PlanogramSlotFactory()
    client = client_for(driver)

    assert ids(client.get(list_url("planograms"))) == [own.planogram_id]
    assert client.get(detail_url("planograms", other.planogram_id)).status_code == 404
    assert ids(client.get(list_url("planogram-slots"))) == [own.pk]
    assert client.get(detail_url("planogram-slots", other.pk)).status_code == 404


def test_viewer_cannot_write_planograms(client_for, viewer):
    cabinet = CabinetFactory()

    response = client_for(viewer).post(list_url("planograms"), {"cabinet": cabinet.pk}, format="json")

    assert response.status_code == 403


# Planogram slots on their own


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sold_out": "true"}, ["A1"]),
        ({"sold_out": "false"}, ["A2", "A3", "A4"]),
        ({"maintenance": "true"}, ["A3"]),
        ({"maintenance": "false"}, ["A1", "A2", "A4"]),
    ],
)
def test_slot_filters_sold_out_and_maintenance(client_for, viewer, params, expected):
    """A4, empty and unassigned, is not sold out: the metrics engine leaves it out too."""
    planogram = PlanogramFactory()
    PlanogramSlotFactory(planogram=planogram, position="A1", quantity=0)
    PlanogramSlotFactory(planogram=planogram, position="A2", quantity=4)
    PlanogramSlotFactory(planogram=planogram, position="A3", quantity=0, capacity=0, par_level=0)
    PlanogramSlotFactory(planogram=planogram, position="A4", quantity=0, product=None)

    response = client_for(viewer).get(list_url("planogram-slots"), params)

    assert [row["position"] for row in response.json()["results"]] == expected


def test_slot_filters_by_device_planogram_and_product(client_for, viewer):
    wanted = PlanogramSlotFactory()
    PlanogramSlotFactory()
    client = client_for(viewer)

    for params in (
        {"device": wanted.planogram.cabinet.device_id},
        {"planogram": wanted.planogram_id},
        {"product": wanted.product_id},
    ):
        assert ids(client.get(list_url("planogram-slots"), params)) == [wanted.pk], params


def test_slot_crud(client_for, manager):
    planogram = PlanogramFactory()
    client = client_for(manager)

    created = client.post(list_url("planogram-slots"), {"planogram": planogram.pk, **slot("C3")}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert client.get(detail_url("planogram-slots", pk)).json()["position"] == "C3"
    assert client.patch(detail_url("planogram-slots", pk), {"quantity": 0}, format="json").status_code == 200
    assert PlanogramSlot.objects.get(pk=pk).quantity == 0
    assert client.delete(detail_url("planogram-slots", pk)).status_code == 204


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quantity": 11}, "quantity"),
        ({"par_level": 11}, "par_level"),
        ({"price": "-0.50"}, "price"),
        ({"position": "Z99x"}, "position"),
        ({"quantity": -1}, "quantity"),
        ({"planogram": 987654}, "planogram"),
        ({"position": "A1"}, "non_field_errors"),
    ],
)
def test_slot_bad_body_is_400(client_for, manager, changes, field):
    taken = PlanogramSlotFactory(position="A1")
    body = {"planogram": taken.planogram_id, **slot("B2"), **changes}

    response = client_for(manager).post(list_url("planogram-slots"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_slot_patch_beyond_capacity_is_400(client_for, manager):
    existing = PlanogramSlotFactory(capacity=10, quantity=5)

    response = client_for(manager).patch(detail_url("planogram-slots", existing.pk), {"capacity": 4}, format="json")

    assert response.status_code == 400
    assert "quantity" in response.json()
