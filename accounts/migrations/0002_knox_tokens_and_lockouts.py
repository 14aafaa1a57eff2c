"""API tokens move from DRF's authtoken (kept in plain text) to knox (kept as hashes), and the login lockout
(axes) arrives: the roles' grants on both, and the old tokens' table dropped.

Clients exchange their password for a new token (POST /api/auth/token/); the old tokens stop working.
"""

from django.db import migrations

from accounts.roles import sync_role_groups

PLAIN_TEXT_TOKENS = "authtoken_token"


def drop_plain_text_tokens(apps, schema_editor):
    """The old app's table, its permissions and its migration records, in a database that had them."""
    if PLAIN_TEXT_TOKENS in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {PLAIN_TEXT_TOKENS} CASCADE")
    apps.get_model("contenttypes", "ContentType").objects.filter(app_label="authtoken").delete()
    # Were the app installed again, its migrations would create the table afresh.
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("knox", "0009_extend_authtoken_field"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.RunPython(drop_plain_text_tokens, migrations.RunPython.noop),
        migrations.RunPython(sync_role_groups, migrations.RunPython.noop),
    ]
