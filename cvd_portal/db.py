"""Set-based reads and writes that keep the number of queries independent of the number of rows."""

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import DateField, Field, Func, IntegerField, QuerySet, Value


def bulk_upsert(model, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts of field attribute names to values), or update the rows with their
    primary keys, in a fixed number of statements whatever the number of rows.

    ``bulk_create`` builds a model instance per row and batches by the bind-parameter limit, so
    its cost and its query count grow with the rows. Here the rows go through one ``COPY`` into a
    temporary table and one ``INSERT … ON CONFLICT``.
    """
    _rows_write(model, rows, upsert=True)


def update_by_id(model, assignments: Sequence[str], rows: Sequence[dict]) -> None:
    """``UPDATE model SET assignments FROM rows AS batch`` where the ids match, in one statement.

    ``rows`` carry ``id`` and the fields the assignments read as ``batch.<field>``. The ids are
    also given as a list, so PostgreSQL looks the rows up by primary key instead of hashing the
    whole table against the batch (which it otherwise prefers, at a cost that grows with the table).
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    fields = {name: model._meta.get_field(name) for name in rows[0]}
    batch, params = listed_rows(connection, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} FROM {batch} AS batch"
            f" WHERE {table}.id = batch.id AND {table}.id = ANY(%s)",
            [*params, [row["id"] for row in rows]],
        )


def listed_rows(connection, fields: Mapping[str, Field], rows: Sequence[Mapping]) -> tuple[str, list]:
    """``rows`` as a relation to join or update from, in SQL whose size does not grow with them.

    Answers ``(sql, params)``: the relation has a column per key of ``fields``, typed by the model
    field, and is sent as one array a column (``unnest``).
    """
    names = list(fields)
    arrays, params = [], []
    for name in names:
        values = [row[name] for row in rows]
        literal = _array_literal(values)
        array_type = f"{fields[name].db_type(connection)}[]"
        # A column of numbers, dates and moments goes as one array literal: their text forms need
        # no quoting, and psycopg would check each element for it (a fifth of a 10,000-sale batch's
        # time). Any other column (text, say) is left to psycopg, which adapts and quotes it.
        if literal is None:
            arrays.append(f"%s::{array_type}")
            params.append(values)
        else:
            arrays.append(f"%s::text::{array_type}")
            params.append(literal)
    return f"(SELECT * FROM unnest({', '.join(arrays)}) AS listed ({', '.join(names)}))", params


def _array_literal(values: Sequence) -> str | None:
    """``values`` as a PostgreSQL array literal, ``{1,2,NULL}``, or None when one of them may need quoting.

    Numbers, dates and moments only: their text forms (``str``, ``isoformat``) hold no quote,
    brace, comma, backslash or space.
    """
    items = []
    for value in values:
        if value is None:
            items.append("NULL")
        elif isinstance(value, dt.date):  # a datetime is a date
            items.append(value.isoformat())
        elif isinstance(value, int | Decimal) and not isinstance(value, bool):
            items.append(str(value))
        else:
            return None
    return "{" + ",".join(items) + "}"


def bulk_insert(model, rows: Sequence[dict]) -> None:
    """Insert ``rows`` (dicts of field attribute names to values) in one statement whatever their number.

    The insert-only sibling of ``bulk_upsert``: the rows go through one ``COPY`` straight into the table.
    """
    _rows_write(model, rows, upsert=False)


def _rows_write(model, rows: Sequence[dict], *, upsert: bool) -> None:
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = {name: by_attname[name] for name in rows[0]}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(field.column) for field in fields.values())
    conflict = ""
    if upsert:
        updates = ", ".join(
            f"{quote(field.column)} = EXCLUDED.{quote(field.column)}"
            for field in fields.values()
            if not field.primary_key
        )
        conflict = f" ON CONFLICT ({quote(model._meta.pk.column)}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        target = table
        if upsert:  # COPY cannot resolve conflicts: the rows go through a temporary table.
            target = quote(f"staging_{model._meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {target}")
            cursor.execute(f"CREATE TEMPORARY TABLE {target} (LIKE {table}) ON COMMIT DROP")
        # The raw psycopg COPY (it adapts the Python values itself), wrapped so its errors surface
        # as Django's: an IntegrityError answers 409.
        with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in fields])
        if upsert:
            cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target}{conflict}")


class DayNumber(Func):
    """The days from ``start`` to a date column, as an integer (PostgreSQL's ``date - date``)."""

    output_field = IntegerField()
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, expression, start: dt.date):
        super().__init__(expression, Value(start, output_field=DateField()))


def integer_columns(queryset: QuerySet) -> np.ndarray:
    """The rows of ``queryset`` (a ``values_list`` of NOT NULL integers) as an int64 array, one column each.

    PostgreSQL packs every row into one ``bytea`` (32-bit big-endian integers, in order) which numpy
    reads at once: a fleet's daily sales are millions of rows (1.2 M for 1,000 machines over 8 weeks),
    too many to turn into Python tuples one by one. A null would drop its row from the packing; the
    row count read alongside catches it.
    """
    width = len(queryset.query.values_select) + len(queryset.query.annotation_select)
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing (``none()``, ``__in=[]``)
        return np.zeros((0, width), dtype=np.int64)
    names = [f"c{i}" for i in range(width)]
    packed = " || ".join(f"int4send({name}::int4)" for name in names)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), string_agg({packed}, ''::bytea) FROM ({sql}) AS q({', '.join(names)})", params
        )
        rows, data = cursor.fetchone()
    values = np.frombuffer(data or b"", dtype=">i4")
    if len(values) != rows * width:
        raise ValueError("integer_columns reads NOT NULL integer columns only.")
    return values.astype(np.int64).reshape(rows, width)
