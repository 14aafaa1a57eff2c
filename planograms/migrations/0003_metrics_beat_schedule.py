from django.conf import settings
from django.db import migrations

INCREMENTAL = "Recalculate metrics of changed devices"
NIGHTLY = "Recalculate metrics of the whole fleet"
TASK = "planograms.tasks.request_metrics_recalculation"


def create_schedule(apps, schema_editor):
    """Every 15 minutes the devices that changed; each night, after the 28-day window moves, all."""
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_15_minutes, _ = IntervalSchedule.objects.get_or_create(every=15, period="minutes")
    after_midnight, _ = CrontabSchedule.objects.get_or_create(
        minute="10", hour="0", day_of_week="*", day_of_month="*", month_of_year="*", timezone=settings.TIME_ZONE
    )
    PeriodicTask.objects.get_or_create(
        name=INCREMENTAL, defaults={"task": TASK, "interval": every_15_minutes, "kwargs": '{"scope": "incremental"}'}
    )
    PeriodicTask.objects.get_or_create(
        name=NIGHTLY, defaults={"task": TASK, "crontab": after_midnight, "kwargs": '{"scope": "full"}'}
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=[INCREMENTAL, NIGHTLY]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("planograms", "0002_metrics_run_chunks"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
