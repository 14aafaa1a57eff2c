"""Sales as they happened, one row per vend (or per reported batch of vends)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from cvd_portal.money import CASH_AMOUNT_MAX_DIGITS, MONEY_DECIMAL_PLACES
from devices.models import Device
from planograms.models import PlanogramSlot, Product

from .choices import DexImportStatus


class Sale(models.Model):
    """Units of a product sold at a device at a moment, and the cash taken."""

    # No index of its own: the (device, sold_at) index leads with it. Every index costs on the
    # biggest, fastest-growing table, so none is kept that a report does not need: reports read
    # the rollups, and a device's raw sales are few enough to filter by product.
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="sales", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="sales")
    slot = models.ForeignKey(PlanogramSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="sales")
    units = models.PositiveIntegerField(default=1, validators=[MinValueValidator(1)])
    # Declared by cvd_portal.money, whose MAX_CASH_AMOUNT (the cap every parser applies) follows from it.
    cash_amount = models.DecimalField(
        max_digits=CASH_AMOUNT_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, validators=[MinValueValidator(0)]
    )
    sold_at = models.DateTimeField()
    transaction_id = models.CharField(
        max_length=100,
        null=True,
        blank=True,
        help_text="The client's id of the sale; a sale whose device already has this id is not recorded again.",
    )

    class Meta:
        ordering = ["-sold_at"]
        indexes = [
            models.Index(fields=["sold_at"], name="sale_sold_at_idx"),
            models.Index(fields=["device", "sold_at"], name="sale_device_sold_at_idx"),
        ]
        constraints = [
            # Null ids never collide: sales without one are not deduplicated.
            models.UniqueConstraint(fields=["device", "transaction_id"], name="sale_unique_transaction_per_device"),
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

    Kept exact by ``sales.services.sales_recorded``, which rebuilds the touched days
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


class DexImport(models.Model):
    """One uploaded DEX (EVA-DTS) audit file: the file itself, what reading it found, and what it recorded.

    The raw file is kept in the row (a few kilobytes), written in the same transaction as its reading
    and sales, so no file can exist without its record or the other way round, and backups hold both.
    A file is identified by its SHA-256: the same bytes imported again record nothing. A manager may void
    an import: its sales and its reading go, the record stays, saying who voided it, when and why.
    """

    file_name = models.CharField(max_length=255)
    raw_file = models.BinaryField(editable=False)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="dex_imports")
    machine_serial = models.CharField(max_length=100, blank=True, help_text="ID101 as the audit gives it.")
    machine_asset = models.CharField(max_length=100, blank=True, help_text="ID106 as the audit gives it.")
    read_at = models.DateTimeField(null=True, blank=True, help_text="When the machine was read (EA3, else ID5).")
    status = models.CharField(max_length=12, choices=DexImportStatus.choices)
    parse_record = models.JSONField(
        default=dict,
        blank=True,
        help_text="Warnings and errors with their lines, counts, and what each selection sold.",
    )
    sales_recorded = models.PositiveIntegerField(default=0)
    # Set by ``dex_import_void``, which reverses what the import recorded and says so in ``parse_record``.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = "DEX import"

    def __str__(self):
        return f"{self.file_name} ({self.status})"


class DexReading(models.Model):
    """One read of a machine's counters, from a DEX import: the base the next read's sales are counted from.

    Reads follow each other in a chain; a re-initialisation of the machine's counters starts a new one.
    Voiding the import deletes its reading, so the next read is counted from the last one left.
    """

    dex_import = models.OneToOneField(DexImport, on_delete=models.CASCADE, related_name="reading")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="dex_readings", db_index=False)
    read_at = models.DateTimeField()
    counters = models.JSONField(help_text="Per selection: units and value since initialisation and since reset.")
    decimals = models.PositiveSmallIntegerField(help_text="Decimal places of the values (ID401).")
    chain = models.PositiveIntegerField(default=1, help_text="Goes up by one at each re-initialisation.")
    needs_review = models.BooleanField(default=False)

    class Meta:
        ordering = ["device", "-read_at"]
        constraints = [
            # Also the index the last reading of a device is found by.
            models.UniqueConstraint(fields=["device", "read_at"], name="dexreading_unique_read_per_device"),
        ]

    def __str__(self):
        return f"{self.device_id} read on {self.read_at:%Y-%m-%d %H:%M}"
