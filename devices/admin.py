"""The fleet in the Django admin, the portal's database viewer.

Also home of what every app's admin shares: links between related objects, the import/export
base class, deleting rows that carry computed slot metrics, and foreign keys to soft-deleted devices.
"""

from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from import_export.admin import ImportExportModelAdmin

from accounts.roles import DRIVER
from analytics.models import Sale
from planograms.models import SlotMetrics

from .filters import DeviceStatusFilter
from .models import MAX_CABINETS_PER_DEVICE, Cabinet, CabinetType, Device, DeviceType, Location, Route
from .resources import DeviceResource, LocationResource, RouteResource
from .services import device_restore, device_soft_delete

ACTIVE_DEVICES = Q(devices__deleted_at__isnull=True)


def change_link(obj, label=None):
    """A link to ``obj``'s change page, or an empty cell when there is no object."""
    if obj is None:
        return None
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if label is None else label)


def changelist_link(model, label, **filters):
    """A link to ``model``'s changelist narrowed by ``filters`` (admin lookups such as ``route__id__exact``)."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(filters), label)


def import_failure_message(result):
    """One line naming every row an import refused and why."""
    problems = [f"row {row.number}: {error.error}" for row in result.error_rows for error in row.errors]
    for row in result.invalid_rows:
        messages_by_field = [f"{field}: {' '.join(errors)}" for field, errors in row.field_specific_errors.items()]
        problems.append(f"row {row.number}: {'; '.join(messages_by_field + row.non_field_specific_errors)}")
    problems += [str(error.error) for error in result.base_errors]
    return f"Nothing was imported. {' | '.join(problems)}"


class PortalImportExportAdmin(ImportExportModelAdmin):
    """Import (with the preview step) and export as CSV or XLSX; a file with any bad row imports nothing."""

    def has_import_permission(self, request):
        # An import both adds rows and updates existing ones.
        return super().has_import_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        # The preview refuses a file with a bad row; this also rolls back a row that turned bad between
        # the preview and the confirmation (by default only exceptions roll the import back).
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            messages.error(request, import_failure_message(result))
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"))
        return super().process_result(result, request)


class DeletesSlotMetricsMixin:
    """For admins whose deletions cascade to slot metrics.

    Slot metrics are computed from their slot and go with it; no role holds (or needs) the permission
    to delete them, so the admin must not ask for it before deleting a slot, planogram or cabinet.
    """

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(SlotMetrics._meta.verbose_name)
        return deleted, model_count, perms_needed, protected


class SoftDeletedDevicesMixin:
    """For admins with a foreign key to a device: soft-deleted devices are valid choices too.

    The device autocomplete offers them (the device admin lists them), and a deleted device's
    cabinets and sales must stay editable; the default manager would reject them.
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Device:
            kwargs.setdefault("queryset", Device.all_objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Location)
class LocationAdmin(PortalImportExportAdmin):
    resource_classes = [LocationResource]
    list_display = ("name", "venue_type", "address", "device_count")
    list_filter = ("venue_type",)
    search_fields = ("name", "address")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices", filter=ACTIVE_DEVICES))

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, location):
        return changelist_link(Device, location.device_count, location__id__exact=location.pk)


@admin.register(Route)
class RouteAdmin(PortalImportExportAdmin):
    resource_classes = [RouteResource]
    list_display = ("number", "name", "driver", "device_count")
    list_filter = (("driver", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("driver",)
    search_fields = ("number", "name", "driver__username")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices", filter=ACTIVE_DEVICES))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "driver":
            # A plain list of the drivers: managers cannot search users, which an autocomplete would need.
            kwargs["queryset"] = db_field.related_model.objects.filter(groups__name=DRIVER, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, route):
        return changelist_link(Device, route.device_count, route__id__exact=route.pk)


@admin.register(DeviceType)
class DeviceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "allows_additional_cabinets", "device_count")
    list_filter = ("allows_additional_cabinets",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices", filter=ACTIVE_DEVICES))

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, device_type):
        return changelist_link(Device, device_type.device_count, device_type__id__exact=device_type.pk)


@admin.register(CabinetType)
class CabinetTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "rows", "columns", "cabinet_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cabinet_count=Count("cabinets"))

    @admin.display(description="cabinets", ordering="cabinet_count")
    def cabinet_count(self, cabinet_type):
        return changelist_link(Cabinet, cabinet_type.cabinet_count, cabinet_type__id__exact=cabinet_type.pk)


class CabinetInline(admin.TabularInline):
    model = Cabinet
    extra = 0
    max_num = MAX_CABINETS_PER_DEVICE
    fields = ("index", "is_parent", "cabinet_type", "rows", "columns", "planogram")
    readonly_fields = ("planogram",)
    autocomplete_fields = ("cabinet_type",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cabinet_type", "planogram")

    @admin.display(description="planogram")
    def planogram(self, cabinet):
        return change_link(getattr(cabinet, "planogram", None))


@admin.register(Device)
class DeviceAdmin(PortalImportExportAdmin):
    resource_classes = [DeviceResource]
    list_display = ("asset", "device_type", "location_link", "route_link", "cabinet_count", "model", "deleted_at")
    list_filter = (DeviceStatusFilter, "device_type", "route", "location__venue_type")
    list_select_related = ("device_type", "location", "route")
    search_fields = ("asset", "serial_number", "model", "cooler", "location__name", "route__number", "route__name")
    autocomplete_fields = ("device_type", "location", "route")
    fieldsets = (
        (None, {"fields": ("asset", "device_type", "model", "cooler", "serial_number")}),
        ("Placement", {"fields": ("location", "route")}),
        ("History", {"fields": ("sales", "created_at", "updated_at", "deleted_at", "deleted_by")}),
    )
    readonly_fields = ("sales", "created_at", "updated_at", "deleted_at", "deleted_by")
    inlines = (CabinetInline,)
    actions = ("soft_delete_devices", "restore_devices")

    def get_queryset(self, request):
        # Soft-deleted devices stay reachable (behind the status filter) so they can be seen and restored.
        return Device.all_objects.annotate(cabinet_count=Count("cabinets"))

    def has_delete_permission(self, request, obj=None):
        # No hard delete: a device's sales history must survive it. "Soft-delete" replaces it.
        return False

    def has_soft_delete_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.{get_permission_codename('delete', self.opts)}")

    @admin.action(description="Soft-delete selected devices", permissions=["soft_delete"])
    def soft_delete_devices(self, request, queryset):
        devices = list(queryset.active())
        for device in devices:
            device_soft_delete(device=device, user=request.user)
        self.message_user(request, f"Soft-deleted {len(devices)} device(s).", messages.SUCCESS)

    @admin.action(description="Restore selected devices", permissions=["soft_delete"])
    def restore_devices(self, request, queryset):
        devices = list(queryset.deleted())
        for device in devices:
            device_restore(device=device)
        self.message_user(request, f"Restored {len(devices)} device(s).", messages.SUCCESS)

    @admin.display(description="location", ordering="location__name")
    def location_link(self, device):
        return change_link(device.location)

    @admin.display(description="route", ordering="route__number")
    def route_link(self, device):
        return change_link(device.route)

    @admin.display(description="cabinets", ordering="cabinet_count")
    def cabinet_count(self, device):
        return device.cabinet_count

    @admin.display(description="sales")
    def sales(self, device):
        if device.pk is None:
            return None
        return changelist_link(Sale, "Sales of this device", device__id__exact=device.pk)


@admin.register(Cabinet)
class CabinetAdmin(SoftDeletedDevicesMixin, DeletesSlotMetricsMixin, admin.ModelAdmin):
    list_display = ("__str__", "device_link", "index", "is_parent", "cabinet_type", "rows", "columns", "planogram_link")
    list_filter = ("cabinet_type", "is_parent")
    list_select_related = ("device", "cabinet_type", "planogram")
    search_fields = ("device__asset",)
    autocomplete_fields = ("device", "cabinet_type")

    def get_queryset(self, request):
        # A cabinet is named after its device, on every page and in autocomplete results.
        return super().get_queryset(request).select_related(*self.list_select_related)

    @admin.display(description="device", ordering="device__asset")
    def device_link(self, cabinet):
        return change_link(cabinet.device)

    @admin.display(description="planogram")
    def planogram_link(self, cabinet):
        return change_link(getattr(cabinet, "planogram", None))
