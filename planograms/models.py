"""What each cabinet sells where, how much of it is on hand, and every change of that stock."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Substr

from devices.models import Cabinet, Device

from .choices import InventoryMovementReason

SLOT_POSITION_PATTERN = r"^[A-Z][1-9][0-9]?$"

# A slot in service: it holds a product and has room for it. Only these can be loaded, sell out
# and get metrics; zero-capacity (maintenance) and unassigned (no product) slots are left out.
SLOT_STOCKABLE = Q(capacity__gt=0, product__isnull=False)
# Sold out (SO): a slot in service with nothing left in it.
SLOT_SOLD_OUT = SLOT_STOCKABLE & Q(quantity=0)


def slot_is_stockable(*, product_id: int | None, capacity: int) -> bool:
    """``SLOT_STOCKABLE`` for one slot's values, for code that has them in hand."""
    return product_id is not None and capacity > 0


def slot_is_sold_out(*, product_id: int | None, quantity: int, capacity: int) -> bool:
    """``SLOT_SOLD_OUT`` for one slot's values: it has a product, a capacity above 0 and a quantity of 0."""
    return slot_is_stockable(product_id=product_id, capacity=capacity) and quantity == 0


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
    case_pack = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Units per case the warehouse picks in; empty: picked by the unit.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0),
                name="product_price_not_negative",
                violation_error_message="Price cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(case_pack__isnull=True) | Q(case_pack__gte=1),
                name="product_case_pack_at_least_one",
                violation_error_message="A case holds at least one unit.",
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


class PlanogramSlotQuerySet(models.QuerySet):
    def stockable(self):
        """Slots in service (``SLOT_STOCKABLE``): a product and a capacity above 0."""
        return self.filter(SLOT_STOCKABLE)

    def sold_out(self):
        """Sold-out slots (``SLOT_SOLD_OUT``): in service and empty."""
        return self.filter(SLOT_SOLD_OUT)


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

    objects = PlanogramSlotQuerySet.as_manager()

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
