"""The portal's roles and the permissions each one holds.

Roles are Django groups. Which rows a role sees is decided by querysets
(``devices.selectors``): a driver lacks ``devices.view_all_routes`` and so sees
only the routes assigned to them.
"""

from django.contrib.auth.management import create_permissions

ADMIN = "Admin"
MANAGER = "Manager"
DRIVER = "Driver"
VIEWER = "Viewer"

EDIT = ("add", "change", "delete", "view")
READ = ("view",)
FLEET_APPS = ("devices", "planograms", "sales", "planning", "metrics")
# What people edit; computed data (slot metrics) is read-only for every role.
EDITABLE_FLEET = [
    ("devices", "*", EDIT),
    ("planograms", "product", EDIT),
    ("planograms", "planogram", EDIT),
    ("planograms", "planogramslot", EDIT),
    ("metrics", "slotmetrics", READ),
    ("metrics", "cabinetmetrics", READ),
    ("metrics", "devicemetrics", READ),
    ("metrics", "urgencythresholds", ("view", "change")),
    # The planner's settings are one row: changed, never added or deleted.
    ("planning", "planningsettings", ("view", "change")),
    # Adding a metrics run is requesting a recalculation; runs themselves are never edited.
    ("metrics", "metricsrun", ("view", "add")),
    # A service visit is recorded by restocking (which writes its movements); movements are the audit trail.
    ("planograms", "servicevisit", ("view", "add")),
    ("planograms", "inventorymovement", READ),
    ("sales", "sale", EDIT),
    ("sales", "dailyproductsales", READ),
    ("sales", "devicedailysales", READ),
    ("sales", "deviceproductsales", READ),
    # Adding a DEX import is uploading an audit; imports and their readings are never edited.
    ("sales", "deximport", ("view", "add", "change")),  # changing an import is voiding it
    ("sales", "dexreading", READ),
]

# (app label, model name or "*" for every model of the app, actions or full codenames)
ROLE_PERMISSIONS = {
    ADMIN: [
        *EDITABLE_FLEET,
        ("auth", "user", EDIT),
        ("auth", "group", EDIT),
        # API tokens are made by exchanging a password (never in the admin) and kept as hashes: an admin
        # lists them and revokes them.
        ("knox", "authtoken", ("view", "delete")),
        # Login lockouts: deleting a user's failed attempts lifts their lockout.
        ("axes", "accessattempt", ("view", "delete")),
        ("axes", "accessfailurelog", READ),
        ("axes", "accesslog", READ),
        ("django_celery_beat", "*", EDIT),
        ("devices", "device", ("view_all_routes",)),
    ],
    MANAGER: [
        *EDITABLE_FLEET,
        ("django_celery_beat", "*", READ),
        ("devices", "device", ("view_all_routes",)),
    ],
    VIEWER: [
        *[(app, "*", READ) for app in FLEET_APPS],
        ("devices", "device", ("view_all_routes",)),
    ],
    DRIVER: [
        ("devices", "location", READ),
        ("devices", "route", READ),
        ("devices", "devicetype", READ),
        ("devices", "cabinettype", READ),
        ("devices", "device", READ),
        ("devices", "cabinet", READ),
        ("planograms", "*", READ),
        ("metrics", "*", READ),
        # A driver refreshes the metrics of their own route's devices (scoped by the view).
        ("metrics", "metricsrun", ("add",)),
        # A driver restocks their own route's devices (scoped by the view).
        ("planograms", "servicevisit", ("add",)),
    ],
}

STAFF_ROLES = (ADMIN, MANAGER, VIEWER)


def sync_role_groups(apps, schema_editor=None):
    """Create the role groups and give each exactly its permissions (idempotent).

    Runs from data migrations with the historical app registry. Permissions normally
    appear only after ``migrate`` finishes, so they are created here first; a permission
    whose model does not exist yet is left for the migration that adds the model, which
    runs this again (``RunPython(sync_role_groups)``).
    """
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.select_related("content_type")
    for role, grants in ROLE_PERMISSIONS.items():
        wanted = set()
        for app_label, model, actions in grants:
            scope = permissions.filter(content_type__app_label=app_label)
            if model != "*":
                scope = scope.filter(content_type__model=model)
            for permission in scope:
                action_of = permission.codename.removesuffix(f"_{permission.content_type.model}")
                if permission.codename in actions or action_of in actions:
                    wanted.add(permission.pk)
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(wanted)
