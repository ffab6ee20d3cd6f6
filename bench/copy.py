"""Bulk loading with PostgreSQL's COPY, for the bench's seed and the scale tests.

A row is a dict of attribute names (`district_id`, not `district`); what a row leaves out gets the
field's default, computed per row when the default is callable (a UUID, a pseudonym), else the
same value for all. Primary keys are given by the caller, so related rows can point at each other
before anything is written; `sequences_reset` moves the id sequences past them afterwards.
"""

import datetime
from collections.abc import Iterable

from django.db import connection, models
from psycopg.types.json import Jsonb

_MISSING = object()


def _column_defaults(model, now: datetime.datetime) -> list[tuple[str, str, object, bool]]:
    """(attname, column, default, default_is_callable) for every concrete field of the model."""
    columns = []
    for field in model._meta.concrete_fields:
        default: object = _MISSING
        is_callable = False
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        elif field.has_default():
            default = field.default
            is_callable = callable(default)
        elif field.null:
            default = None
        elif isinstance(field, models.CharField | models.TextField | models.FileField):
            default = ""
        columns.append((field.attname, field.column, default, is_callable))
    return columns


def copy_rows(model, rows: Iterable[dict], *, now: datetime.datetime | None = None) -> int:
    """COPY the rows into the model's table; returns how many were written."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    now = now or datetime.datetime.now(datetime.UTC)
    columns = _column_defaults(model, now)
    missing = [attname for attname, _column, default, _c in columns if attname not in first and default is _MISSING]
    if missing:
        raise ValueError(f"{model.__name__}: no value and no default for {', '.join(missing)}")
    json_fields = {field.attname for field in model._meta.concrete_fields if isinstance(field, models.JSONField)}
    names = ", ".join(connection.ops.quote_name(column) for _a, column, _d, _c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in _chain(first, rows):
            values = []
            for attname, _column, default, is_callable in columns:
                value = row.get(attname, _MISSING)
                if value is _MISSING:
                    if default is _MISSING:
                        raise ValueError(f"{model.__name__}: no value and no default for {attname}")
                    value = default() if is_callable else default
                if attname in json_fields and value is not None:
                    value = Jsonb(value)
                values.append(value)
            copy.write_row(values)
            count += 1
    return count


def _chain(first, rest):
    yield first
    yield from rest


def sequences_reset(*models_to_reset) -> None:
    """Move each table's id sequence past the ids the caller gave (PostgreSQL)."""
    with connection.cursor() as cursor:
        for model in models_to_reset:
            table = model._meta.db_table
            pk = model._meta.pk.column
            # Table and column names come from the model, never from input.
            top = f"COALESCE((SELECT MAX({pk}) FROM {table}), 0) + 1"  # noqa: S608 # nosec B608
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, %s), {top}, false)", [table, pk])


def next_id(model) -> int:
    """The first id after those the table holds now."""
    return (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1


class IndexesDeferred:
    """Drop a table's secondary indexes for a bulk load and build them again afterwards: one
    sorted build per index is several times faster than maintaining it row by row. Unique and
    primary-key indexes stay, so the load is still checked against them."""

    def __init__(self, *models_to_load):
        self.tables = [model._meta.db_table for model in models_to_load]
        self.definitions: list[tuple[str, str]] = []

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = ANY(%s) AND NOT x.indisunique",
                [self.tables],
            )
            self.definitions = cursor.fetchall()
            for name, _definition in self.definitions:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, kind, error, traceback):
        if kind is None:
            with connection.cursor() as cursor:
                for _name, definition in self.definitions:
                    cursor.execute(definition)
        return False
