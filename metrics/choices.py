from django.db import models


class Urgency(models.TextChoices):
    """How soon a device needs a visit, from its DRI and the operator's thresholds."""

    CRITICAL = "critical", "Critical"
    WARNING = "warning", "Warning"
    OK = "ok", "OK"
    GOOD = "good", "Good"
    UNKNOWN = "unknown", "Not calculated"


class MetricsRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class MetricsRunScope(models.TextChoices):
    FULL = "full", "Whole fleet"
    DEVICES = "devices", "Chosen devices"
    INCREMENTAL = "incremental", "Changed devices"
