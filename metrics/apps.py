from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = "Inventory metrics"

    def ready(self):
        from planograms.signals import stock_changed

        from .receivers import queue_incremental_run

        stock_changed.connect(queue_incremental_run, dispatch_uid="metrics.queue_incremental_run")
