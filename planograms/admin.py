"""Products, planograms and slots in the admin, the metrics beside them, and the metrics runs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from cvd_portal.admin import (
    ComputedDataAdmin,
    DeletesComputedDataMixin,
    PortalImportExportAdmin,
    change_link,
    changelist_link,
    link_column,
    metrics_column,
)

from .choices import MetricsRunScope, MetricsRunStatus
from .models import (
    ROLLED_UP_METRIC_FIELDS,
    CabinetMetrics,
    DeviceMetrics,
    InventoryMovement,
    MetricsRun,
    Planogram,
    PlanogramSlot,
    Product,
    ServiceVisit,
    SlotMetrics,
    UrgencyThresholds,
    slot_grid_order,
)
from .resources import PlanogramSlotResource, ProductResource
from .services.metrics_runs import metrics_run_request


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
    list_display = ("name", "sku", "category", "price", "barcode")
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


@admin.register(SlotMetrics)
class SlotMetricsAdmin(ComputedDataAdmin):
    """Computed by the metrics engine: nobody adds, changes or deletes them here."""

    list_display = (
        "device_link",
        "slot",
        "product",
        "is_sold_out",
        "days_remaining_inventory",
        "product_level_percent",
        "units_to_par",
        "sales_28_day",
        "daily_velocity",
        "last_calculated",
    )
    list_filter = ("is_sold_out", "device__route", "device__location__venue_type", "product__category")
    list_select_related = ("device", "slot", "product")
    search_fields = ("device__asset", "slot__position", "product__sku", "product__name")
    ordering = ("device__asset", "planogram__cabinet__index", *slot_grid_order("slot__"))

    device_link = link_column("device", "device", ordering="device__asset")


class RolledUpMetricsAdmin(ComputedDataAdmin):
    list_display = ("device_link", *ROLLED_UP_METRIC_FIELDS)
    list_filter = ("device__route", "device__location__venue_type")
    search_fields = ("device__asset",)

    device_link = link_column("device", "device", ordering="device__asset")


@admin.register(DeviceMetrics)
class DeviceMetricsAdmin(RolledUpMetricsAdmin):
    list_select_related = ("device",)
    ordering = ("days_remaining_inventory", "device__asset")


@admin.register(CabinetMetrics)
class CabinetMetricsAdmin(RolledUpMetricsAdmin):
    list_display = ("cabinet_link", *RolledUpMetricsAdmin.list_display)
    list_select_related = ("device", "cabinet")
    ordering = ("device__asset", "cabinet__index")

    @admin.display(description="cabinet", ordering="cabinet__index")
    def cabinet_link(self, metrics):
        return change_link(metrics.cabinet, f"cabinet {metrics.cabinet.index}")


@admin.register(UrgencyThresholds)
class UrgencyThresholdsAdmin(admin.ModelAdmin):
    """One row: the list page opens it directly."""

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        thresholds = UrgencyThresholds.current()
        return HttpResponseRedirect(reverse("admin:planograms_urgencythresholds_change", args=[thresholds.pk]))


@admin.register(MetricsRun)
class MetricsRunAdmin(ComputedDataAdmin):
    """Every recalculation, and the "Calculate all metrics" control of the database viewer."""

    change_list_template = "admin/planograms/metricsrun/change_list.html"
    list_display = (
        "id",
        "scope",
        "status",
        "created_at",
        "started_at",
        "finished_at",
        "devices_processed",
        "slots_processed",
        "chunks",
        "coalesced_requests",
        "lock_wait_seconds",
        "requested_by",
        "short_error",
    )
    list_filter = ("status", "scope")
    list_select_related = ("requested_by",)
    date_hierarchy = "created_at"

    def get_urls(self):
        calculate = path(
            "calculate/", self.admin_site.admin_view(self.calculate_view), name="planograms_metricsrun_calculate"
        )
        return [calculate, *super().get_urls()]

    def has_calculate_permission(self, request):
        return request.user.has_perm("planograms.add_metricsrun")

    def changelist_view(self, request, extra_context=None):
        last = MetricsRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
        context = {"last_run": last, "can_calculate": self.has_calculate_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def calculate_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_calculate_permission(request):
            raise PermissionDenied
        run, coalesced = metrics_run_request(scope=MetricsRunScope.FULL, user=request.user)
        if coalesced:
            self.message_user(request, f"A full recalculation was already queued (run {run.pk}); joined it.")
        elif run.status == MetricsRunStatus.SUCCEEDED:
            self.message_user(
                request,
                f"Calculated metrics for {run.devices_processed} devices and {run.slots_processed} slots.",
                messages.SUCCESS,
            )
        elif run.status == MetricsRunStatus.FAILED:
            self.message_user(request, f"The recalculation failed: {run.error}", messages.ERROR)
        else:
            self.message_user(request, f"Recalculation queued as run {run.pk}; the workers are on it.")
        return HttpResponseRedirect(reverse("admin:planograms_metricsrun_changelist"))

    @admin.display(description="chunks")
    def chunks(self, run):
        return f"{len(run.finished_chunks)}/{run.chunks_total}"

    @admin.display(description="error")
    def short_error(self, run):
        return run.error[:80]


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
class ServiceVisitAdmin(ComputedDataAdmin):
    """Visits are recorded by restocking ("Fill to par" on devices and cabinets, ``POST /api/restocks``)."""

    list_display = ("performed_at", "device_link", "performed_by", "recorded_at")
    list_filter = ("device__route",)
    list_select_related = ("device", "performed_by")
    search_fields = ("device__asset", "performed_by__username")
    date_hierarchy = "performed_at"
    inlines = (InventoryMovementInline,)

    device_link = link_column("device", "device", ordering="device__asset")


@admin.register(InventoryMovement)
class InventoryMovementAdmin(ComputedDataAdmin):
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
