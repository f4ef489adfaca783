"""`headstart advisory prepare` names every partner it skipped and says why, in text and --json."""

from __future__ import annotations

import json

import pytest
from factories import ACTOR

from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisory(make_keyed_partner, make_partner, sample_advisory):  # type: ignore[no-untyped-def]
    make_keyed_partner("Example AV")
    make_partner("Contoso EDR")  # no certificate on file
    suspended, _, _ = make_partner("Other IPS")
    set_status(suspended, "suspended", reason="investigating a leak", actor=ACTOR)
    return sample_advisory()


def test_prepare_lists_each_skipped_partner_with_its_reason(advisory, run_cli):
    result = run_cli("advisory", "prepare", advisory.ident)

    assert result.code == 0, result.err
    lines = result.out.strip().splitlines()
    assert lines[0] == "Prepared 1 package; skipped 2:"
    assert lines[1].startswith("  Contoso EDR: ") and "no OpenPGP certificate" in lines[1]
    assert lines[2] == "  Other IPS: partner is suspended; only active partners receive packages"
    assert len(lines) == 3


def test_prepare_json_gives_each_skipped_partner_and_reason(advisory, run_cli):
    result = run_cli("advisory", "prepare", advisory.ident, "--json")

    data = json.loads(result.out)
    assert data["prepared"] == ["Example AV"]
    assert [s["partner"] for s in data["skipped"]] == ["Contoso EDR", "Other IPS"]
    assert "no OpenPGP certificate" in data["skipped"][0]["reason"]
    assert "suspended" in data["skipped"][1]["reason"]


def test_prepare_with_nothing_skipped_says_so_in_one_line(make_keyed_partner, sample_advisory, run_cli):
    make_keyed_partner("Example AV")
    advisory = sample_advisory()

    result = run_cli("advisory", "prepare", advisory.ident)

    assert result.out.strip().splitlines() == ["Prepared 1 package; skipped 0"]
