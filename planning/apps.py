from django.apps import AppConfig


class PlanningConfig(AppConfig):
    """The operator's decisions from the fleet's state: demand forecasts, machine health, visit plans, pre-kits."""

    name = "planning"
    verbose_name = "Planning"
