"""Set-based writes that keep the number of queries independent of the number of rows."""

from collections.abc import Sequence

from django.db import connections, models, router


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` in as few statements as the database allows.

    On PostgreSQL the whole set goes in one ``INSERT … SELECT FROM unnest(…)`` statement:
    one array parameter per column, so any number of rows is one query and stays far from
    the 65,535 bind-parameter limit that batches ``bulk_create``. Elsewhere Django's
    ``bulk_create`` does the job in batches.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model._base_manager.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    for obj in objs:
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                field.pre_save(obj, add=True)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    params = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs] for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) SELECT * FROM unnest({arrays})", params)
