"""The physical fleet: where machines stand, who services them, and how they are built."""

from collections import Counter
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils.dates import WEEKDAYS

from .choices import VenueType

MAX_CABINETS_PER_DEVICE = 3

# Degrees either side of zero; a coordinate is stored to six places (about 0.1 m).
LATITUDE_LIMIT = 90
LONGITUDE_LIMIT = 180


def coordinate_field(limit: int, **kwargs) -> models.DecimalField:
    """A latitude (``LATITUDE_LIMIT``) or longitude (``LONGITUDE_LIMIT``) in degrees, empty when not known."""
    return models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-limit), MaxValueValidator(limit)],
        **kwargs,
    )


def coordinates_in_range(model_name: str, prefix: str = "") -> list[models.CheckConstraint]:
    """The database's own check of the coordinate fields ``<prefix>latitude`` and ``<prefix>longitude``."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{prefix}{axis}__isnull": True})
            | Q(**{f"{prefix}{axis}__gte": -limit, f"{prefix}{axis}__lte": limit}),
            name=f"{model_name}_{prefix}{axis}_in_range",
            violation_error_message=f"{axis.capitalize()} must be between -{limit} and {limit}.",
        )
        for axis, limit in (("latitude", LATITUDE_LIMIT), ("longitude", LONGITUDE_LIMIT))
    ]


class Location(models.Model):
    """A site where one or more devices stand."""

    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    venue_type = models.CharField(max_length=20, choices=VenueType.choices, default=VenueType.OTHER, db_index=True)
    latitude = coordinate_field(LATITUDE_LIMIT)
    longitude = coordinate_field(LONGITUDE_LIMIT)

    class Meta:
        ordering = ["name"]
        constraints = coordinates_in_range("location")

    def __str__(self):
        return self.name


# Weekdays are numbered as ``date.weekday()`` numbers them, Monday 0 to Sunday 6; ``WEEKDAYS`` names them.
SUNDAY = 6


def monday_to_friday() -> list[int]:
    return [0, 1, 2, 3, 4]


def validate_distinct_weekdays(days: list[int]) -> None:
    repeated = sorted(day for day, count in Counter(days).items() if count > 1)
    if repeated:
        names = ", ".join(str(WEEKDAYS.get(day, day)) for day in repeated)
        raise ValidationError(f"Give each weekday once (given more than once: {names}).", code="repeated_weekday")


class WeekdaysField(ArrayField):
    """A set of weekdays, each 0 (Monday) to 6 (Sunday) and none twice, stored in week order whatever order it
    was given in (so one set of days is always the same array); forms edit it as a checkbox a weekday."""

    default_validators = [validate_distinct_weekdays]

    def __init__(self, **kwargs):
        kwargs.setdefault("base_field", models.PositiveSmallIntegerField(validators=[MaxValueValidator(SUNDAY)]))
        super().__init__(**kwargs)

    def pre_save(self, model_instance, add):
        days = getattr(model_instance, self.attname)
        if days is not None:
            days = sorted(days)
            setattr(model_instance, self.attname, days)
        return days

    def formfield(self, **kwargs):
        # Django's field for arrays is a comma-separated text box; seven named checkboxes say what the numbers mean.
        return models.Field.formfield(
            self,
            **{
                "form_class": forms.TypedMultipleChoiceField,
                "choices": list(WEEKDAYS.items()),
                "coerce": int,
                "widget": forms.CheckboxSelectMultiple,
                **kwargs,
            },
        )


DEPOT_HELP_TEXT = (
    "Where the driver starts and ends the day; empty: the day's stops are ordered as an open path, from one end."
)


class Route(models.Model):
    """A driver's service round: the devices one driver keeps stocked, and the weekdays and depot of the round."""

    name = models.CharField(max_length=100)
    number = models.CharField(max_length=20, unique=True, help_text="The operator's route number, e.g. 101.")
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="routes",
    )
    service_days = WeekdaysField(
        default=monday_to_friday,
        blank=True,
        help_text="The weekdays the route is driven; none: it is not driven at present.",
    )
    depot_latitude = coordinate_field(LATITUDE_LIMIT, help_text=DEPOT_HELP_TEXT)
    depot_longitude = coordinate_field(LONGITUDE_LIMIT, help_text=DEPOT_HELP_TEXT)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service_days__contained_by=list(WEEKDAYS)),
                name="route_service_days_are_weekdays",
                violation_error_message="Service days are weekdays, 0 (Monday) to 6 (Sunday).",
            ),
            *coordinates_in_range("route", prefix="depot_"),
            models.CheckConstraint(
                condition=Q(depot_latitude__isnull=True, depot_longitude__isnull=True)
                | Q(depot_latitude__isnull=False, depot_longitude__isnull=False),
                name="route_depot_has_both_coordinates",
                violation_error_message="Give the depot's latitude and longitude, or neither.",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"

    def next_service_day(self, after: date) -> date | None:
        """The first day strictly after ``after`` on which the route is driven; None when it has no service days."""
        if not self.service_days:
            return None
        # 1 to 7 days ahead: the weekday of ``after`` itself comes round again a week later.
        return after + timedelta(days=min((day - after.weekday() - 1) % 7 + 1 for day in self.service_days))


class DeviceType(models.Model):
    """A machine model family; decides whether extra cabinets may be attached."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    allows_additional_cabinets = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CabinetType(models.Model):
    """A cabinet layout: the grid of rows and columns its slots are arranged in."""

    name = models.CharField(max_length=100, unique=True)
    rows = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(26)])
    columns = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(99)])

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(rows__gte=1, rows__lte=26), name="cabinettype_rows_in_range"),
            models.CheckConstraint(condition=Q(columns__gte=1, columns__lte=99), name="cabinettype_columns_in_range"),
        ]

    def __str__(self):
        return f"{self.name} ({self.rows}×{self.columns})"


class DeviceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class ActiveDeviceManager(models.Manager.from_queryset(DeviceQuerySet)):
    """Hides soft-deleted devices; use ``Device.all_objects`` to reach them."""

    def get_queryset(self):
        return super().get_queryset().active()


class Device(models.Model):
    """One vending machine in the field, identified by its asset number."""

    asset = models.CharField(max_length=50, unique=True, help_text="The operator's asset number.")
    cooler = models.CharField(max_length=100, blank=True, help_text="Cooler or front description.")
    model = models.CharField(max_length=100, blank=True, help_text="Manufacturer model.")
    serial_number = models.CharField(max_length=50, blank=True, db_index=True)
    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="devices")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True, related_name="devices")
    route = models.ForeignKey(Route, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sales_recorded_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When sales for this device were last written."
    )
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ActiveDeviceManager()
    all_objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["asset"]
        base_manager_name = "all_objects"
        permissions = [("view_all_routes", "Can see every route, not only one's own")]

    def __str__(self):
        return self.asset

    @property
    def is_deleted(self):
        return self.deleted_at is not None

    def clean(self):
        """A retired device keeps its asset number, which the default manager's uniqueness check cannot see."""
        retired = Device.all_objects.filter(asset=self.asset, deleted_at__isnull=False).exclude(pk=self.pk)
        if self.asset and retired.exists():
            raise ValidationError({"asset": f"Asset {self.asset} belongs to a retired device; restore it instead."})


class Cabinet(models.Model):
    """A cabinet of a device; the first (index 1) is the parent, up to two more may be attached."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="cabinets")
    cabinet_type = models.ForeignKey(CabinetType, on_delete=models.PROTECT, related_name="cabinets")
    index = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_CABINETS_PER_DEVICE)]
    )
    # Derived in the database, so a device can never have two parents or a parent that is not first.
    is_parent = models.GeneratedField(
        expression=Case(When(index=1, then=Value(True)), default=Value(False)),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    rows = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(26)])
    columns = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(99)])

    class Meta:
        ordering = ["device", "index"]
        constraints = [
            models.UniqueConstraint(fields=["device", "index"], name="cabinet_unique_index_per_device"),
            # Index 1..3 plus uniqueness caps a device at three cabinets in the database itself.
            models.CheckConstraint(
                condition=Q(index__gte=1, index__lte=MAX_CABINETS_PER_DEVICE),
                name="cabinet_index_in_range",
                violation_error_message=f"A device has at most {MAX_CABINETS_PER_DEVICE} cabinets.",
            ),
            models.CheckConstraint(condition=Q(rows__gte=1, columns__gte=1), name="cabinet_grid_not_empty"),
        ]

    def __str__(self):
        return f"{self.device_id and self.device.asset} / cabinet {self.index}"

    def clean(self):
        """A second or third cabinet only on a device type that allows additional cabinets."""
        # The device as the caller holds it (an admin form may be changing its type right now).
        device = self.device if Cabinet.device.is_cached(self) else None
        if device is None and self.device_id:
            device = Device.all_objects.select_related("device_type").get(pk=self.device_id)
        extra = self.index and self.index > 1
        if extra and device is not None and device.device_type_id and not device.device_type.allows_additional_cabinets:
            raise ValidationError({"index": f"Device type {device.device_type} does not allow additional cabinets."})
