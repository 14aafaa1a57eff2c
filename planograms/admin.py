"""Products, planograms and slots in the admin (their latest metrics beside them), service visits, stock movements."""

from django.contrib import admin, messages
from django.db.models import Count

from cvd_portal.admin import (
    CalendarDateHierarchyMixin,
    ComputedDataAdmin,
    DeletesComputedDataMixin,
    PortalImportExportAdmin,
    change_link,
    changelist_link,
    link_column,
    metrics_column,
)
from devices.admin import CabinetAdmin, DeviceAdmin
from devices.models import Cabinet, Device

from .choices import RestockMode
from .models import InventoryMovement, Planogram, PlanogramSlot, Product, ServiceVisit, slot_grid_order
from .resources import PlanogramSlotResource, ProductResource
from .services.inventory import restock


class SlotMetricsColumns:
    """Read-only columns with a slot's latest metrics; the slots must come with ``select_related("metrics")``."""

    METRIC_COLUMNS = ("sold_out", "days_remaining", "product_level", "units_to_par", "last_calculated")

    sold_out = metrics_column("is_sold_out", "sold out", boolean=True)
    days_remaining = metrics_column("days_remaining_inventory", "days remaining")
    product_level = metrics_column("product_level_percent", "level %")
    units_to_par = metrics_column("units_to_par", "units to par")
    last_calculated = metrics_column("last_calculated", "metrics calculated")


@admin.register(Product)
class ProductAdmin(PortalImportExportAdmin):
    resource_classes = [ProductResource]
    list_display = ("name", "sku", "category", "price", "barcode", "case_pack")
    list_filter = ("category",)
    search_fields = ("name", "sku", "barcode")


class PlanogramSlotInline(SlotMetricsColumns, admin.TabularInline):
    model = PlanogramSlot
    extra = 0
    fields = ("position", "product", "quantity", "capacity", "par_level", "price", *SlotMetricsColumns.METRIC_COLUMNS)
    readonly_fields = SlotMetricsColumns.METRIC_COLUMNS

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("metrics").order_by(*slot_grid_order())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "product":
            # Every row of the grid offers the same catalogue: read it once, not once per row (an
            # autocomplete would also query once per row, for the selected product's label).
            formfield.choices = list(formfield.choices)
        return formfield


@admin.register(Planogram)
class PlanogramAdmin(DeletesComputedDataMixin, admin.ModelAdmin):
    list_display = ("__str__", "device_link", "cabinet_index", "slot_count", "updated_at")
    list_filter = ("cabinet__device__route", "cabinet__cabinet_type")
    list_select_related = ("cabinet__device",)
    search_fields = ("name", "cabinet__device__asset")
    autocomplete_fields = ("cabinet",)
    fields = ("cabinet", "device_link", "name", "updated_at")
    readonly_fields = ("device_link", "updated_at")
    inlines = (PlanogramSlotInline,)

    def get_queryset(self, request):
        # A planogram is named after its cabinet and device, on every page and in autocomplete results.
        return (
            super().get_queryset(request).select_related(*self.list_select_related).annotate(slot_count=Count("slots"))
        )

    device_link = link_column("cabinet.device", "device", ordering="cabinet__device__asset")

    @admin.display(description="cabinet", ordering="cabinet__index")
    def cabinet_index(self, planogram):
        return planogram.cabinet.index

    @admin.display(description="slots", ordering="slot_count")
    def slot_count(self, planogram):
        return changelist_link(PlanogramSlot, planogram.slot_count, planogram__id__exact=planogram.pk)


@admin.register(PlanogramSlot)
class PlanogramSlotAdmin(SlotMetricsColumns, DeletesComputedDataMixin, PortalImportExportAdmin):
    resource_classes = [PlanogramSlotResource]
    list_display = (
        "position",
        "device_link",
        "cabinet_index",
        "product",
        "quantity",
        "capacity",
        "par_level",
        "price",
        "sold_out",
        "days_remaining",
        "product_level",
        "units_to_par",
    )
    list_filter = ("planogram__cabinet__device__route", "product__category", "metrics__is_sold_out")
    list_select_related = ("planogram__cabinet__device", "product", "metrics")
    search_fields = ("position", "planogram__cabinet__device__asset", "product__sku", "product__name")
    autocomplete_fields = ("planogram", "product")
    ordering = ("planogram__cabinet__device__asset", "planogram__cabinet__index", *slot_grid_order())
    fieldsets = (
        (None, {"fields": ("planogram", "position", "product")}),
        ("Stock", {"fields": ("quantity", "capacity", "par_level", "price")}),
        ("Metrics", {"fields": SlotMetricsColumns.METRIC_COLUMNS}),
    )
    readonly_fields = SlotMetricsColumns.METRIC_COLUMNS

    device_link = link_column("planogram.cabinet.device", "device", ordering="planogram__cabinet__device__asset")

    @admin.display(description="cabinet", ordering="planogram__cabinet__index")
    def cabinet_index(self, slot):
        return change_link(slot.planogram, slot.planogram.cabinet.index)


class InventoryMovementInline(admin.TabularInline):
    model = InventoryMovement
    fields = ("slot", "reason", "quantity_before", "quantity_after", "occurred_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ServiceVisit)
class ServiceVisitAdmin(CalendarDateHierarchyMixin, ComputedDataAdmin):
    """Visits are recorded by restocking ("Fill to par" on devices and cabinets, ``POST /api/restocks``)."""

    list_display = ("performed_at", "device_link", "performed_by", "recorded_at")
    list_filter = ("device__route",)
    list_select_related = ("device", "performed_by")
    search_fields = ("device__asset", "performed_by__username")
    date_hierarchy = "performed_at"
    inlines = (InventoryMovementInline,)

    device_link = link_column("device", "device", ordering="device__asset")


@admin.register(InventoryMovement)
class InventoryMovementAdmin(CalendarDateHierarchyMixin, ComputedDataAdmin):
    """The inventory audit trail: every change of a slot's quantity, never edited."""

    list_display = (
        "occurred_at",
        "device_link",
        "slot",
        "reason",
        "quantity_before",
        "quantity_after",
        "shortfall",
        "user",
        "visit_link",
    )
    list_filter = ("reason", "slot__planogram__cabinet__device__route")
    list_select_related = ("slot__planogram__cabinet__device", "user", "service_visit")
    search_fields = ("slot__planogram__cabinet__device__asset", "slot__position")
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    device_link = link_column("slot.planogram.cabinet.device", "device")

    visit_link = link_column("service_visit", "service visit")


class RestockActions:
    """ "Fill to par" and "Fill to capacity": one service visit per device, through ``restock``.

    The admin says which slots a selected row stands for (``slots_to_restock``); the actions need
    the permission to record service visits.
    """

    restock_actions = ("restock_to_par", "restock_to_capacity")

    def slots_to_restock(self, obj):
        raise NotImplementedError

    def has_restock_permission(self, request):
        return request.user.has_perm("planograms.add_servicevisit")

    def _restock(self, request, queryset, mode):
        visits = [
            restock(slots=slots, mode=mode, user=request.user)
            for slots in map(self.slots_to_restock, queryset)
            if slots.exists()
        ]
        filled = sum(visit.movements.count() for visit in visits)
        self.message_user(
            request,
            f"{mode.label}: recorded {len(visits)} service visit(s), {filled} slot(s) filled.",
            messages.SUCCESS,
        )

    @admin.action(description="Fill to par (record a service visit)", permissions=["restock"])
    def restock_to_par(self, request, queryset):
        self._restock(request, queryset, RestockMode.PAR)

    @admin.action(description="Fill to capacity (record a service visit)", permissions=["restock"])
    def restock_to_capacity(self, request, queryset):
        self._restock(request, queryset, RestockMode.CAPACITY)


# Devices and cabinets are the devices app's; restocking them is this app's, so its actions join them here.
admin.site.unregister(Device)
admin.site.unregister(Cabinet)


@admin.register(Device)
class RestockableDeviceAdmin(RestockActions, DeviceAdmin):
    actions = (*DeviceAdmin.actions, *RestockActions.restock_actions)

    def slots_to_restock(self, device):
        return PlanogramSlot.objects.filter(planogram__cabinet__device=device)


@admin.register(Cabinet)
class RestockableCabinetAdmin(RestockActions, CabinetAdmin):
    actions = RestockActions.restock_actions

    def slots_to_restock(self, cabinet):
        return PlanogramSlot.objects.filter(planogram__cabinet=cabinet)
