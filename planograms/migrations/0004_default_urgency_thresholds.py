from django.db import migrations


def create_default_thresholds(apps, schema_editor):
    """The one thresholds row: critical ≤ 1 day, warning ≤ 3, ok ≤ 7 (editable in the admin)."""
    apps.get_model("planograms", "UrgencyThresholds").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("planograms", "0003_metrics_beat_schedule")]

    operations = [migrations.RunPython(create_default_thresholds, migrations.RunPython.noop)]
