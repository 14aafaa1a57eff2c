from django.apps import AppConfig


class PlanogramsConfig(AppConfig):
    name = "planograms"
    verbose_name = "Planograms and inventory"
