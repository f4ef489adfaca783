"""headstart advisory csaf ID [--public] [--out FILE]: either edition for the operator, audited."""

from __future__ import annotations

import json

import pytest
from csaf_helpers import csaf_failures, sample_advisory

from headstart.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_partner_edition_is_printed_valid_and_the_read_audited(run_cli, program):
    advisory = sample_advisory()
    result = run_cli("advisory", "csaf", advisory.ident)
    assert (result.code, result.err) == (0, "")
    document = json.loads(result.out)
    assert document["document"]["distribution"]["tlp"]["label"] == "AMBER"
    assert csaf_failures(document) == []
    event = AuditEvent.objects.filter(action="csaf.view").latest("seq")
    assert (event.actor.startswith("cli:"), event.object_id, event.details["edition"]) == (True, advisory.ident,
                                                                                           "partner")


def test_the_public_edition_goes_to_a_new_file(run_cli, program, tmp_path):
    advisory = sample_advisory()
    out = tmp_path / "hs-2026-0001.json"
    result = run_cli("advisory", "csaf", advisory.ident, "--public", "--out", str(out))
    assert result.code == 0
    assert result.out == f"wrote {out} (public edition, TLP:WHITE)\n"
    document = json.loads(out.read_text())
    assert document["document"]["tracking"]["status"] == "final"
    assert csaf_failures(document) == []
    again = run_cli("advisory", "csaf", advisory.ident, "--public", "--out", str(out))
    assert again.code != 0 and "already exists" in again.err
    assert json.loads(out.read_text()) == document


def test_an_advisory_that_cannot_be_a_csaf_document_is_a_one_line_error(run_cli, program):
    advisory = sample_advisory(products=[])
    result = run_cli("advisory", "csaf", advisory.ident)
    assert result.code != 0
    assert result.out == ""
    assert "names no affected product" in result.err and result.err.count("\n") == 1
    assert AuditEvent.objects.filter(action="csaf.view.refused", object_id=advisory.ident).exists()


def test_an_unknown_advisory_is_a_one_line_error(run_cli, program):
    result = run_cli("advisory", "csaf", "HS-2026-9999")
    assert result.code != 0 and "unknown advisory" in result.err
