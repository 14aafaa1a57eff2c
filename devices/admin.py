"""The fleet in the Django admin, the portal's database viewer."""

from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename
from django.db.models import Count, Q
from django.utils.dates import WEEKDAYS_ABBR

from accounts.roles import DRIVER
from cvd_portal.admin import (
    DeletesComputedDataMixin,
    PortalImportExportAdmin,
    RolledUpMetricsColumns,
    change_link,
    changelist_link,
    filterset_list_filter,
    link_column,
)

from .filters import DeviceStatusFilter
from .filtersets import DeviceFilterSet
from .models import MAX_CABINETS_PER_DEVICE, Cabinet, CabinetType, Device, DeviceType, Location, Route
from .resources import DeviceResource, LocationResource, RouteResource
from .services import device_restore, device_soft_delete

ACTIVE_DEVICES = Q(devices__deleted_at__isnull=True)


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
        return changelist_link(Device, location.device_count, location=location.pk)


@admin.register(Route)
class RouteAdmin(PortalImportExportAdmin):
    resource_classes = [RouteResource]
    list_display = ("number", "name", "driver", "service_day_names", "device_count")
    list_filter = (("driver", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("driver",)
    search_fields = ("number", "name", "driver__username")
    fieldsets = (
        (None, {"fields": ("number", "name", "driver")}),
        ("Schedule", {"fields": ("service_days",)}),
        ("Depot", {"fields": ("depot_latitude", "depot_longitude")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices", filter=ACTIVE_DEVICES))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "driver":
            # A plain list of the drivers: managers cannot search users, which an autocomplete would need.
            kwargs["queryset"] = db_field.related_model.objects.filter(groups__name=DRIVER, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, route):
        return changelist_link(Device, route.device_count, route=route.pk)

    @admin.display(description="service days")
    def service_day_names(self, route):
        return ", ".join(str(WEEKDAYS_ABBR[day]) for day in route.service_days) or None


@admin.register(DeviceType)
class DeviceTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "allows_additional_cabinets", "device_count")
    list_filter = ("allows_additional_cabinets",)
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices", filter=ACTIVE_DEVICES))

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, device_type):
        return changelist_link(Device, device_type.device_count, device_type=device_type.pk)


@admin.register(CabinetType)
class CabinetTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "rows", "columns", "cabinet_count")
    search_fields = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(cabinet_count=Count("cabinets"))

    @admin.display(description="cabinets", ordering="cabinet_count")
    def cabinet_count(self, cabinet_type):
        return changelist_link(Cabinet, cabinet_type.cabinet_count, cabinet_type__id__exact=cabinet_type.pk)


class CabinetInline(RolledUpMetricsColumns, admin.TabularInline):
    model = Cabinet
    extra = 0
    max_num = MAX_CABINETS_PER_DEVICE
    fields = (
        "index",
        "is_parent",
        "cabinet_type",
        "rows",
        "columns",
        "planogram",
        *RolledUpMetricsColumns.ROLLED_UP_COLUMNS,
    )
    readonly_fields = ("is_parent", "planogram", *RolledUpMetricsColumns.ROLLED_UP_COLUMNS)
    autocomplete_fields = ("cabinet_type",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cabinet_type", "planogram", "metrics")

    @admin.display(description="planogram")
    def planogram(self, cabinet):
        return change_link(getattr(cabinet, "planogram", None))


@admin.register(Device)
class DeviceAdmin(RolledUpMetricsColumns, PortalImportExportAdmin):
    resource_classes = [DeviceResource]
    list_display = (
        "asset",
        "device_type",
        "location_link",
        "route_link",
        "cabinet_count",
        *RolledUpMetricsColumns.ROLLED_UP_COLUMNS,
        "deleted_at",
    )
    # Narrowed by the DeviceFilterSet, as the API, the reports and the dashboard narrow devices.
    list_filter = (
        DeviceStatusFilter,
        *(
            filterset_list_filter(DeviceFilterSet, name)
            for name in ("device_type", "route", "venue_type", "has_planogram")
        ),
    )
    list_select_related = ("device_type", "location", "route", "metrics")
    search_fields = ("asset", "serial_number", "model", "cooler", "location__name", "route__number", "route__name")
    autocomplete_fields = ("device_type", "location", "route")
    fieldsets = (
        (None, {"fields": ("asset", "device_type", "model", "cooler", "serial_number")}),
        ("Placement", {"fields": ("location", "route")}),
        ("Inventory metrics", {"fields": RolledUpMetricsColumns.ROLLED_UP_COLUMNS}),
        ("History", {"fields": ("sales", "created_at", "updated_at", "deleted_at", "deleted_by")}),
    )
    readonly_fields = (
        *RolledUpMetricsColumns.ROLLED_UP_COLUMNS,
        "sales",
        "created_at",
        "updated_at",
        "deleted_at",
        "deleted_by",
    )
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

    location_link = link_column("location", "location", ordering="location__name")

    route_link = link_column("route", "route", ordering="route__number")

    @admin.display(description="cabinets", ordering="cabinet_count")
    def cabinet_count(self, device):
        return device.cabinet_count

    @admin.display(description="sales")
    def sales(self, device):
        if device.pk is None:
            return None
        # Named, not imported: the sales app sits above devices.
        return changelist_link("sales.sale", "Sales of this device", device__id__exact=device.pk)


@admin.register(Cabinet)
class CabinetAdmin(RolledUpMetricsColumns, SoftDeletedDevicesMixin, DeletesComputedDataMixin, admin.ModelAdmin):
    list_display = (
        "__str__",
        "device_link",
        "index",
        "is_parent",
        "cabinet_type",
        "planogram_link",
        *RolledUpMetricsColumns.ROLLED_UP_COLUMNS,
    )
    list_filter = ("cabinet_type", "is_parent")
    list_select_related = ("device", "cabinet_type", "planogram", "metrics")
    search_fields = ("device__asset",)
    readonly_fields = ("is_parent", *RolledUpMetricsColumns.ROLLED_UP_COLUMNS)
    autocomplete_fields = ("device", "cabinet_type")

    def get_queryset(self, request):
        # A cabinet is named after its device, on every page and in autocomplete results.
        return super().get_queryset(request).select_related(*self.list_select_related)

    device_link = link_column("device", "device", ordering="device__asset")

    @admin.display(description="planogram")
    def planogram_link(self, cabinet):
        return change_link(getattr(cabinet, "planogram", None))
