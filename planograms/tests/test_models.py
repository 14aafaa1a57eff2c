"""The database rejects impossible inventory, even when forms and serializers are bypassed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from planograms.models import PlanogramSlot, Product
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

pytestmark = pytest.mark.django_db


def rejected(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


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
