"""Set-based writes that keep the number of queries independent of the number of rows."""

import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import connections, router


def bulk_upsert(model, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts of field attribute names to values), or update the rows with their
    primary keys, in a fixed number of statements whatever the number of rows.

    ``bulk_create`` builds a model instance per row and batches by the bind-parameter limit, so
    its cost and its query count grow with the rows. Here PostgreSQL takes the rows through one
    ``COPY`` into a temporary table and one ``INSERT … ON CONFLICT``; SQLite through one
    ``INSERT … SELECT`` over a JSON document (``json_each``).
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    names = list(rows[0])
    fields = [by_attname[name] for name in names]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields)
    key = quote(model._meta.pk.column)
    updates = ", ".join(f"{quote(f.column)} = EXCLUDED.{quote(f.column)}" for f in fields if not f.primary_key)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging = quote(f"staging_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {staging}")
            cursor.execute(f"CREATE TEMPORARY TABLE {staging} (LIKE {table}) ON COMMIT DROP")
            with cursor.cursor.copy(f"COPY {staging} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([row[name] for name in names])
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {staging} "
                f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
            )
        elif connection.vendor == "sqlite":
            prepared = [
                [field.get_db_prep_save(row[name], connection) for field, name in zip(fields, names, strict=True)]
                for row in rows
            ]
            values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
            # "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT {values} FROM json_each(%s) WHERE true "
                f"ON CONFLICT ({key}) DO UPDATE SET {updates}",
                [json.dumps(prepared, default=_json_value)],
            )
        else:
            model._base_manager.bulk_create(
                [model(**row) for row in rows],
                update_conflicts=True,
                unique_fields=[model._meta.pk.name],
                update_fields=[f.name for f in fields if not f.primary_key],
            )


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be sent to the database as JSON")
