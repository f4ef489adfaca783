"""Queries on the request hot path, as parameterised SQL without Django's query compiler.

The compiler costs about 0.4 ms per query, ten times what SQLite takes to run it; a
package download at release time made a dozen such queries, which made it cost six times
a static file. These helpers skip the compiler and nothing else: every value is bound
as a parameter; a read converts each column with the converters the ORM's compiler would
apply (datetimes, JSON) and builds ordinary model instances with ``Model.from_db``;
``insert`` prepares each value with the field's own ``get_db_prep_save``, as
``Model.save()`` does. tests/apps/test_plain_sql.py holds these to the ORM's results.

The SQL fragments given here are constants written in the calling module, never text
from a request; every value from outside goes in ``params``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


def table(model: type[Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


@dataclass(frozen=True)
class _Layout:
    """How a model's rows are read: its columns in field order, and each column's converters."""

    select: str
    attnames: list[str]
    converters: list[tuple[int, list[Callable[..., Any]], Any]]


_layouts: dict[tuple[str, type[Model]], _Layout] = {}


def _layout(model: type[M]) -> _Layout:
    key = (connection.vendor, model)
    layout = _layouts.get(key)
    if layout is None:
        fields = model._meta.concrete_fields
        converters = []
        for i, f in enumerate(fields):
            # The converters the ORM's compiler applies to this column: the backend's, then the field's.
            col = f.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, found, col))
        layout = _Layout(", ".join(connection.ops.quote_name(f.column) for f in fields),
                         [f.attname for f in fields], converters)
        _layouts[key] = layout
    return layout


def rows(model: type[M], where: str, params: Sequence[Any], *, order_by: str = "", limit: int | None = None,
         for_update: bool = False) -> list[M]:
    """Instances of ``model`` whose row meets ``where`` (an SQL condition with %s placeholders).

    ``for_update`` locks the rows where the database can (PostgreSQL); SQLite has one writer
    at a time anyway, and Django opens its write transactions with BEGIN IMMEDIATE there."""
    db = connections[DEFAULT_DB_ALIAS]  # one lookup of the thread's connection, not one per use
    layout = _layout(model)
    sql = f"SELECT {layout.select} FROM {table(model)} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if for_update and db.features.has_select_for_update:
        sql += " FOR UPDATE"
    with db.cursor() as cursor:
        cursor.execute(sql, list(params))
        found = cursor.fetchall()
    out = []
    for row in found:
        values = list(row)
        for i, converters, col in layout.converters:
            for convert in converters:
                values[i] = convert(values[i], col, db)
        out.append(model.from_db(db.alias, layout.attnames, values))
    return out


def first(model: type[M], where: str, params: Sequence[Any], *, order_by: str = "",
          for_update: bool = False) -> M | None:
    found = rows(model, where, params, order_by=order_by, limit=1, for_update=for_update)
    return found[0] if found else None


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, ...`` for an IN list of these values (at least one)."""
    if not values:
        raise ValueError("an IN list needs at least one value")
    return ", ".join(["%s"] * len(values))


def exists(sql: str, params: Sequence[Any]) -> bool:
    """Whether a SELECT returns a row."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT EXISTS ({sql})", list(params))
        (found,) = cursor.fetchone()
    return bool(found)


def when(value: dt.datetime) -> Any:
    """A datetime as this database stores it (naive UTC text on SQLite), for comparisons in SQL."""
    return connection.ops.adapt_datetimefield_value(value)


def insert(instance: Model) -> None:
    """Store a new instance as ``Model.save()`` would (no signals), and set its primary key."""
    db = connections[DEFAULT_DB_ALIAS]
    sql, values = _insert_sql(db, [instance])
    returning = db.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {db.ops.quote_name(instance._meta.pk.column)}"
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    instance.pk = pk
    instance._state.adding = False


def insert_many(instances: Sequence[Model]) -> None:
    """Store new instances of one model in one statement, as ``bulk_create`` would; their
    primary keys are not read back."""
    if not instances:
        return
    db = connections[DEFAULT_DB_ALIAS]
    sql, values = _insert_sql(db, instances)
    with db.cursor() as cursor:
        cursor.execute(sql, values)
    for instance in instances:
        instance._state.adding = False


def _insert_sql(db: Any, instances: Sequence[Model]) -> tuple[str, list[Any]]:
    model = type(instances[0])
    if any(type(i) is not model for i in instances):
        raise TypeError("insert_many stores instances of one model")
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    row = f"({', '.join(['%s'] * len(fields))})"
    values = [f.get_db_prep_save(f.pre_save(i, True), db) for i in instances for f in fields]
    return f"INSERT INTO {table(model)} ({columns}) VALUES {', '.join([row] * len(instances))}", values


def update(model: type[Model], pk: Any, **values: Any) -> int:
    """UPDATE one row's columns by primary key; values are prepared by their fields."""
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table(model)} SET {assignments} WHERE {connection.ops.quote_name(meta.pk.column)} = %s",
                       [*params, pk])
        return cursor.rowcount
