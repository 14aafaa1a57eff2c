"""The database rejects impossible inventory, even when forms and serializers are bypassed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cvd_portal.tests.database import rejected
from planograms.models import PlanogramSlot, Product, slot_is_sold_out, slot_is_stockable
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planogram():
    return PlanogramFactory()


def test_quantity_cannot_exceed_capacity(planogram):
    rejected(lambda: PlanogramSlot.objects.create(planogram=planogram, position="A1", quantity=11, capacity=10))


def test_quantity_cannot_exceed_capacity_through_bulk_update(planogram):
    slot = PlanogramSlotFactory(planogram=planogram, position="A1", quantity=5, capacity=10, par_level=5)
    rejected(lambda: PlanogramSlot.objects.filter(pk=slot.pk).update(quantity=12))


def test_par_level_cannot_exceed_capacity(planogram):
    rejected(
        lambda: PlanogramSlot.objects.create(planogram=planogram, position="A1", quantity=1, capacity=4, par_level=5)
    )


def test_prices_cannot_be_negative(planogram):
    rejected(lambda: Product.objects.create(name="X", category="Snacks", price=Decimal("-0.01"), sku="X1"))
    rejected(
        lambda: PlanogramSlot.objects.create(
            planogram=planogram, position="A1", quantity=1, capacity=4, price=Decimal("-1")
        )
    )


def test_positions_are_unique_within_a_planogram_only(planogram):
    PlanogramSlotFactory(planogram=planogram, position="A1")
    PlanogramSlotFactory(position="A1")
    rejected(lambda: PlanogramSlotFactory(planogram=planogram, position="A1"))


def test_skus_are_unique():
    ProductFactory(sku="SKU-1")
    rejected(lambda: ProductFactory(sku="SKU-1"))


def test_a_case_holds_at_least_one_unit():
    rejected(lambda: ProductFactory(case_pack=0))
    product = Product(name="Cola", category="Drinks", price=Decimal("1.00"), sku="C-1", case_pack=0)

    with pytest.raises(ValidationError) as error:
        product.full_clean()

    assert error.value.message_dict == {"case_pack": ["Ensure this value is greater than or equal to 1."]}


def test_a_product_without_a_case_pack_is_picked_by_the_unit():
    product = Product(name="Gum", category="Gum", price=Decimal("1.00"), sku="G-1")

    product.full_clean()
    assert product.case_pack is None


def test_model_validation_names_the_field_at_fault(planogram):
    slot = PlanogramSlot(planogram=planogram, position="A1", quantity=12, capacity=10, par_level=11)
    with pytest.raises(ValidationError) as error:
        slot.full_clean()
    assert set(error.value.message_dict) == {"quantity", "par_level"}


@pytest.mark.parametrize("position", ["a1", "A0", "AA1", "A100", "1A", ""])
def test_positions_are_a_row_letter_and_a_column_number(planogram, position):
    slot = PlanogramSlot(planogram=planogram, position=position, quantity=0, capacity=1)
    with pytest.raises(ValidationError) as error:
        slot.full_clean()
    assert "position" in error.value.message_dict


def test_one_planogram_per_cabinet(planogram):
    rejected(lambda: PlanogramFactory(cabinet=planogram.cabinet))


@pytest.mark.parametrize(("position", "fits"), [("F8", True), ("G1", False), ("A9", False)])
def test_positions_must_fit_the_cabinet_grid(planogram, position, fits):
    """The factory's cabinets are 6 rows (A–F) by 8 columns."""
    slot = PlanogramSlot(planogram=planogram, position=position, quantity=0, capacity=1)
    if fits:
        slot.full_clean()
    else:
        with pytest.raises(ValidationError) as error:
            slot.full_clean()
        assert error.value.message_dict["position"] == [f"{position} is outside the cabinet's grid (A1 to F8)."]


# Sold out (SO), the one rule behind the slot filter, the metrics engine and the restock's fills.

# (has a product, capacity, quantity, sold out, stockable), decided by hand from the spec and README.
SLOT_CASES = [
    (True, 10, 0, True, True),  # empty: sold out
    (True, 1, 0, True, True),
    (True, 10, 3, False, True),
    (True, 10, 10, False, True),
    (True, 0, 0, False, False),  # maintenance: never sold out
    (False, 10, 0, False, False),  # unassigned and empty: nothing to sell out
    (False, 10, 4, False, False),
    (False, 0, 0, False, False),
]


def test_an_empty_unassigned_slot_is_not_sold_out(planogram):
    PlanogramSlotFactory(planogram=planogram, position="A1", product=None, quantity=0, capacity=10)

    assert not PlanogramSlot.objects.sold_out().exists()
    assert not slot_is_sold_out(product_id=None, quantity=0, capacity=10)


def test_an_empty_maintenance_slot_is_not_sold_out(planogram):
    PlanogramSlotFactory(planogram=planogram, position="A1", quantity=0, capacity=0, par_level=0)

    assert not PlanogramSlot.objects.sold_out().exists()
    assert not slot_is_sold_out(product_id=1, quantity=0, capacity=0)


@pytest.mark.parametrize(("has_product", "capacity", "quantity", "sold_out", "stockable"), SLOT_CASES)
def test_a_slot_is_sold_out_when_it_has_a_product_a_capacity_and_a_quantity_of_zero(
    planogram, has_product, capacity, quantity, sold_out, stockable
):
    slot = PlanogramSlotFactory(
        planogram=planogram,
        position="A1",
        product=ProductFactory() if has_product else None,
        capacity=capacity,
        quantity=quantity,
        par_level=0,
    )

    assert PlanogramSlot.objects.sold_out().filter(pk=slot.pk).exists() is sold_out
    assert slot_is_sold_out(product_id=slot.product_id, quantity=quantity, capacity=capacity) is sold_out
    assert PlanogramSlot.objects.stockable().filter(pk=slot.pk).exists() is stockable
    assert slot_is_stockable(product_id=slot.product_id, capacity=capacity) is stockable
