"""The portal's Celery application.

Configuration comes from Django settings (the ``CELERY_`` namespace). With no broker
configured, settings switch Celery to eager mode so the embedded default needs no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cvd_portal.settings.local")

app = Celery("cvd_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_configured() -> bool:
    """Whether tasks go to a real broker (and workers), rather than running inline."""
    from django.conf import settings

    return not settings.CELERY_BROKER_URL.startswith("memory://")
