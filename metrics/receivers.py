"""What the metrics app does when the apps below it report a change."""

from .choices import MetricsRunScope
from .tasks import request_metrics_recalculation


def queue_incremental_run(**kwargs) -> None:
    """Stock or sales changed: queue the incremental run, which finds the devices made stale."""
    request_metrics_recalculation.delay(MetricsRunScope.INCREMENTAL)
