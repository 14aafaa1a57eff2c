"""Set-based writes that keep the number of queries independent of the number of rows."""

import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import connections, models, router


def bulk_insert(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` with one statement, whatever their number.

    ``bulk_create`` batches by the bind-parameter limit, so its query count grows with the
    rows. Here the rows travel as one parameter per column: PostgreSQL's ``unnest`` of typed
    arrays, or SQLite's ``json_each`` over one JSON document.
    """
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, models.AutoField)]
    for obj in objs:
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                field.pre_save(obj, add=True)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] for obj in objs]
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
        select, params = f"SELECT * FROM unnest({arrays})", [list(column) for column in zip(*rows, strict=True)]
    elif connection.vendor == "sqlite":
        values = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
        select, params = f"SELECT {values} FROM json_each(%s)", [json.dumps(rows, default=_json_value)]
    else:
        model._base_manager.bulk_create(objs)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {select}", params)


def _json_value(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be sent to the database as JSON")
