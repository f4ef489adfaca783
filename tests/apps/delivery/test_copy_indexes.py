"""Copies are indexed for the lookups that need it: by partner, by artifact, by digest."""

from __future__ import annotations

import pytest
from django.db import connection

from headstart.apps.delivery.models import Copy

pytestmark = pytest.mark.django_db


def _indexed_columns() -> set[tuple[str, ...]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Copy._meta.db_table)
    return {tuple(c["columns"]) for c in found.values()
            if (c["index"] or c["unique"]) and not c["primary_key"]}


def test_copies_are_indexed_by_partner_through_their_uniqueness_by_artifact_and_by_digest():
    assert _indexed_columns() == {("partner_id", "artifact_id", "file_name"), ("artifact_id",), ("sha256",)}


def test_copies_by_partner_use_the_unique_index():
    if connection.vendor != "sqlite":
        pytest.skip("the query plan is read with SQLite's EXPLAIN QUERY PLAN")
    sql, params = Copy.objects.filter(partner_id=1).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    # SQLite names the index of a UNIQUE table constraint sqlite_autoindex_<table>_N.
    assert "SEARCH delivery_copy USING INDEX sqlite_autoindex_delivery_copy_1 (partner_id=?)" in plan
