"""The move to hashed API tokens leaves no plain-text token behind in a database that had DRF's authtoken."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection

pytestmark = pytest.mark.django_db

move = importlib.import_module("accounts.migrations.0002_knox_tokens_and_lockouts")


def test_the_old_plain_text_tokens_are_dropped_with_their_permissions_and_migration_records(viewer):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamptz NOT NULL, "
            "user_id integer NOT NULL REFERENCES auth_user (id))"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES ('0123456789abcdef0123456789abcdef01234567', now(), %s)", [viewer.pk]
        )
        cursor.execute("INSERT INTO django_migrations (app, name, applied) VALUES ('authtoken', '0001_initial', now())")
    ContentType.objects.create(app_label="authtoken", model="token")

    with connection.schema_editor() as schema_editor:
        move.drop_plain_text_tokens(apps, schema_editor)

    assert "authtoken_token" not in connection.introspection.table_names()
    assert not ContentType.objects.filter(app_label="authtoken").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'authtoken'")
        assert cursor.fetchone() == (0,)


def test_a_database_without_the_old_tokens_migrates_as_well():
    with connection.schema_editor() as schema_editor:
        move.drop_plain_text_tokens(apps, schema_editor)

    assert "authtoken_token" not in connection.introspection.table_names()
