"""Preparing lists every partner that gets no package with the reason, even when a file of the
advisory cannot be marked (prepare_all loads every file once before the partners: a file that
cannot go out is each entitled partner's reason, not an error that stops the release)."""

from __future__ import annotations

import pytest
from factories import ACTOR

from headstart.apps.delivery.preparing import prepare_all

pytestmark = pytest.mark.django_db


def test_a_file_that_cannot_be_marked_is_each_partners_reason_and_nothing_is_prepared(
        make_keyed_partner, make_advisory):
    make_keyed_partner("Example AV")
    make_keyed_partner("Other IPS")

    result = prepare_all(make_advisory(), actor=ACTOR)  # its guidance has no place for a mark

    assert result["prepared"] == []
    assert [s["partner"] for s in result["skipped"]] == ["Example AV", "Other IPS"]
    assert all(s["reason"].startswith("guidance.md: the write-up has no usable slot") for s in result["skipped"])
