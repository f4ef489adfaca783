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
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, signals
from django.db.models.base import ModelState
from django.db.models.fields.files import FileDescriptor
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute

M = TypeVar("M", bound=Model)
R = TypeVar("R")


def table(model: type[Model]) -> str:
    return _layout(model).table


@dataclass(frozen=True)
class _Layout:
    """How a model's rows are read: its columns in field order, and each column's converters."""

    table: str  # quoted
    select: str
    columns: list[str]  # quoted, in field order
    attnames: list[str]
    converters: list[tuple[int, list[Callable[..., Any]], Any]]
    direct: bool  # instances may be built without Model.__init__ (see _instance)


_layouts: dict[tuple[str, type[Model], tuple[str, ...] | None], _Layout] = {}


def _layout(model: type[M], db: Any = None, only: tuple[str, ...] | None = None) -> _Layout:
    """``only``: the attribute names to read (the primary key always is); the others are
    deferred, so reading one later loads it as the ORM does."""
    db = db or connections[DEFAULT_DB_ALIAS]
    key = (db.vendor, model, only)
    layout = _layouts.get(key)
    if layout is None:
        fields = model._meta.concrete_fields
        if only is not None:
            unknown = set(only) - {f.attname for f in fields}
            if unknown:
                raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
            fields = [f for f in fields if f.primary_key or f.attname in only]
        converters = []
        for i, f in enumerate(fields):
            # The converters the ORM's compiler applies to this column: the backend's, then the field's.
            col = f.get_col(model._meta.db_table)
            found = [_faster(db, c) for c in db.ops.get_db_converters(col)] + col.get_db_converters(db)
            if found:
                converters.append((i, found, col))
        columns = [db.ops.quote_name(f.column) for f in fields]
        layout = _Layout(db.ops.quote_name(model._meta.db_table), ", ".join(columns), columns,
                         [f.attname for f in fields], converters, _direct(model))
        _layouts[key] = layout
    return layout


def _faster(db: Any, converter: Callable[..., Any]) -> Callable[..., Any]:
    """An equivalent of a backend converter that costs less, where there is one.

    SQLite stores aware datetimes as naive UTC text; Django parses each with its own parser
    and then makes it aware, which costs a few microseconds a column, and a download reads
    some twenty of them. With the connection in UTC, the standard library's parser and a
    replace() give the same value (tests/apps/test_plain_sql.py compares every row)."""
    if (db.vendor == "sqlite" and getattr(converter, "__func__", None) is type(db.ops).convert_datetimefield_value
            and settings.USE_TZ and db.timezone is dt.UTC):
        return _sqlite_utc_datetime
    return converter


def _sqlite_utc_datetime(value: Any, expression: Any, connection: Any) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def rows(model: type[M], where: str, params: Sequence[Any], *, order_by: str = "", limit: int | None = None,
         for_update: bool = False, only: Sequence[str] | None = None) -> list[M]:
    """Instances of ``model`` whose row meets ``where`` (an SQL condition with %s placeholders).

    ``for_update`` locks the rows where the database can (PostgreSQL); SQLite has one writer
    at a time anyway, and Django opens its write transactions with BEGIN IMMEDIATE there."""
    db = connections[DEFAULT_DB_ALIAS]  # one lookup of the thread's connection, not one per use
    layout = _layout(model, db, None if only is None else tuple(only))
    sql = f"SELECT {layout.select} FROM {layout.table} WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    if for_update and db.features.has_select_for_update:
        sql += " FOR UPDATE"
    return [_instance(db, model, layout, row) for row in _fetchall(db, sql, params)]


def _fetchall(db: Any, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    return _run(db, sql, params, lambda cursor: cursor.fetchall())


def _run(db: Any, sql: str, params: Sequence[Any], result: Callable[[Any], R]) -> R:
    """Run one statement and read ``result`` off its cursor.

    On SQLite it goes straight to the driver, with the checks and the error translation of
    Django's cursor (an IntegrityError is Django's), whose wrapping otherwise costs more than
    the query itself; when queries are being logged or wrapped (DEBUG, tests counting
    queries) it takes Django's cursor, so nothing is hidden from them."""
    if db.vendor != "sqlite" or db.queries_logged or db.execute_wrappers:
        with db.cursor() as cursor:
            cursor.execute(sql, list(params))
            return result(cursor)
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    with db.wrap_database_errors:
        cursor = db.connection.cursor()
        try:
            cursor.execute(_qmark(sql), list(params))
            return result(cursor)
        finally:
            cursor.close()


@functools.lru_cache(maxsize=256)
def _qmark(sql: str) -> str:
    """The %s placeholders as SQLite's ?, as Django's SQLite cursor converts them."""
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def _direct(model: type[Model]) -> bool:
    """Whether Model.__init__ adds nothing to setting each field's value: no init signals, and
    every field's descriptor stores what it is given."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    plain = (DeferredAttribute, ForeignKeyDeferredAttribute, FileDescriptor)
    return all(type(model.__dict__.get(f.attname)) in plain for f in model._meta.concrete_fields)


def _instance(db: Any, model: type[M], layout: _Layout, values: Sequence[Any]) -> M:
    values = list(values)
    for i, converters, col in layout.converters:
        for convert in converters:
            values[i] = convert(values[i], col, db)
    if not layout.direct:
        return model.from_db(db.alias, layout.attnames, values)
    # What Model.from_db does for a full row, without __init__'s generic work per field.
    instance = model.__new__(model)
    instance.__dict__.update(zip(layout.attnames, values))
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = db.alias
    return instance


def joined(models: Sequence[type[Model]], joins: str, where: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of several models read by one query: one tuple of instances per row.

    ``joins`` is the FROM clause, naming the models' tables t0, t1, ... in the order of
    ``models``, e.g. ``{table(A)} t0 JOIN {table(B)} t1 ON t1.id = t0.b_id``. Where an outer
    join found no row (its primary key is NULL) the tuple holds None."""
    db = connections[DEFAULT_DB_ALIAS]
    layouts = [_layout(m, db) for m in models]
    select = ", ".join(f"t{i}.{c}" for i, layout in enumerate(layouts) for c in layout.columns)
    pk_indexes = [layout.attnames.index(m._meta.pk.attname) for m, layout in zip(models, layouts)]
    out = []
    for row in _fetchall(db, f"SELECT {select} FROM {joins} WHERE {where}", params):
        start, instances = 0, []
        for model, layout, pk_index in zip(models, layouts, pk_indexes):
            values = row[start:start + len(layout.columns)]
            start += len(layout.columns)
            instances.append(None if values[pk_index] is None else _instance(db, model, layout, values))
        out.append(tuple(instances))
    return out


def first(model: type[M], where: str, params: Sequence[Any], *, order_by: str = "",
          for_update: bool = False, only: Sequence[str] | None = None) -> M | None:
    found = rows(model, where, params, order_by=order_by, limit=1, for_update=for_update, only=only)
    return found[0] if found else None


def placeholders(values: Sequence[Any]) -> str:
    """``%s, %s, ...`` for an IN list of these values (at least one)."""
    if not values:
        raise ValueError("an IN list needs at least one value")
    return ", ".join(["%s"] * len(values))


def tuples(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """The rows of a SELECT as the driver returns them: for columns that need no conversion
    (text, integers), where building instances would cost more than the query."""
    return _fetchall(connections[DEFAULT_DB_ALIAS], sql, params)


def exists(sql: str, params: Sequence[Any]) -> bool:
    """Whether a SELECT returns a row."""
    ((found,),) = _fetchall(connections[DEFAULT_DB_ALIAS], f"SELECT EXISTS ({sql})", params)
    return bool(found)


def when(value: dt.datetime) -> Any:
    """A datetime as this database stores it (naive UTC text on SQLite), for comparisons in SQL."""
    return connections[DEFAULT_DB_ALIAS].ops.adapt_datetimefield_value(value)


def insert(instance: Model) -> None:
    """Store a new instance as ``Model.save()`` would (no signals), and set its primary key."""
    db = connections[DEFAULT_DB_ALIAS]
    fields, into, row_sql = _row_insert(db.vendor, type(instance), None)
    sql = f"{into} VALUES {row_sql}"
    returning = db.features.can_return_columns_from_insert
    if returning:
        sql += f" RETURNING {db.ops.quote_name(instance._meta.pk.column)}"
    values = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]  # pre_save: auto_now_add
    instance.pk = _run(db, sql, values, lambda cursor: cursor.fetchone()[0] if returning else cursor.lastrowid)
    instance._state.adding = False


def insert_rows(model: type[Model], names: Sequence[str], rows: Sequence[Sequence[Any]], *,
                skip_conflicts: bool = False) -> int:
    """Store rows given as plain values in one statement, as ``bulk_create`` would (primary
    keys are not read back), without building an instance per row.

    ``names`` are the model's fields (or their attnames): every concrete field but the
    primary key, so no default or ``auto_now_add`` is left to guess. Each value is prepared
    by its field's ``get_db_prep_save``; a value repeated in a column is prepared once.
    ``skip_conflicts``: a row that would break a unique constraint is left out (ON CONFLICT
    DO NOTHING; other constraints still refuse). Returns how many rows were stored."""
    if not rows:
        return 0
    db = connections[DEFAULT_DB_ALIAS]
    fields, into, row_sql = _row_insert(db.vendor, model, tuple(names))
    if any(len(row) != len(fields) for row in rows):
        raise TypeError(f"insert_rows: every row needs {len(fields)} values, one per name")
    prepared: list[dict[Any, Any]] = [{} for _ in fields]
    values = []
    for row in rows:
        for field, seen, value in zip(fields, prepared, row):
            key = (type(value), value)  # 1 and True are equal keys; their types are not
            try:
                ready = seen[key]
            except KeyError:
                ready = seen[key] = field.get_db_prep_save(value, db)
            except TypeError:  # unhashable (a JSON value): prepared each time
                ready = field.get_db_prep_save(value, db)
            values.append(ready)
    sql = f"{into} VALUES {', '.join([row_sql] * len(rows))}"
    if skip_conflicts:
        sql += " ON CONFLICT DO NOTHING"  # SQLite >= 3.24 and PostgreSQL, for uniqueness only
    return _run(db, sql, values, lambda cursor: cursor.rowcount)


@functools.lru_cache(maxsize=64)
def _row_insert(vendor: str, model: type[Model], names: tuple[str, ...] | None) -> tuple[list[Any], str, str]:
    """The fields named (None: every one but the primary key, in field order), ``INSERT INTO
    table (columns)`` and one row's placeholders."""
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    every = [f for f in meta.concrete_fields if not f.primary_key]
    fields: list[Any] = every if names is None else [meta.get_field(name) for name in names]
    wanted = sorted(f.name for f in every)
    if sorted(f.name for f in fields) != wanted:
        raise TypeError(f"insert_rows needs every field of {meta.label} but the primary key: {wanted}")
    columns = ", ".join(db.ops.quote_name(f.column) for f in fields)
    return fields, f"INSERT INTO {_layout(model, db).table} ({columns})", f"({', '.join(['%s'] * len(fields))})"


def update(model: type[Model], pk: Any, **values: Any) -> int:
    """UPDATE one row's columns by primary key; values are prepared by their fields."""
    db = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    fields = [meta.get_field(name) for name in values]
    assignments = ", ".join(f"{db.ops.quote_name(f.column)} = %s" for f in fields)
    params = [f.get_db_prep_save(values[f.name], db) for f in fields]  # type: ignore[union-attr]
    sql = f"UPDATE {_layout(model, db).table} SET {assignments} WHERE {db.ops.quote_name(meta.pk.column)} = %s"
    return _run(db, sql, [*params, pk], lambda cursor: cursor.rowcount)
