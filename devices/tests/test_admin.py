"""The admin as the portal's database viewer: every page opens, roles see what they may, devices are soft-deleted."""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from cvd_portal.admin import ComputedDataAdmin
from devices.models import Cabinet, Device, Location, Route
from devices.tests.factories import CabinetFactory, DeviceFactory, LocationFactory, RouteFactory
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import CabinetMetrics, MetricsRun, SlotMetrics, UrgencyThresholds
from metrics.services.engine import recalculate_metrics
from planograms.choices import RestockMode
from planograms.models import Planogram
from planograms.services.inventory import restock
from planograms.tests.factories import PlanogramSlotFactory
from sales.dex.services import dex_import
from sales.services import sales_rollups_rebuild
from sales.tests.dex_writer import dex_audit_file
from sales.tests.factories import SaleFactory

FLEET_APPS = {"devices", "planograms", "sales", "metrics"}
FLEET_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in FLEET_APPS), key=lambda m: m._meta.label
)
# Session, user, filters, counts and one page of rows: the same whether the page shows 3 rows or 15.
DEVICE_CHANGELIST_QUERIES = 7


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_each(db):
    """At least one row of every fleet model: a sale from a slot, its rollup, metrics, a run, a restock, a DEX read."""
    slot = PlanogramSlotFactory()
    device = slot.planogram.cabinet.device
    SaleFactory(device=device, product=slot.product, slot=slot)
    restock(slots=[slot], mode=RestockMode.CAPACITY)
    device.serial_number = "SN-1"
    device.save()
    dex_import(file_name="audit.dex", data=dex_audit_file(selections=[], serial="SN-1"))
    sales_rollups_rebuild()
    recalculate_metrics()
    MetricsRun.objects.create(scope=MetricsRunScope.FULL, status=MetricsRunStatus.SUCCEEDED)
    UrgencyThresholds.current()


def is_computed(model):
    return isinstance(admin.site._registry[model], ComputedDataAdmin)


def test_every_fleet_model_is_in_the_admin():
    assert {model._meta.label for model in FLEET_MODELS} == {
        "devices.Location",
        "devices.Route",
        "devices.DeviceType",
        "devices.CabinetType",
        "devices.Device",
        "devices.Cabinet",
        "planograms.Product",
        "planograms.Planogram",
        "planograms.PlanogramSlot",
        "metrics.SlotMetrics",
        "metrics.CabinetMetrics",
        "metrics.DeviceMetrics",
        "metrics.MetricsRun",
        "metrics.UrgencyThresholds",
        "sales.Sale",
        "sales.DailyProductSales",
        "sales.DeviceDailySales",
        "sales.DexImport",
        "sales.DexReading",
        "planograms.ServiceVisit",
        "planograms.InventoryMovement",
    }


@pytest.mark.parametrize("model", FLEET_MODELS, ids=lambda m: m._meta.label)
def test_changelist_add_and_change_pages_open_for_a_superuser(admin_client, one_of_each, model):
    obj = model._base_manager.first()
    single_row = model is UrgencyThresholds  # its list opens its one row

    assert admin_client.get(admin_url(model, "changelist")).status_code == (302 if single_row else 200)
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    # Computed data (metrics, rollups, runs) and the one thresholds row have no add page, for anyone.
    assert admin_client.get(admin_url(model, "add")).status_code == (403 if is_computed(model) or single_row else 200)


@pytest.mark.parametrize(
    "model", [m for m in admin.site._registry if m is not UrgencyThresholds], ids=lambda m: m._meta.label
)
def test_every_registered_changelist_opens_for_a_superuser(admin_client, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200


@pytest.mark.parametrize("rows", [3, 15])
def test_device_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_max_num_queries, rows):
    for device in DeviceFactory.create_batch(rows):
        CabinetFactory(device=device)

    with django_assert_max_num_queries(DEVICE_CHANGELIST_QUERIES):
        response = admin_client.get(admin_url(Device, "changelist"))

    assert len(response.context["cl"].result_list) == rows


def test_manager_may_add_and_change_devices(client, manager):
    device = DeviceFactory()
    client.force_login(manager)

    assert 'name="_save"' in client.get(admin_url(Device, "add")).content.decode()
    assert 'name="_save"' in client.get(admin_url(Device, "change", device.pk)).content.decode()


def test_viewer_reads_but_cannot_add_or_change(client, viewer):
    device = DeviceFactory(model="Vendo 721")
    client.force_login(viewer)

    change_page = client.get(admin_url(Device, "change", device.pk))
    posted = client.post(admin_url(Device, "change", device.pk), {"asset": device.asset, "model": "Hacked"})

    assert client.get(admin_url(Device, "changelist")).status_code == 200
    assert client.get(admin_url(Device, "add")).status_code == 403
    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert posted.status_code == 403
    device.refresh_from_db()
    assert device.model == "Vendo 721"


def test_driver_is_not_staff_and_is_sent_to_the_login(client, driver):
    client.force_login(driver)

    response = client.get(admin_url(Device, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_changelist_shows_active_devices_unless_the_status_filter_asks_for_deleted(admin_client):
    DeviceFactory(asset="A1")
    DeviceFactory(asset="A2", deleted_at=timezone.now())

    def listed(query=""):
        response = admin_client.get(admin_url(Device, "changelist") + query)
        return [device.asset for device in response.context["cl"].result_list]

    assert listed() == ["A1"]
    assert listed("?status=deleted") == ["A2"]
    assert listed("?status=any") == ["A1", "A2"]


def test_soft_delete_action_keeps_the_device_and_records_who(admin_client, admin_user):
    device = DeviceFactory()
    SaleFactory(device=device)

    response = admin_client.post(
        admin_url(Device, "changelist"), {"action": "soft_delete_devices", "_selected_action": [device.pk]}
    )

    assert response.status_code == 302
    device = Device.all_objects.get(pk=device.pk)
    assert device.is_deleted
    assert device.deleted_by == admin_user
    assert device.sales.count() == 1


def test_restore_action_brings_a_deleted_device_back(admin_client, admin_user):
    device = DeviceFactory(deleted_at=timezone.now(), deleted_by=admin_user)

    admin_client.post(
        admin_url(Device, "changelist") + "?status=deleted",
        {"action": "restore_devices", "_selected_action": [device.pk]},
    )

    assert Device.objects.filter(pk=device.pk, deleted_by=None).exists()


def test_deleted_device_change_page_opens_and_shows_who_deleted_it(admin_client, admin_user):
    device = DeviceFactory(deleted_at=timezone.now(), deleted_by=admin_user)

    response = admin_client.get(admin_url(Device, "change", device.pk))

    assert response.status_code == 200
    assert "deleted_by" not in response.context["adminform"].form.fields
    assert admin_user.username in response.content.decode()


def test_devices_cannot_be_hard_deleted_in_the_admin(admin_client):
    device = DeviceFactory()
    actions = admin_client.get(admin_url(Device, "changelist")).context["action_form"].fields["action"].choices

    assert "delete_selected" not in dict(actions)
    assert {"soft_delete_devices", "restore_devices"} <= set(dict(actions))
    assert admin_client.post(admin_url(Device, "delete", device.pk), {"post": "yes"}).status_code == 403
    assert Device.objects.filter(pk=device.pk).exists()


def test_viewer_has_no_soft_delete_action(client, viewer):
    DeviceFactory()
    client.force_login(viewer)

    response = client.get(admin_url(Device, "changelist"))

    assert response.context["action_form"] is None or "soft_delete_devices" not in dict(
        response.context["action_form"].fields["action"].choices
    )


def test_device_links_to_its_location_and_route(admin_client):
    device = DeviceFactory()

    content = admin_client.get(admin_url(Device, "changelist")).content.decode()

    assert admin_url(Location, "change", device.location.pk) in content
    assert admin_url(Route, "change", device.route.pk) in content


def test_route_device_count_links_to_its_active_devices(admin_client):
    route = RouteFactory()
    DeviceFactory.create_batch(2, route=route)
    DeviceFactory(route=route, deleted_at=timezone.now())

    response = admin_client.get(admin_url(Route, "changelist"))

    link = f'<a href="{admin_url(Device, "changelist")}?route__id__exact={route.pk}">2</a>'
    assert link in response.content.decode()
    listed = admin_client.get(admin_url(Device, "changelist") + f"?route__id__exact={route.pk}")
    assert len(listed.context["cl"].result_list) == 2


def test_location_device_count_links_to_its_devices(admin_client):
    location = LocationFactory()
    DeviceFactory(location=location)

    content = admin_client.get(admin_url(Location, "changelist")).content.decode()

    assert f'{admin_url(Device, "changelist")}?location__id__exact={location.pk}">1</a>' in content


def test_cabinets_are_edited_inline_on_the_device_and_link_to_their_planogram(admin_client):
    slot = PlanogramSlotFactory()
    device = slot.planogram.cabinet.device

    response = admin_client.get(admin_url(Device, "change", device.pk))

    (cabinets,) = response.context["inline_admin_formsets"]
    assert cabinets.formset.model is Cabinet
    assert admin_url(Planogram, "change", slot.planogram.pk) in response.content.decode()


def test_manager_may_delete_a_cabinet_whose_slots_have_metrics(client, manager):
    slot = PlanogramSlotFactory()
    recalculate_metrics()
    cabinet = slot.planogram.cabinet
    client.force_login(manager)

    response = client.post(admin_url(Cabinet, "delete", cabinet.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Cabinet.objects.filter(pk=cabinet.pk).exists()
    assert not SlotMetrics.objects.exists() and not CabinetMetrics.objects.exists()


def test_route_driver_is_chosen_among_the_drivers(admin_client, driver, manager):
    response = admin_client.get(admin_url(Route, "add"))

    assert list(response.context["adminform"].form.fields["driver"].queryset) == [driver]


def test_a_cabinet_of_a_soft_deleted_device_stays_editable(admin_client):
    cabinet = CabinetFactory(device__deleted_at=timezone.now(), rows=6)
    data = {
        "device": cabinet.device.pk,
        "cabinet_type": cabinet.cabinet_type.pk,
        "index": 1,
        "rows": 5,
        "columns": cabinet.columns,
    }

    response = admin_client.post(admin_url(Cabinet, "change", cabinet.pk), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    cabinet.refresh_from_db()
    assert cabinet.rows == 5
