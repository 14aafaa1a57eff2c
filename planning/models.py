"""The planner's settings: what a stop costs, which machines must be visited, when a machine looks unwell."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from cvd_portal.money import MONEY_DECIMAL_PLACES

SETTINGS_ROW = 1
# Above this a machine would be flagged not selling for a run of zero sales more likely than not under its forecast.
NOT_SELLING_P_VALUE_LIMIT = 0.5


def validate_not_selling_p_value(value: float) -> None:
    # Written as "not inside" so that NaN, which no comparison holds for, is refused too.
    if not 0 < value <= NOT_SELLING_P_VALUE_LIMIT:
        raise ValidationError(
            f"Give a probability above 0 and at most {NOT_SELLING_P_VALUE_LIMIT}.", code="p_value_out_of_range"
        )


class PlanningSettings(models.Model):
    """The operator's planning settings: one row for the whole operator (``current()``), edited in the admin."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=SETTINGS_ROW, editable=False)
    visit_cost = models.DecimalField(
        max_digits=8,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("15.00"),
        validators=[MinValueValidator(0)],
        help_text=(
            "What a stop costs (driver time, fuel): a machine is visited when the revenue it would lose by "
            "waiting until the route's next service day is worth more than this."
        ),
    )
    minimum_stop_value = models.DecimalField(
        max_digits=8,
        decimal_places=MONEY_DECIMAL_PLACES,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
        help_text="A stop whose load is worth less than this is skipped, unless the machine must be visited.",
    )
    must_visit_sold_out_slots = models.PositiveSmallIntegerField(
        default=3,
        help_text="A machine with at least this many sold-out slots is always visited; 0: off.",
    )
    max_stops = models.PositiveSmallIntegerField(
        default=20,
        validators=[MinValueValidator(1)],
        help_text="The most stops in one route's day.",
    )
    not_selling_p_value = models.FloatField(
        "not-selling p-value",
        default=0.01,
        validators=[validate_not_selling_p_value],
        help_text=(
            "A machine whose run of zero sales has a smaller probability than this under its own forecast is "
            f"flagged not selling; above 0, at most {NOT_SELLING_P_VALUE_LIMIT}."
        ),
    )
    silent_after_hours = models.PositiveSmallIntegerField(
        default=48,
        help_text="No sale and no DEX read for longer than this, on top of the machine's usual gap, flags it silent.",
    )

    class Meta:
        verbose_name = "planning settings"
        verbose_name_plural = "planning settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(id=SETTINGS_ROW),
                name="planningsettings_one_row",
                violation_error_message="The operator has one row of planning settings.",
            ),
            models.CheckConstraint(
                condition=Q(visit_cost__gte=0, minimum_stop_value__gte=0),
                name="planningsettings_money_not_negative",
                violation_error_message="Costs and values cannot be negative.",
            ),
            models.CheckConstraint(
                condition=Q(max_stops__gte=1),
                name="planningsettings_max_stops_at_least_one",
                violation_error_message="A route's day has at least one stop.",
            ),
            models.CheckConstraint(
                condition=Q(not_selling_p_value__gt=0, not_selling_p_value__lte=NOT_SELLING_P_VALUE_LIMIT),
                name="planningsettings_p_value_in_range",
                violation_error_message=f"The not-selling p-value is above 0 and at most {NOT_SELLING_P_VALUE_LIMIT}.",
            ),
        ]

    def __str__(self):
        return "Planning settings"

    @classmethod
    def current(cls) -> "PlanningSettings":
        """The operator's settings row, created with the defaults the first time it is asked for."""
        settings, _ = cls.objects.get_or_create(pk=SETTINGS_ROW)
        return settings
