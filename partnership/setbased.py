"""Statements over a batch of rows at once, for the purge (IOP 2.3), which works on thousands of
children per transaction.

- `AmongIds(field, ids)`: the condition `field IN ids` with the ids as one parameter. Django's
  `__in` writes one placeholder per id, and with 2 000 ids building, quoting and planning that
  text cost more than the statement's own work.
- `delete_returning` and `update_returning`: a queryset's DELETE or UPDATE that also returns
  columns of the rows it changed, so one statement both changes the rows and tells whose they
  were (instead of a counting query before each change). PostgreSQL, and SQLite from 3.35.
"""

import json
from collections.abc import Iterable, Sequence
from typing import Any, cast

from django.db import connections
from django.db.models import BooleanField, Expression, F, QuerySet
from django.db.models.sql import DeleteQuery, UpdateQuery


class AmongIds(Expression):
    """A filter: `field` is one of `ids`, sent as a single array (PostgreSQL) or JSON list (SQLite)."""

    conditional = True

    def __init__(self, field: str, ids: Iterable[int]) -> None:
        super().__init__(output_field=BooleanField())
        self.column: Any = F(field)
        self.ids = [int(value) for value in ids]

    def get_source_expressions(self) -> list[Any]:
        return [self.column]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        (self.column,) = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            # An array literal as text: psycopg adapts a list element by element, far slower.
            return f"{column} = ANY(%s::bigint[])", (*params, "{" + ",".join(map(str, self.ids)) + "}")
        # The column is compiled by Django and the ids are a parameter: no text from outside.
        return f"{column} IN (SELECT value FROM json_each(%s))", (*params, json.dumps(self.ids))  # noqa: S608 # nosec B608


def _returning(queryset: QuerySet[Any], fields: tuple[str, ...]) -> str:
    quote = connections[queryset.db].ops.quote_name
    columns = [quote(queryset.model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    return " RETURNING " + ", ".join(columns)


def _fetch(queryset: QuerySet[Any], sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def delete_returning(queryset: QuerySet[Any], *fields: str) -> list[tuple[Any, ...]]:
    """DELETE the queryset's rows in one statement and return `fields` of each deleted row.

    Like `QuerySet._raw_delete`, no cascades or signals: the purge deletes what refers to a row
    before the row, and the database's foreign keys refuse anything forgotten."""
    query = queryset.order_by().query.chain(DeleteQuery)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return _fetch(queryset, sql + _returning(queryset, fields), params)


def update_returning(queryset: QuerySet[Any], values: dict[str, Any], *fields: str) -> list[tuple[Any, ...]]:
    """UPDATE the queryset's rows with `values` in one statement (like QuerySet.update) and return
    `fields` of each updated row, as they are after the update."""
    query = cast(UpdateQuery, queryset.order_by().query.chain(UpdateQuery))
    query.add_update_values(values)
    sql, params = query.get_compiler(queryset.db).as_sql()
    return _fetch(queryset, sql + _returning(queryset, fields), params)
