"""Sales, their rollups and DEX imports, taken over from the analytics app with their tables and rows."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('analytics', '0008_drop_sale_device_product_index'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('devices', '0002_cabinet_parent_derived_from_index'),
        ('planograms', '0008_movement_slot_index_in_composite'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The models and their tables already exist under the old app: take them over in the state only,
        # then rename the tables. analytics/0009 moves their content types and permissions.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DexImport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('file_name', models.CharField(max_length=255)),
                        ('raw_file', models.BinaryField()),
                        ('sha256', models.CharField(editable=False, max_length=64, unique=True, verbose_name='SHA-256')),
                        ('uploaded_at', models.DateTimeField()),
                        ('machine_serial', models.CharField(blank=True, help_text='ID101 as the audit gives it.', max_length=100)),
                        ('machine_asset', models.CharField(blank=True, help_text='ID106 as the audit gives it.', max_length=100)),
                        ('read_at', models.DateTimeField(blank=True, help_text='When the machine was read (EA3, else ID5).', null=True)),
                        ('status', models.CharField(choices=[('parsed', 'Parsed: first read of the machine, the base of the next'), ('recorded', 'Recorded: sales since the previous read'), ('needs_review', 'Needs review: counters re-initialised, nothing recorded'), ('rejected', 'Rejected: nothing recorded')], max_length=12)),
                        ('parse_record', models.JSONField(blank=True, default=dict, help_text='Warnings and errors with their lines, counts, and what each selection sold.')),
                        ('sales_recorded', models.PositiveIntegerField(default=0)),
                        ('device', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='dex_imports', to='devices.device')),
                        ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'DEX import',
                        'ordering': ['-uploaded_at'],
                    },
                ),
                migrations.CreateModel(
                    name='DailyProductSales',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(help_text="Local date in the operator's time zone.")),
                        ('units', models.PositiveIntegerField()),
                        ('revenue', models.DecimalField(decimal_places=2, max_digits=12)),
                        ('transactions', models.PositiveIntegerField()),
                        ('first_sold_at', models.DateTimeField()),
                        ('last_sold_at', models.DateTimeField()),
                        ('units_to_date', models.PositiveIntegerField(db_default=0, help_text='Units of this product at this device from its first sale through this day.')),
                        ('revenue_to_date', models.DecimalField(db_default=0, decimal_places=2, help_text='Revenue from the first sale through this day.', max_digits=14)),
                        ('device', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_product_sales', to='devices.device')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='daily_sales', to='planograms.product')),
                    ],
                    options={
                        'verbose_name_plural': 'daily product sales',
                        'ordering': ['device', 'date', 'product'],
                        'indexes': [models.Index(fields=['date', 'device'], name='dailyproductsales_date_idx')],
                        'constraints': [models.UniqueConstraint(fields=('device', 'product', 'date'), name='dailyproductsales_unique_day')],
                    },
                ),
                migrations.CreateModel(
                    name='DeviceDailySales',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(help_text="Local date in the operator's time zone.")),
                        ('units', models.PositiveIntegerField()),
                        ('revenue', models.DecimalField(decimal_places=2, max_digits=12)),
                        ('transactions', models.PositiveIntegerField()),
                        ('first_sold_at', models.DateTimeField()),
                        ('last_sold_at', models.DateTimeField()),
                        ('device', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='daily_sales', to='devices.device')),
                    ],
                    options={
                        'verbose_name_plural': 'device daily sales',
                        'ordering': ['device', 'date'],
                        'indexes': [models.Index(fields=['date'], name='devicedailysales_date_idx')],
                        'constraints': [models.UniqueConstraint(fields=('device', 'date'), name='devicedailysales_unique_day')],
                    },
                ),
                migrations.CreateModel(
                    name='DeviceProductSales',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('units', models.PositiveIntegerField()),
                        ('revenue', models.DecimalField(decimal_places=2, max_digits=14)),
                        ('days_with_sales', models.PositiveIntegerField()),
                        ('first_sold_at', models.DateTimeField()),
                        ('last_sold_at', models.DateTimeField()),
                        ('window_start', models.DateField(blank=True, help_text='First local day of the window units_in_window counts; empty: not counted.', null=True)),
                        ('units_in_window', models.PositiveIntegerField(db_default=0)),
                        ('device', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='product_sales', to='devices.device')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='device_sales', to='planograms.product')),
                    ],
                    options={
                        'verbose_name_plural': 'device product sales',
                        'ordering': ['device', 'product'],
                        'constraints': [models.UniqueConstraint(fields=('device', 'product'), name='deviceproductsales_unique')],
                    },
                ),
                migrations.CreateModel(
                    name='DexReading',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('read_at', models.DateTimeField()),
                        ('counters', models.JSONField(help_text='Per selection: units and value since initialisation and since reset.')),
                        ('decimals', models.PositiveSmallIntegerField(help_text='Decimal places of the values (ID401).')),
                        ('chain', models.PositiveIntegerField(default=1, help_text='Goes up by one at each re-initialisation.')),
                        ('needs_review', models.BooleanField(default=False)),
                        ('device', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='dex_readings', to='devices.device')),
                        ('dex_import', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reading', to='sales.deximport')),
                    ],
                    options={
                        'ordering': ['device', '-read_at'],
                        'constraints': [models.UniqueConstraint(fields=('device', 'read_at'), name='dexreading_unique_read_per_device')],
                    },
                ),
                migrations.CreateModel(
                    name='Sale',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('units', models.PositiveIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1)])),
                        ('cash_amount', models.DecimalField(decimal_places=2, max_digits=10, validators=[django.core.validators.MinValueValidator(0)])),
                        ('sold_at', models.DateTimeField()),
                        ('transaction_id', models.CharField(blank=True, help_text="The client's id of the sale; a sale whose device already has this id is not recorded again.", max_length=100, null=True)),
                        ('device', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='sales', to='devices.device')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sales', to='planograms.product')),
                        ('slot', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='sales', to='planograms.planogramslot')),
                    ],
                    options={
                        'ordering': ['-sold_at'],
                        'indexes': [models.Index(fields=['sold_at'], name='sale_sold_at_idx'), models.Index(fields=['device', 'sold_at'], name='sale_device_sold_at_idx')],
                        'constraints': [models.UniqueConstraint(fields=('device', 'transaction_id'), name='sale_unique_transaction_per_device'), models.CheckConstraint(condition=models.Q(('units__gte', 1)), name='sale_units_positive', violation_error_message='Units must be at least 1.'), models.CheckConstraint(condition=models.Q(('cash_amount__gte', 0)), name='sale_cash_not_negative', violation_error_message='Cash amount cannot be negative.')],
                    },
                ),
                migrations.AlterModelTable(name='sale', table='analytics_sale'),
                migrations.AlterModelTable(name='dailyproductsales', table='analytics_dailyproductsales'),
                migrations.AlterModelTable(name='devicedailysales', table='analytics_devicedailysales'),
                migrations.AlterModelTable(name='deviceproductsales', table='analytics_deviceproductsales'),
                migrations.AlterModelTable(name='deximport', table='analytics_deximport'),
                migrations.AlterModelTable(name='dexreading', table='analytics_dexreading'),
            ],
        ),
        migrations.AlterModelTable(name='sale', table=None),
        migrations.AlterModelTable(name='dailyproductsales', table=None),
        migrations.AlterModelTable(name='devicedailysales', table=None),
        migrations.AlterModelTable(name='deviceproductsales', table=None),
        migrations.AlterModelTable(name='deximport', table=None),
        migrations.AlterModelTable(name='dexreading', table=None),
    ]
