"""The inventory metrics of every slot, cabinet and device, the runs that compute them, and the urgency thresholds."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from devices.models import Cabinet, Device
from planograms.models import Planogram, PlanogramSlot, Product

from .choices import MetricsRunScope, MetricsRunStatus


class InventoryMetrics(models.Model):
    """The four inventory numbers of the spec, shared by slot, cabinet and device metrics.

    SO counts sold-out slots, DRI is whole days until the first slot runs out (999 = no
    end in sight), PL is the percentage of capacity filled, UTP the units that fill it.
    """

    days_remaining_inventory = models.PositiveSmallIntegerField()
    product_level_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    units_to_par = models.PositiveIntegerField(default=0)
    last_calculated = models.DateTimeField()
    calculation_version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class RolledUpMetrics(InventoryMetrics):
    """Metrics summed over many slots; PL comes from the summed quantities and capacities."""

    sold_out_count = models.PositiveIntegerField(default=0)
    total_quantity = models.PositiveIntegerField(default=0)
    total_capacity = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


# What a cabinet's or a device's metrics say, in the order every listing shows them.
ROLLED_UP_METRIC_FIELDS = [
    "sold_out_count",
    "days_remaining_inventory",
    "product_level_percent",
    "units_to_par",
    "total_quantity",
    "total_capacity",
    "last_calculated",
]


class SlotMetrics(InventoryMetrics):
    """One slot's metrics at its last calculation (see ``metrics.services.engine``).

    Maintenance (zero-capacity) and unassigned slots have none: they sell nothing.
    """

    # Keyed by the slot itself. Few indexes, none on a value that changes, so a recalculation
    # rewrites these rows in place (PostgreSQL HOT updates) instead of churning indexes.
    slot = models.OneToOneField(PlanogramSlot, on_delete=models.CASCADE, related_name="metrics", primary_key=True)
    # Denormalised from the slot, as in the spec, so device-level reads need no joins.
    planogram = models.ForeignKey(Planogram, on_delete=models.CASCADE, related_name="+", db_index=False)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="slot_metrics")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)

    is_sold_out = models.BooleanField(default=False)
    sales_28_day = models.PositiveIntegerField(default=0, help_text="Units sold in the 28-day window.")
    sales_all_time = models.PositiveIntegerField(default=0)
    days_with_sales = models.PositiveIntegerField(default=0, help_text="Local days with at least one sale.")
    daily_velocity = models.FloatField(default=0.0, help_text="Units a day the DRI was computed from.")

    class Meta:
        ordering = ["device", "slot"]
        verbose_name_plural = "slot metrics"
        constraints = [
            models.CheckConstraint(condition=Q(days_remaining_inventory__lte=999), name="slotmetrics_dri_capped"),
            models.CheckConstraint(condition=Q(product_level_percent__lte=100), name="slotmetrics_pl_percent"),
        ]

    def __str__(self):
        return f"Metrics of slot {self.slot_id}"


class CabinetMetrics(RolledUpMetrics):
    """A cabinet's metrics rolled up from its slots."""

    cabinet = models.OneToOneField(Cabinet, on_delete=models.CASCADE, related_name="metrics", primary_key=True)
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="cabinet_metrics")

    class Meta:
        ordering = ["device", "cabinet"]
        verbose_name_plural = "cabinet metrics"

    def __str__(self):
        return f"Metrics of {self.cabinet}"


class DeviceMetrics(RolledUpMetrics):
    """A device's metrics rolled up from its cabinets; what route planning sorts by."""

    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="metrics", primary_key=True)

    class Meta:
        ordering = ["days_remaining_inventory", "device"]
        verbose_name_plural = "device metrics"
        indexes = [models.Index(fields=["days_remaining_inventory"], name="devicemetrics_dri_idx")]

    def __str__(self):
        return f"Metrics of {self.device}"


class UrgencyThresholds(models.Model):
    """The DRI limits that make a device critical, warning or ok (one row, edited in the admin)."""

    critical_days = models.PositiveSmallIntegerField(default=1, help_text="DRI at or below this is critical.")
    warning_days = models.PositiveSmallIntegerField(default=3, help_text="DRI at or below this is a warning.")
    ok_days = models.PositiveSmallIntegerField(default=7, help_text="DRI at or below this is ok; above it, good.")

    class Meta:
        verbose_name = "urgency thresholds"
        verbose_name_plural = "urgency thresholds"
        constraints = [
            models.CheckConstraint(
                condition=Q(critical_days__lt=models.F("warning_days")) & Q(warning_days__lt=models.F("ok_days")),
                name="urgency_thresholds_increase",
                violation_error_message="Thresholds must increase: critical < warning < ok.",
            ),
        ]

    def __str__(self):
        return f"critical ≤ {self.critical_days}, warning ≤ {self.warning_days}, ok ≤ {self.ok_days} days"

    @classmethod
    def current(cls):
        thresholds, _ = cls.objects.get_or_create(pk=1)
        return thresholds


class MetricsRun(models.Model):
    """One requested recalculation: what it covered, how it went, and what it did."""

    status = models.CharField(max_length=10, choices=MetricsRunStatus.choices, default=MetricsRunStatus.QUEUED)
    scope = models.CharField(max_length=12, choices=MetricsRunScope.choices)
    device_ids = models.JSONField(null=True, blank=True, help_text="The chosen devices, for a 'devices' run.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    chunks_total = models.PositiveIntegerField(default=0, help_text="Device chunks the run fans out to.")
    finished_chunks = models.JSONField(default=list, blank=True, help_text="Indexes of the chunks done.")
    devices_processed = models.PositiveIntegerField(default=0)
    slots_processed = models.PositiveIntegerField(default=0)
    coalesced_requests = models.PositiveIntegerField(
        default=0, help_text="Later requests answered by this run because it had not started yet."
    )
    lock_wait_seconds = models.FloatField(
        default=0.0, help_text="Time spent waiting for another run working on the same devices."
    )
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "scope"], name="metricsrun_status_scope_idx")]

    def __str__(self):
        return f"Metrics run {self.pk} ({self.get_scope_display()}, {self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in (MetricsRunStatus.SUCCEEDED, MetricsRunStatus.FAILED)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None
