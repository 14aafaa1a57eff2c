"""The sales models now belong to the sales app (sales/0001 took them over, tables and rows included)."""

from django.db import migrations

from accounts.roles import sync_role_groups
from cvd_portal.model_moves import content_types_move

MODELS = ("sale", "dailyproductsales", "devicedailysales", "deviceproductsales", "deximport", "dexreading")


def content_types_forwards(apps, schema_editor):
    content_types_move(apps, from_app="analytics", to_app="sales", models=MODELS)


def content_types_backwards(apps, schema_editor):
    content_types_move(apps, from_app="sales", to_app="analytics", models=MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        ("analytics", "0008_drop_sale_device_product_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="devicedailysales",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="deviceproductsales",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="deviceproductsales",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="deximport",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="deximport",
                    name="uploaded_by",
                ),
                migrations.RemoveField(
                    model_name="dexreading",
                    name="dex_import",
                ),
                migrations.RemoveField(
                    model_name="dexreading",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="sale",
                    name="device",
                ),
                migrations.RemoveField(
                    model_name="sale",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="sale",
                    name="slot",
                ),
                migrations.DeleteModel(
                    name="DailyProductSales",
                ),
                migrations.DeleteModel(
                    name="DeviceDailySales",
                ),
                migrations.DeleteModel(
                    name="DeviceProductSales",
                ),
                migrations.DeleteModel(
                    name="DexImport",
                ),
                migrations.DeleteModel(
                    name="DexReading",
                ),
                migrations.DeleteModel(
                    name="Sale",
                ),
            ],
        ),
        # After the state moved, so no migration re-creates the old content types; then the roles take the new permissions.
        migrations.RunPython(content_types_forwards, content_types_backwards),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
