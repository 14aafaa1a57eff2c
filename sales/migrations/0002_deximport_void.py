"""DEX imports can be voided (``sales.dex.services.dex_import_void``): who voided one, when and why, and its status.

The roles are synced again, so that a role given ``sales.change_deximport`` (voiding) in ``accounts.roles``
holds it once this has run.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from accounts.roles import sync_role_groups


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="deximport",
            name="void_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="deximport",
            name="voided_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="deximport",
            name="voided_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="deximport",
            name="status",
            field=models.CharField(
                choices=[
                    ("parsed", "Parsed: first read of the machine, the base of the next"),
                    ("recorded", "Recorded: sales since the previous read"),
                    ("needs_review", "Needs review: counters re-initialised, nothing recorded"),
                    ("rejected", "Rejected: nothing recorded"),
                    ("voided", "Voided by a manager: its sales reversed, its read out of the chain"),
                ],
                max_length=12,
            ),
        ),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
