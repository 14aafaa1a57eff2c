"""Every fleet model's admin pages open, with a row of each from every app (devices, planograms, sales, metrics).

Moved from ``devices/tests/test_admin.py``: building one row of every fleet model needs every app, and metrics
is the highest of them.
"""

import pytest
from django.contrib import admin

from cvd_portal.admin import ComputedDataAdmin, SingleRowAdmin
from metrics.choices import MetricsRunScope, MetricsRunStatus
from metrics.models import MetricsRun, UrgencyThresholds
from metrics.services.engine import recalculate_metrics
from planograms.choices import RestockMode
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
def test_changelist_add_and_change_pages_open_for_a_superuser(admin_client, admin_url, one_of_each, model):
    obj = model._base_manager.first()
    single_row = model is UrgencyThresholds  # its list opens its one row

    assert admin_client.get(admin_url(model, "changelist")).status_code == (302 if single_row else 200)
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    # Computed data (metrics, rollups, runs) and the one thresholds row have no add page, for anyone.
    assert admin_client.get(admin_url(model, "add")).status_code == (403 if is_computed(model) or single_row else 200)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_registered_changelist_opens_for_a_superuser(admin_client, admin_url, model):
    # A single row's list page opens that row.
    single_row = isinstance(admin.site._registry[model], SingleRowAdmin)

    response = admin_client.get(admin_url(model, "changelist"))

    assert response.status_code == (302 if single_row else 200)
    if single_row:
        assert admin_client.get(response.url).status_code == 200


DATE_HIERARCHY_MODELS = [model for model in FLEET_MODELS if admin.site._registry[model].date_hierarchy]


@pytest.mark.parametrize("year", ["1", "9999", "99999999999999999999", "x"])
@pytest.mark.parametrize("model", DATE_HIERARCHY_MODELS, ids=lambda model: model._meta.label)
def test_a_year_past_the_calendar_is_the_admins_invalid_lookup_answer(admin_client, admin_url, model, year):
    field = admin.site._registry[model].date_hierarchy

    response = admin_client.get(admin_url(model, "changelist"), {f"{field}__year": year})

    assert (response.status_code, response.url.rsplit("?", 1)[-1]) == (302, "e=1")


def test_every_admin_with_a_date_hierarchy_is_checked():
    assert len(DATE_HIERARCHY_MODELS) == 8
