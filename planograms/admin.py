"""Products, planograms and their slots in the admin; slot metrics shown read-only beside the slots."""

from django.contrib import admin
from django.db.models import Count

from cvd_portal.admin import (
    ComputedDataAdmin,
    DeletesComputedDataMixin,
    PortalImportExportAdmin,
    change_link,
    changelist_link,
)

from .models import Planogram, PlanogramSlot, Product, SlotMetrics, slot_grid_order
from .resources import PlanogramSlotResource, ProductResource


def _metric(name, description, **display):
    @admin.display(description=description, **display)
    def column(self, slot):
        # A slot not yet calculated raises RelatedObjectDoesNotExist here, which the admin shows as "-".
        return getattr(slot.metrics, name)

    return column


class SlotMetricsColumns:
    """Read-only columns with a slot's latest metrics; the slots must come with ``select_related("metrics")``."""

    METRIC_COLUMNS = ("sold_out", "days_remaining", "product_level", "units_to_par", "last_calculated")

    sold_out = _metric("is_sold_out", "sold out", boolean=True)
    days_remaining = _metric("days_remaining_inventory", "days remaining")
    product_level = _metric("product_level_percent", "level %")
    units_to_par = _metric("units_to_par", "units to par")
    last_calculated = _metric("last_calculated", "metrics calculated")


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

    @admin.display(description="device", ordering="cabinet__device__asset")
    def device_link(self, planogram):
        return change_link(planogram.cabinet.device) if planogram.cabinet_id else None

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

    @admin.display(description="device", ordering="planogram__cabinet__device__asset")
    def device_link(self, slot):
        return change_link(slot.planogram.cabinet.device)

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

    @admin.display(description="device", ordering="device__asset")
    def device_link(self, metrics):
        return change_link(metrics.device)
