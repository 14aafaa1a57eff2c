import pytest
from django.contrib.auth.models import Group

from accounts import roles


@pytest.mark.django_db
def test_migrations_create_the_four_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {roles.ADMIN, roles.MANAGER, roles.DRIVER, roles.VIEWER}


@pytest.mark.django_db
def test_manager_edits_fleet_data_but_not_computed_metrics(manager):
    assert manager.has_perm("devices.change_device")
    assert manager.has_perm("planograms.add_planogramslot")
    assert manager.has_perm("metrics.view_slotmetrics")
    assert not manager.has_perm("metrics.change_slotmetrics")
    assert not manager.has_perm("auth.change_user")


@pytest.mark.django_db
def test_viewer_only_reads(viewer):
    assert viewer.has_perm("devices.view_device")
    assert viewer.has_perm("sales.view_sale")
    assert not viewer.has_perm("devices.change_device")
    assert not viewer.has_perm("planograms.add_product")


@pytest.mark.django_db
def test_driver_reads_fleet_but_not_every_route_nor_sales(driver):
    assert driver.has_perm("devices.view_device")
    assert not driver.has_perm("devices.view_all_routes")
    assert not driver.has_perm("sales.view_sale")
    assert not driver.has_perm("devices.change_device")


@pytest.mark.django_db
def test_sync_role_groups_is_idempotent():
    from django.apps import apps

    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    roles.sync_role_groups(apps)
    after = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    assert before == after


@pytest.mark.django_db
def test_nobody_edits_computed_data(manager):
    for codename in ("change_devicemetrics", "add_cabinetmetrics", "change_metricsrun", "change_dailyproductsales"):
        assert not manager.has_perm(f"planograms.{codename}")
        assert not manager.has_perm(f"sales.{codename}")
    assert manager.has_perm("metrics.add_metricsrun")
    assert manager.has_perm("metrics.change_urgencythresholds")
