"""Sales as they happened, one row per vend (or per reported batch of vends)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from devices.models import Device
from planograms.models import PlanogramSlot, Product


class Sale(models.Model):
    """Units of a product sold at a device at a moment, and the cash taken."""

    # No index of its own: the (device, sold_at) and (device, product, sold_at) indexes lead with it,
    # and every index costs on the biggest, fastest-growing table.
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="sales", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sales")
    slot = models.ForeignKey(PlanogramSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="sales")
    units = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    cash_amount = models.DecimalField(max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    sold_at = models.DateTimeField()

    class Meta:
        ordering = ["-sold_at"]
        indexes = [
            models.Index(fields=["sold_at"], name="sale_sold_at_idx"),
            models.Index(fields=["device", "sold_at"], name="sale_device_sold_at_idx"),
            models.Index(fields=["device", "product", "sold_at"], name="sale_device_product_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(units__gte=1),
                name="sale_units_positive",
                violation_error_message="Units must be at least 1.",
            ),
            models.CheckConstraint(
                condition=Q(cash_amount__gte=0),
                name="sale_cash_not_negative",
                violation_error_message="Cash amount cannot be negative.",
            ),
        ]

    def __str__(self):
        return f"{self.units} × {self.product_id} at {self.device_id} on {self.sold_at:%Y-%m-%d %H:%M}"


class DailyProductSales(models.Model):
    """Sales of one product at one device on one local day: the rollup every report reads.

    Kept exact by ``analytics.services.sales_recorded``, which rebuilds the touched days
    from the raw sales whenever sales are written; tests compare it with the raw rows.
    """

    device = models.ForeignKey(  # indexed by the unique (device, product, date) constraint
        Device, on_delete=models.CASCADE, related_name="daily_product_sales", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="daily_sales")
    date = models.DateField(help_text="Local date in the operator's time zone.")
    units = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=12, decimal_places=2)
    transactions = models.PositiveIntegerField()
    first_sold_at = models.DateTimeField()
    last_sold_at = models.DateTimeField()
    # Running totals, so a product's sales over any range are two index lookups (the rows on or
    # before its last day and before its first), not a sum over every day between.
    units_to_date = models.PositiveIntegerField(
        db_default=0, help_text="Units of this product at this device from its first sale through this day."
    )
    revenue_to_date = models.DecimalField(
        max_digits=14, decimal_places=2, db_default=0, help_text="Revenue from the first sale through this day."
    )

    class Meta:
        ordering = ["device", "date", "product"]
        verbose_name_plural = "daily product sales"
        constraints = [
            models.UniqueConstraint(fields=["device", "product", "date"], name="dailyproductsales_unique_day"),
        ]
        indexes = [
            models.Index(fields=["date", "device"], name="dailyproductsales_date_idx"),
        ]

    def __str__(self):
        return f"{self.device_id}/{self.product_id} on {self.date}: {self.units}"


class DeviceDailySales(models.Model):
    """Sales of one device on one local day, all products together: what the fleet-wide reports read.

    The daily product rollup summed over products, kept by the same rebuild, so a report over the
    whole fleet reads one row per device-day (about 20 times fewer than per product).
    """

    device = models.ForeignKey(  # indexed by the unique (device, date) constraint
        Device, on_delete=models.CASCADE, related_name="daily_sales", db_index=False
    )
    date = models.DateField(help_text="Local date in the operator's time zone.")
    units = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=12, decimal_places=2)
    transactions = models.PositiveIntegerField()
    first_sold_at = models.DateTimeField()
    last_sold_at = models.DateTimeField()

    class Meta:
        ordering = ["device", "date"]
        verbose_name_plural = "device daily sales"
        constraints = [models.UniqueConstraint(fields=["device", "date"], name="devicedailysales_unique_day")]
        indexes = [models.Index(fields=["date"], name="devicedailysales_date_idx")]

    def __str__(self):
        return f"{self.device_id} on {self.date}: {self.revenue}"


class DeviceProductSales(models.Model):
    """All-time sales of one product at one device, summed from the daily rollup.

    What the metrics engine's velocity needs without reading every day of history on every
    recalculation: total units, the first sale, the days with sales, and the units of the
    28-day window that opened on ``window_start`` (refreshed when the window moves, once a day).
    """

    device = models.ForeignKey(  # indexed by the unique (device, product) constraint
        Device, on_delete=models.CASCADE, related_name="product_sales", db_index=False
    )
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="device_sales")
    units = models.PositiveIntegerField()
    revenue = models.DecimalField(max_digits=14, decimal_places=2)
    days_with_sales = models.PositiveIntegerField()
    first_sold_at = models.DateTimeField()
    last_sold_at = models.DateTimeField()
    window_start = models.DateField(
        null=True, blank=True, help_text="First local day of the window units_in_window counts; empty: not counted."
    )
    units_in_window = models.PositiveIntegerField(db_default=0)

    class Meta:
        ordering = ["device", "product"]
        verbose_name_plural = "device product sales"
        constraints = [models.UniqueConstraint(fields=["device", "product"], name="deviceproductsales_unique")]

    def __str__(self):
        return f"{self.device_id}/{self.product_id}: {self.units} units"
