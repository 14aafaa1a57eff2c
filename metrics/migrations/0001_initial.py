"""The inventory metrics and their runs, taken over from the planograms app with their tables and rows."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


OLD_TASK = "planograms.tasks.request_metrics_recalculation"
NEW_TASK = "metrics.tasks.request_metrics_recalculation"


def schedule_tasks_forwards(apps, schema_editor):
    """The beat schedule names the task by its module, which moved with the engine."""
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=OLD_TASK).update(task=NEW_TASK)


def schedule_tasks_backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(task=NEW_TASK).update(task=OLD_TASK)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('planograms', '0008_movement_slot_index_in_composite'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('devices', '0002_cabinet_parent_derived_from_index'),
        ('django_celery_beat', '0019_alter_periodictasks_options'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The models and their tables already exist under the old app: take them over in the state only,
        # then rename the tables. planograms/0009 moves their content types and permissions.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CabinetMetrics',
                    fields=[
                        ('days_remaining_inventory', models.PositiveSmallIntegerField()),
                        ('product_level_percent', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('units_to_par', models.PositiveIntegerField(default=0)),
                        ('last_calculated', models.DateTimeField()),
                        ('calculation_version', models.PositiveIntegerField(default=1)),
                        ('sold_out_count', models.PositiveIntegerField(default=0)),
                        ('total_quantity', models.PositiveIntegerField(default=0)),
                        ('total_capacity', models.PositiveIntegerField(default=0)),
                        ('cabinet', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='metrics', serialize=False, to='devices.cabinet')),
                        ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='cabinet_metrics', to='devices.device')),
                    ],
                    options={
                        'verbose_name_plural': 'cabinet metrics',
                        'ordering': ['device', 'cabinet'],
                    },
                ),
                migrations.CreateModel(
                    name='DeviceMetrics',
                    fields=[
                        ('days_remaining_inventory', models.PositiveSmallIntegerField()),
                        ('product_level_percent', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('units_to_par', models.PositiveIntegerField(default=0)),
                        ('last_calculated', models.DateTimeField()),
                        ('calculation_version', models.PositiveIntegerField(default=1)),
                        ('sold_out_count', models.PositiveIntegerField(default=0)),
                        ('total_quantity', models.PositiveIntegerField(default=0)),
                        ('total_capacity', models.PositiveIntegerField(default=0)),
                        ('device', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='metrics', serialize=False, to='devices.device')),
                    ],
                    options={
                        'verbose_name_plural': 'device metrics',
                        'ordering': ['days_remaining_inventory', 'device'],
                        'indexes': [models.Index(fields=['days_remaining_inventory'], name='devicemetrics_dri_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='UrgencyThresholds',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('critical_days', models.PositiveSmallIntegerField(default=1, help_text='DRI at or below this is critical.')),
                        ('warning_days', models.PositiveSmallIntegerField(default=3, help_text='DRI at or below this is a warning.')),
                        ('ok_days', models.PositiveSmallIntegerField(default=7, help_text='DRI at or below this is ok; above it, good.')),
                    ],
                    options={
                        'verbose_name': 'urgency thresholds',
                        'verbose_name_plural': 'urgency thresholds',
                        'constraints': [models.CheckConstraint(condition=models.Q(('critical_days__lt', models.F('warning_days')), ('warning_days__lt', models.F('ok_days'))), name='urgency_thresholds_increase', violation_error_message='Thresholds must increase: critical < warning < ok.')],
                    },
                ),
                migrations.CreateModel(
                    name='MetricsRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('scope', models.CharField(choices=[('full', 'Whole fleet'), ('devices', 'Chosen devices'), ('incremental', 'Changed devices')], max_length=12)),
                        ('device_ids', models.JSONField(blank=True, help_text="The chosen devices, for a 'devices' run.", null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('chunks_total', models.PositiveIntegerField(default=0, help_text='Device chunks the run fans out to.')),
                        ('finished_chunks', models.JSONField(blank=True, default=list, help_text='Indexes of the chunks done.')),
                        ('devices_processed', models.PositiveIntegerField(default=0)),
                        ('slots_processed', models.PositiveIntegerField(default=0)),
                        ('coalesced_requests', models.PositiveIntegerField(default=0, help_text='Later requests answered by this run because it had not started yet.')),
                        ('lock_wait_seconds', models.FloatField(default=0.0, help_text='Time spent waiting for another run working on the same devices.')),
                        ('error', models.TextField(blank=True)),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['status', 'scope'], name='metricsrun_status_scope_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='SlotMetrics',
                    fields=[
                        ('days_remaining_inventory', models.PositiveSmallIntegerField()),
                        ('product_level_percent', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('units_to_par', models.PositiveIntegerField(default=0)),
                        ('last_calculated', models.DateTimeField()),
                        ('calculation_version', models.PositiveIntegerField(default=1)),
                        ('slot', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='metrics', serialize=False, to='planograms.planogramslot')),
                        ('is_sold_out', models.BooleanField(default=False)),
                        ('sales_28_day', models.PositiveIntegerField(default=0, help_text='Units sold in the 28-day window.')),
                        ('sales_all_time', models.PositiveIntegerField(default=0)),
                        ('days_with_sales', models.PositiveIntegerField(default=0, help_text='Local days with at least one sale.')),
                        ('daily_velocity', models.FloatField(default=0.0, help_text='Units a day the DRI was computed from.')),
                        ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='slot_metrics', to='devices.device')),
                        ('planogram', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='planograms.planogram')),
                        ('product', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='planograms.product')),
                    ],
                    options={
                        'verbose_name_plural': 'slot metrics',
                        'ordering': ['device', 'slot'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('days_remaining_inventory__lte', 999)), name='slotmetrics_dri_capped'), models.CheckConstraint(condition=models.Q(('product_level_percent__lte', 100)), name='slotmetrics_pl_percent')],
                    },
                ),
                migrations.AlterModelTable(name='slotmetrics', table='planograms_slotmetrics'),
                migrations.AlterModelTable(name='cabinetmetrics', table='planograms_cabinetmetrics'),
                migrations.AlterModelTable(name='devicemetrics', table='planograms_devicemetrics'),
                migrations.AlterModelTable(name='urgencythresholds', table='planograms_urgencythresholds'),
                migrations.AlterModelTable(name='metricsrun', table='planograms_metricsrun'),
            ],
        ),
        migrations.AlterModelTable(name='slotmetrics', table=None),
        migrations.AlterModelTable(name='cabinetmetrics', table=None),
        migrations.AlterModelTable(name='devicemetrics', table=None),
        migrations.AlterModelTable(name='urgencythresholds', table=None),
        migrations.AlterModelTable(name='metricsrun', table=None),
        migrations.RunPython(schedule_tasks_forwards, schedule_tasks_backwards),
    ]
