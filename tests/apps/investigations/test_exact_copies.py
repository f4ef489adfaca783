"""Exact copies: a leaked file byte for byte one partner's delivered copy names that partner,
however many pieces the leak has, and the copies are read once for all of them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from investigation_helpers import tar_bytes

from headstart.apps.investigations import services

pytestmark = pytest.mark.django_db
LEAKER = "Delta Labs"


def _copy_reads(queries: list[dict]) -> list[str]:
    return [q["sql"] for q in queries if '"delivery_copy"."sha256" IN' in q["sql"]]


def test_a_leak_of_many_files_reads_the_copies_once(delivered, investigate_leak):
    members = {f"dump/{name}": delivered.copy(LEAKER, name) for name in ("poc_tim_overflow.py", "poc.tim")}
    members |= {f"dump/noise-{i}.bin": f"not a copy {i}".encode() for i in range(20)}
    with CaptureQueriesContext(connection) as seen:
        result = investigate_leak(("dump.tgz", tar_bytes(members)))
    assert len(_copy_reads(seen.captured_queries)) == 1
    assert {(e["piece"], e["partner"]) for e in result["exact_matches"]} == {
        ("dump.tgz/dump/poc_tim_overflow.py", LEAKER), ("dump.tgz/dump/poc.tim", LEAKER)}


def test_exact_copies_are_found_in_every_batch_of_digests(delivered, investigate_leak, monkeypatch):
    monkeypatch.setattr(services, "EXACT_MATCH_BATCH", 2)
    members = {f"m/noise-{i}.bin": f"not a copy {i}".encode() for i in range(7)}
    members["m/zzz-last.py"] = delivered.copy(LEAKER, "poc_tim_overflow.py")
    with CaptureQueriesContext(connection) as seen:
        result = investigate_leak(("many.tgz", tar_bytes(members)))
    assert len(_copy_reads(seen.captured_queries)) == 5  # 8 members and the archive itself: 9 digests, 2 a query
    assert [(e["piece"], e["partner"]) for e in result["exact_matches"]] == [("many.tgz/m/zzz-last.py", LEAKER)]

