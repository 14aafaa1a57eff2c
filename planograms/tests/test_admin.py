"""Planograms in the admin: slots in grid order, each planogram linked to its device and its slots."""

from devices.models import Device
from planograms.models import Planogram, PlanogramSlot, Product
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

SHUFFLED = ["B1", "A10", "A2", "B10", "A1", "A9", "B2"]
GRID_ORDER = ["A1", "A2", "A9", "A10", "B1", "B2", "B10"]


def test_slot_inline_lists_slots_in_grid_order(admin_client, admin_url):
    planogram = PlanogramFactory()
    for position in SHUFFLED:
        PlanogramSlotFactory(planogram=planogram, position=position)

    response = admin_client.get(admin_url(Planogram, "change", planogram.pk))

    (slots,) = response.context["inline_admin_formsets"]
    assert [form.instance.position for form in slots.formset.forms] == GRID_ORDER


def test_slot_changelist_lists_slots_in_grid_order(admin_client, admin_url):
    planogram = PlanogramFactory()
    for position in SHUFFLED:
        PlanogramSlotFactory(planogram=planogram, position=position)

    response = admin_client.get(admin_url(PlanogramSlot, "changelist"))

    assert [slot.position for slot in response.context["cl"].result_list] == GRID_ORDER


def test_planogram_links_to_its_device_and_its_slots(admin_client, admin_url):
    slot = PlanogramSlotFactory()
    device = slot.planogram.cabinet.device

    content = admin_client.get(admin_url(Planogram, "changelist")).content.decode()

    assert admin_url(Device, "change", device.pk) in content
    assert f'{admin_url(PlanogramSlot, "changelist")}?planogram__id__exact={slot.planogram.pk}">1</a>' in content


def test_product_case_pack_is_listed_and_edited_by_a_manager(client, admin_url, manager):
    product = ProductFactory(case_pack=24)
    client.force_login(manager)

    listed = client.get(admin_url(Product, "changelist"))
    change_page = client.get(admin_url(Product, "change", product.pk))

    assert listed.status_code == 200
    assert '<td class="field-case_pack">24</td>' in listed.content.decode()
    assert change_page.status_code == 200
    assert change_page.context["adminform"].form["case_pack"].value() == 24
