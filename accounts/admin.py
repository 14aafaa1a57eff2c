"""Third-party admins re-registered so that every action asks for a permission.

Django offers and runs an admin action to anyone who may open the changelist (a view permission is
enough) unless the action names ``allowed_permissions``. django-celery-beat's schedule actions and axes'
clean-up name none; here each asks for the permission its effect needs:

- Celery schedules (enable, disable, toggle, run now): ``django_celery_beat.change_periodictask``;
- login lockouts (clean up expired attempts): ``axes.delete_accessattempt``.

The other third-party admins have only Django's ``delete_selected`` (which checks the delete permission),
and django-import-export's import and export pages check ``add`` + ``change`` and ``view``
(``IMPORT_EXPORT_*_PERMISSION_CODE``, ``cvd_portal.admin.PortalImportExportAdmin``).
"""

import functools

from axes import admin as axes_admin
from axes.models import AccessAttempt
from django.contrib import admin
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import PeriodicTask


def requiring(permission: str, action):
    """``action`` (an admin action function) offered and run only for users with ``permission`` on the model
    ("change", "delete", ...: the admin's ``has_<permission>_permission``)."""

    @functools.wraps(action)
    def guarded(model_admin, request, queryset):
        return action(model_admin, request, queryset)

    guarded.allowed_permissions = (permission,)
    return guarded


class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    """Celery schedules: a manager reads them; switching them on or off, or running one now, is a change."""

    change_form_template = "admin/django_celery_beat/periodictask/change_form.html"

    enable_tasks = requiring("change", beat_admin.PeriodicTaskAdmin.enable_tasks)
    disable_tasks = requiring("change", beat_admin.PeriodicTaskAdmin.disable_tasks)
    toggle_tasks = requiring("change", beat_admin.PeriodicTaskAdmin.toggle_tasks)
    run_tasks = requiring("change", beat_admin.PeriodicTaskAdmin.run_tasks)


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    """Login failures counted towards a lockout; cleaning them up deletes them."""

    cleanup_expired_attempts = requiring("delete", axes_admin.AccessAttemptAdmin.cleanup_expired_attempts)


for model, model_admin in ((PeriodicTask, PeriodicTaskAdmin), (AccessAttempt, AccessAttemptAdmin)):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
