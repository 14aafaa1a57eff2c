"""The inventory metrics in the admin (read-only), the urgency thresholds, and the metrics runs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from cvd_portal.admin import CalendarDateHierarchyMixin, ComputedDataAdmin, SingleRowAdmin, change_link, link_column
from planograms.models import slot_grid_order

from .choices import MetricsRunScope, MetricsRunStatus
from .models import ROLLED_UP_METRIC_FIELDS, CabinetMetrics, DeviceMetrics, MetricsRun, SlotMetrics, UrgencyThresholds
from .services.runs import metrics_run_request


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
class UrgencyThresholdsAdmin(SingleRowAdmin):
    """One row: the list page opens it directly."""


@admin.register(MetricsRun)
class MetricsRunAdmin(CalendarDateHierarchyMixin, ComputedDataAdmin):
    """Every recalculation, and the "Calculate all metrics" control of the database viewer."""

    change_list_template = "admin/metrics/metricsrun/change_list.html"
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
            "calculate/", self.admin_site.admin_view(self.calculate_view), name="metrics_metricsrun_calculate"
        )
        return [calculate, *super().get_urls()]

    def has_calculate_permission(self, request):
        return request.user.has_perm("metrics.add_metricsrun")

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
        return HttpResponseRedirect(reverse("admin:metrics_metricsrun_changelist"))

    @admin.display(description="chunks")
    def chunks(self, run):
        return f"{len(run.finished_chunks)}/{run.chunks_total}"

    @admin.display(description="error")
    def short_error(self, run):
        return run.error[:80]
