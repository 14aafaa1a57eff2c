"""The planner's settings in the admin: one row, opened straight from the list."""

from django.contrib import admin

from cvd_portal.admin import SingleRowAdmin

from .models import PlanningSettings


@admin.register(PlanningSettings)
class PlanningSettingsAdmin(SingleRowAdmin):
    """The operator's one row of settings: the list page opens it; it is never added or deleted by hand."""

    fieldsets = (
        ("Visits", {"fields": ("visit_cost", "minimum_stop_value", "must_visit_sold_out_slots", "max_stops")}),
        ("Machine health", {"fields": ("not_selling_p_value", "silent_after_hours")}),
    )
