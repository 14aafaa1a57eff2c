"""A slot by its position ("A1"): one rule for sales (API, admin import) and restock counts."""

import re

import pytest

from devices.tests.factories import CabinetFactory, DeviceFactory
from planograms.selectors import SlotAtPosition, slot_at_position, slot_position_parse, slots_at_positions
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    """Device A100: A1 and B2 in the parent; A1 and C3 in cabinet 2; A1, C3 and D4 in cabinet 3."""
    device = DeviceFactory(asset="A100")
    planograms = {index: PlanogramFactory(cabinet=CabinetFactory(device=device, index=index)) for index in (1, 2, 3)}
    device.slots = {
        (index, position): PlanogramSlotFactory(planogram=planograms[index], position=position)
        for index, positions in {1: ["A1", "B2"], 2: ["A1", "C3"], 3: ["A1", "C3", "D4"]}.items()
        for position in positions
    }
    return device


def find(device, position, cabinet=None):
    slots_at = slots_at_positions({(device.pk, position)})
    return slot_at_position(slots_at, device_id=device.pk, asset=device.asset, position=position, cabinet=cabinet)


def exactly(message):
    return f"^{re.escape(message)}$"


def at(device, cabinet, position):
    slot = device.slots[cabinet, position]
    return SlotAtPosition(slot.pk, slot.product_id)


def test_a_position_is_found_in_the_cabinet_given(device):
    assert find(device, "A1", cabinet=1) == at(device, 1, "A1")
    assert find(device, "A1", cabinet=2) == at(device, 2, "A1")
    assert find(device, "A1", cabinet=3) == at(device, 3, "A1")


def test_a_position_without_a_cabinet_is_the_parent_cabinets(device):
    assert find(device, "A1") == at(device, 1, "A1")


def test_a_position_only_one_added_cabinet_has_is_found_there(device):
    assert find(device, "D4") == at(device, 3, "D4")


def test_a_position_several_added_cabinets_have_needs_the_cabinet(device):
    with pytest.raises(
        ValueError, match=exactly("Device A100 has a slot C3 in more than one added cabinet; give the cabinet.")
    ):
        find(device, "C3")


def test_a_position_the_device_does_not_have_names_the_device(device):
    with pytest.raises(ValueError, match=exactly("Device A100 has no slot F8.")):
        find(device, "F8")
    with pytest.raises(ValueError, match=exactly("Device A100 has no slot B2 in cabinet 2.")):
        find(device, "B2", cabinet=2)


def test_a_position_is_looked_up_among_the_devices_slots_only(device):
    other = PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A200"), position="F8")

    with pytest.raises(ValueError, match="no slot F8"):
        find(device, "F8")
    assert find(other.planogram.cabinet.device, "F8") == SlotAtPosition(other.pk, other.product_id)


def test_slots_at_any_number_of_positions_are_read_in_one_query(device, django_assert_num_queries):
    pairs = {(device.pk, position) for position in ("A1", "B2", "C3", "D4", "F8")}

    with django_assert_num_queries(1):
        slots_at = slots_at_positions(pairs)

    assert {key: set(by_cabinet) for key, by_cabinet in slots_at.items()} == {
        (device.pk, "A1"): {1, 2, 3},
        (device.pk, "B2"): {1},
        (device.pk, "C3"): {2, 3},
        (device.pk, "D4"): {3},
    }


@pytest.mark.parametrize(("written", "position"), [("A1", "A1"), (" a1 ", "A1"), ("z99", "Z99"), ("b10", "B10")])
def test_a_position_is_read_as_people_write_it(written, position):
    assert slot_position_parse(written) == position


@pytest.mark.parametrize("written", ["11", "A0", "AA1", "A100", "", "A 1", None, 1])
def test_what_is_not_a_row_letter_and_a_column_number_is_not_a_position(written):
    with pytest.raises(ValueError, match=re.escape("Use a row letter and a column number, e.g. A1.")):
        slot_position_parse(written)
