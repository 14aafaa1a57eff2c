import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission

from accounts import roles

pytestmark = pytest.mark.django_db

# Computed data: written by the metrics engine, the rollups, DEX imports and restocks, never by hand.
COMPUTED_MODELS = {
    "metrics": ("slotmetrics", "cabinetmetrics", "devicemetrics"),
    "sales": ("dailyproductsales", "devicedailysales", "deviceproductsales", "dexreading"),
    "planograms": ("inventorymovement",),
}


def permission(label):
    """``label`` ("app_label.codename"), once it is known to name a real permission: a misspelt or moved one fails.

    ``has_perm`` answers False for a permission that does not exist, so without this a "may not" check passes
    whatever the roles grant.
    """
    app_label, codename = label.split(".")
    assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
        f"no permission {label}"
    )
    return label


def test_migrations_create_the_four_role_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {roles.ADMIN, roles.MANAGER, roles.DRIVER, roles.VIEWER}


def test_every_grant_names_a_model_and_permissions_that_exist():
    """``sync_role_groups`` passes over a grant that matches nothing, so a misspelt or moved one must fail here."""
    unmatched = []
    for role, grants in roles.ROLE_PERMISSIONS.items():
        for app_label, model, actions in grants:
            scope = Permission.objects.filter(content_type__app_label=app_label)
            if model != "*":
                scope = scope.filter(content_type__model=model)
            codenames = set(scope.values_list("codename", flat=True))
            unmatched += [
                (role, app_label, model, action)
                for action in actions
                if action not in codenames and not any(codename.startswith(f"{action}_") for codename in codenames)
            ]
    assert unmatched == []


def test_manager_edits_fleet_data_but_not_computed_metrics(manager):
    assert manager.has_perm(permission("devices.change_device"))
    assert manager.has_perm(permission("planograms.add_planogramslot"))
    assert manager.has_perm(permission("metrics.view_slotmetrics"))
    assert not manager.has_perm(permission("metrics.change_slotmetrics"))
    assert not manager.has_perm(permission("auth.change_user"))


def test_viewer_only_reads(viewer):
    assert viewer.has_perm(permission("devices.view_device"))
    assert viewer.has_perm(permission("sales.view_sale"))
    assert not viewer.has_perm(permission("devices.change_device"))
    assert not viewer.has_perm(permission("planograms.add_product"))


def test_driver_reads_fleet_but_not_every_route_nor_sales(driver):
    assert driver.has_perm(permission("devices.view_device"))
    assert not driver.has_perm(permission("devices.view_all_routes"))
    assert not driver.has_perm(permission("sales.view_sale"))
    assert not driver.has_perm(permission("devices.change_device"))


def test_sync_role_groups_is_idempotent():
    def granted():
        return {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}

    before = granted()
    roles.sync_role_groups(apps)

    assert {name for name, permissions in before.items() if permissions} >= set(roles.ROLE_PERMISSIONS)
    assert granted() == before


@pytest.mark.parametrize("role", [roles.ADMIN, roles.MANAGER, roles.VIEWER, roles.DRIVER])
def test_nobody_edits_computed_data(make_user, role):
    user = make_user(role)
    labels = [
        f"{app_label}.{action}_{model}"
        for app_label, models in COMPUTED_MODELS.items()
        for model in models
        for action in ("add", "change", "delete")
    ] + ["metrics.change_metricsrun", "metrics.delete_metricsrun"]

    assert [label for label in labels if user.has_perm(permission(label))] == []


def test_manager_requests_recalculations_and_sets_the_urgency_thresholds(manager):
    assert manager.has_perm(permission("metrics.add_metricsrun"))
    assert manager.has_perm(permission("metrics.change_urgencythresholds"))


def test_manager_changes_the_planning_settings_viewer_reads_them_driver_neither(manager, viewer, driver):
    assert manager.has_perm(permission("planning.change_planningsettings"))
    assert manager.has_perm(permission("planning.view_planningsettings"))
    assert viewer.has_perm(permission("planning.view_planningsettings"))
    assert not viewer.has_perm(permission("planning.change_planningsettings"))
    assert not driver.has_perm(permission("planning.view_planningsettings"))


@pytest.mark.parametrize("role", [roles.ADMIN, roles.MANAGER, roles.VIEWER, roles.DRIVER])
def test_nobody_adds_or_deletes_the_one_row_of_planning_settings(make_user, role):
    user = make_user(role)

    for action in ("add", "delete"):
        assert not user.has_perm(permission(f"planning.{action}_planningsettings"))
