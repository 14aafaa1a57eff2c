"""What each cabinet sells where, how much of it is on hand, and the metrics derived from it."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Substr

from devices.models import Cabinet, Device

from .choices import InventoryMovementReason, MetricsRunScope, MetricsRunStatus

SLOT_POSITION_PATTERN = r"^[A-Z][1-9][0-9]?$"


def slot_grid_order(path: str = ""):
    """Order by grid: A1, A2, … A9, A10, then B1 (not the string order A1, A10, A2).

    ``path`` reaches the slot from another model, e.g. ``"slot__"``. Positions are a row letter
    and a one- or two-digit column, so (row, length, position) is the grid order.
    """
    position = f"{path}position"
    return [Substr(position, 1, 1).asc(), Length(position).asc(), F(position).asc()]


class Product(models.Model):
    """An item in the operator's catalogue."""

    name = models.CharField(max_length=200)
    category = models.CharField(max_length=100, db_index=True)
    price = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(0)])
    sku = models.CharField("SKU", max_length=50, unique=True)
    barcode = models.CharField(max_length=50, blank=True, db_index=True, help_text="UPC/EAN, when known.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.name


class Planogram(models.Model):
    """The layout of one cabinet: which product sits in which slot, and how many fit."""

    cabinet = models.OneToOneField(Cabinet, on_delete=models.CASCADE, related_name="planogram")
    name = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cabinet__device__asset", "cabinet__index"]

    def __str__(self):
        return self.name or f"Planogram of {self.cabinet}"


class PlanogramSlot(models.Model):
    """One slot (a spiral or lane) of a planogram, e.g. ``A1``; no product means unassigned."""

    planogram = models.ForeignKey(Planogram, on_delete=models.CASCADE, related_name="slots")
    position = models.CharField(
        max_length=3,
        validators=[RegexValidator(SLOT_POSITION_PATTERN, "Use a row letter and a column number, e.g. A1.")],
        help_text="Row letter and column number, e.g. A1.",
    )
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots")
    quantity = models.PositiveIntegerField(default=0)
    capacity = models.PositiveIntegerField(help_text="0 marks a maintenance slot, left out of every metric.")
    par_level = models.PositiveIntegerField(default=0)
    price = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Vend price in this slot; empty means the product's price.",
    )
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["planogram", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["planogram", "position"],
                name="slot_unique_position_per_planogram",
                violation_error_message="This position is already used in the planogram.",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=0) & Q(quantity__lte=models.F("capacity")),
                name="slot_quantity_within_capacity",
                violation_error_message="Quantity must be between 0 and the capacity.",
            ),
            models.CheckConstraint(
                condition=Q(par_level__gte=0) & Q(par_level__lte=models.F("capacity")),
                name="slot_par_within_capacity",
                violation_error_message="Par level cannot exceed the capacity.",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0),
                name="slot_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
        ]

    def __str__(self):
        return self.position

    def clean(self):
        """The slot fits its cabinet's grid; and name the field at fault for the rules the database enforces."""
        errors = {}
        if self.planogram_id and self.position and re.fullmatch(SLOT_POSITION_PATTERN, self.position):
            cabinet = self.planogram.cabinet
            row, column = ord(self.position[0]) - ord("A") + 1, int(self.position[1:])
            if row > cabinet.rows or column > cabinet.columns:
                last = f"{chr(ord('A') + cabinet.rows - 1)}{cabinet.columns}"
                errors["position"] = f"{self.position} is outside the cabinet's grid (A1 to {last})."
        if self.capacity is not None:
            if self.quantity is not None and self.quantity > self.capacity:
                errors["quantity"] = f"Quantity {self.quantity} exceeds the capacity {self.capacity}."
            if self.par_level is not None and self.par_level > self.capacity:
                errors["par_level"] = f"Par level {self.par_level} exceeds the capacity {self.capacity}."
        if errors:
            raise ValidationError(errors)

    @property
    def is_maintenance(self):
        return self.capacity == 0

    @property
    def vend_price(self):
        if self.price is not None:
            return self.price
        return self.product.price if self.product_id else None


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
    """One slot's metrics at its last calculation (see ``planograms.services.metrics``).

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


class ServiceVisit(models.Model):
    """A visit to a device that restocked or counted its slots; its movements say what changed."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="service_visits")
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="service_visits"
    )
    performed_at = models.DateTimeField(help_text="When the slots were filled or counted.")
    recorded_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-performed_at"]
        indexes = [models.Index(fields=["device", "performed_at"], name="servicevisit_device_idx")]

    def __str__(self):
        return f"Visit to {self.device} on {self.performed_at:%Y-%m-%d %H:%M}"


class InventoryMovement(models.Model):
    """One change of a slot's quantity: before, after, why, who and when (the inventory audit trail).

    Sales write one movement per slot per ingested batch, their units summed. ``shortfall`` counts
    the units sold beyond the stock on hand: the quantity stops at zero and the gap is kept here.
    """

    # Indexed by (slot, occurred_at), which leads with it: a batch of sales writes thousands of movements.
    slot = models.ForeignKey(PlanogramSlot, on_delete=models.CASCADE, related_name="movements", db_index=False)
    reason = models.CharField(max_length=10, choices=InventoryMovementReason.choices)
    quantity_before = models.PositiveIntegerField()
    quantity_after = models.PositiveIntegerField()
    shortfall = models.PositiveIntegerField(default=0, help_text="Units sold beyond the stock on hand.")
    service_visit = models.ForeignKey(
        ServiceVisit, on_delete=models.CASCADE, null=True, blank=True, related_name="movements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["slot", "occurred_at"], name="movement_slot_occurred_idx"),
            models.Index(fields=["occurred_at"], name="movement_occurred_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(shortfall=0) | Q(reason=InventoryMovementReason.SALE),
                name="movement_shortfall_only_for_sales",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} at slot {self.slot_id}: {self.quantity_before} → {self.quantity_after}"

    @property
    def change(self) -> int:
        return self.quantity_after - self.quantity_before
