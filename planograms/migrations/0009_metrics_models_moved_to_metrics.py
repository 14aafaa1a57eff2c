"""The metrics models now belong to the metrics app (metrics/0001 took them over, tables and rows included)."""

from django.db import migrations

from accounts.roles import sync_role_groups
from cvd_portal.model_moves import content_types_move

MODELS = ("slotmetrics", "cabinetmetrics", "devicemetrics", "urgencythresholds", "metricsrun")


def content_types_forwards(apps, schema_editor):
    content_types_move(apps, from_app="planograms", to_app="metrics", models=MODELS)


def content_types_backwards(apps, schema_editor):
    content_types_move(apps, from_app="metrics", to_app="planograms", models=MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("planograms", "0008_movement_slot_index_in_composite"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="cabinetmetrics",
                    name="cabinet",
                ),
                migrations.RemoveField(
                    model_name="cabinetmetrics",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="devicemetrics",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="metricsrun",
                    name="requested_by",
                ),
                migrations.RemoveField(
                    model_name="slotmetrics",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="slotmetrics",
                    name="planogram",
                ),
                migrations.RemoveField(
                    model_name="slotmetrics",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="slotmetrics",
                    name="slot",
                ),
                migrations.DeleteModel(
                    name="UrgencyThresholds",
                ),
                migrations.DeleteModel(
                    name="CabinetMetrics",
                ),
                migrations.DeleteModel(
                    name="DeviceMetrics",
                ),
                migrations.DeleteModel(
                    name="MetricsRun",
                ),
                migrations.DeleteModel(
                    name="SlotMetrics",
                ),
            ],
        ),
        # After the state moved, so no migration re-creates the old content types; then the roles take the new permissions.
        migrations.RunPython(content_types_forwards, content_types_backwards),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
