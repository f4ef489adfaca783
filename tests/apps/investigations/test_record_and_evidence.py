"""What an investigation keeps and shows: stored inputs, audit, exact copies, versions,
the commitment check, the audit trail of the accused copy, thresholds, merging."""

from __future__ import annotations

import hashlib
import stat

import numpy as np
import pytest
from django.conf import settings
from investigation_helpers import accused, tar_bytes

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import verify
from headstart.apps.delivery.models import Commitment
from headstart.apps.investigations.attribution import merge_readings
from headstart.apps.investigations.intake import Submission
from headstart.apps.investigations.models import Investigation
from headstart.apps.investigations.services import investigate
from headstart.carriers import Reading
from headstart.errors import Invalid, NotFound
from headstart.leaks.text import rewrap

pytestmark = pytest.mark.django_db
LEAKER = "Delta Labs"


def test_each_input_is_stored_under_its_digest_readable_by_the_owner_only(delivered, staff_actor):
    leak = rewrap(delivered.text(LEAKER, "writeup.md")).encode()
    inv = investigate([Submission("post.txt", leak), Submission("pasted text", b"see post above", kind="text")],
                      actor=staff_actor)
    rows = list(inv.inputs.order_by("position"))
    assert [(r.name, r.kind, r.sha256) for r in rows] == [
        ("post.txt", "file", hashlib.sha256(leak).hexdigest()),
        ("pasted text", "text", hashlib.sha256(b"see post above").hexdigest())]
    stored = settings.HOME / rows[0].path
    assert stored.read_bytes() == leak and stored.name == rows[0].sha256
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(stored.parent.stat().st_mode) == stat.S_IMODE(stored.parent.parent.stat().st_mode) == 0o700
    assert inv.result["inputs"][0] == {"name": "post.txt", "kind": "file", "sha256": rows[0].sha256,
                                       "size": len(leak)}


def test_the_investigation_is_audited_with_its_inputs_and_outcome_and_the_chain_verifies(delivered, staff_actor):
    inv = investigate([Submission("w.txt", delivered.copy(LEAKER, "writeup.md"))], actor=staff_actor)
    event = AuditEvent.objects.get(action="investigation.run", object_id=inv.ident)
    assert event.actor == staff_actor.name and event.ip == staff_actor.ip
    assert event.details["accused"] == [LEAKER]
    assert event.details["inputs"][0]["sha256"] == inv.inputs.get().sha256
    assert verify().ok


def test_an_exact_copy_names_the_partner_whose_recorded_digest_it_is(delivered, investigate_leak):
    copy = delivered.copy(LEAKER, "poc_tim_overflow.py")
    result = investigate_leak(("leak.tgz", tar_bytes({"x/poc.py": copy})))
    assert result["exact_match"] == LEAKER
    [exact] = result["exact_matches"]
    assert exact["piece"] == "leak.tgz/x/poc.py" and exact["file"] == "poc_tim_overflow.py"
    assert exact["sha256"] == hashlib.sha256(copy).hexdigest()
    assert accused(result) == [LEAKER]
    assert result["verdict"].startswith("leak.tgz/x/poc.py is byte for byte the copy")


@pytest.mark.slow
def test_a_copy_of_an_earlier_version_still_names_its_partner_after_the_artifact_changed(delivered, investigate_leak,
                                                                                         staff_actor):
    from headstart.apps.advisories.services import replace_artifact
    from headstart.apps.delivery.services import fetch_package
    from headstart.samples import SAMPLE_DIR

    old_copy = delivered.text(LEAKER, "writeup.md")
    changed = (SAMPLE_DIR / "writeup.md").read_text() + "\n## Update\n\nThe fix also covers the thumbnailer.\n"
    replace_artifact(delivered.advisory, "writeup.md", changed.encode(), actor=staff_actor)
    for keyed in delivered.partners.values():
        fetch_package(keyed.analyst, delivered.advisory.ident, actor=staff_actor)
    result = investigate_leak(("old.txt", rewrap(old_copy)))
    assert accused(result) == [LEAKER]
    assert [a["scope"] for a in result["artifacts"]] == ["HS-2026-0001/writeup.md/v1"]


def test_the_audit_trail_lists_every_download_and_export_of_the_accused_partners_copies(delivered, investigate_leak,
                                                                                      staff_actor):
    from headstart.apps.delivery.services import export_copy

    export_copy(delivered.advisory, delivered.partners[LEAKER].partner, delivered.out, actor=staff_actor)  # audited as copy.export
    leaked = delivered.copy(LEAKER, "poc.tim")
    result = investigate_leak(("crash.tim", leaked[:-1] + b"\x00"))
    [trail] = result["audit_trail"]
    assert trail["partner"] == LEAKER and trail["status"] == "active"
    actions = [(e["action"], e["ip"]) for e in trail["events"]]
    assert ("package.download", "198.51.100.13") in actions  # Delta Labs fetched from its own address
    assert any(a == "copy.export" for a, _ in actions)
    download = next(e for e in trail["events"] if e["action"] == "package.download")
    assert download["actor"] == delivered.partners[LEAKER].analyst.email
    assert {f["name"] for f in download["files"]} >= {"poc.tim", "writeup.md"}
    assert {c["file"] for c in trail["copies"]} >= {"poc.tim", "writeup.md"}


def test_the_codebook_commitment_is_recomputed_and_matches(delivered, investigate_leak):
    result = investigate_leak(("w.md", delivered.copy(LEAKER, "writeup.md")), ("c.c", delivered.copy(LEAKER, "poc_tim_overflow.c")))
    check = result["commitment_check"]
    assert check["ok"] is True
    assert {s["scope"] for s in check["scopes"]} == {"HS-2026-0001/writeup.md/v1", "HS-2026-0001/poc_tim_overflow.c/v1"}
    assert all(s["signature_ok"] and s["codebook_ok"] and s["statement_digest_ok"] for s in check["scopes"])


def test_a_commitment_altered_after_delivery_fails_the_check_and_the_verdict_warns(delivered, investigate_leak):
    commitment = Commitment.objects.get(advisory=delivered.advisory)
    Commitment.objects.filter(pk=commitment.pk).update(partner_uids=commitment.partner_uids[1:])
    result = investigate_leak(("w.md", delivered.copy(LEAKER, "writeup.md")))
    [scope] = result["commitment_check"]["scopes"]
    assert result["commitment_check"]["ok"] is False and not scope["codebook_ok"]
    assert "commitment check failed" in result["verdict"]


def test_the_threshold_comes_from_the_option_else_the_setting_else_one_in_a_million(delivered, investigate_leak,
                                                                                    settings):
    leak = ("w.txt", rewrap(delivered.text(LEAKER, "writeup.md")))
    assert investigate_leak(leak)["threshold"] == 1e-6
    settings.HEADSTART_ACCUSATION_THRESHOLD = "1e-200"
    strict = investigate_leak(leak)
    assert strict["threshold"] == 1e-200 and accused(strict) == []  # the evidence is strong, not that strong
    assert investigate_leak(leak, threshold="0.001")["threshold"] == 0.001
    for bad in ("0", "1", "-1e-6", "often", "nan"):
        with pytest.raises(Invalid, match="threshold"):
            investigate_leak(leak, threshold=bad)


def test_an_unknown_advisory_is_refused_and_a_named_one_restricts_the_comparison(delivered, investigate_leak,
                                                                                  sample_advisory, staff_actor):
    from headstart.apps.delivery.services import fetch_package

    leak = ("w.txt", delivered.text(LEAKER, "writeup.md"))
    with pytest.raises(NotFound, match="unknown advisory 'HS-1999-0001'"):
        investigate_leak(leak, advisory="HS-1999-0001")
    other = sample_advisory(ident="HS-2026-0002")  # the same files, another advisory: its own codebooks
    for keyed in delivered.partners.values():
        fetch_package(keyed.analyst, other.ident, actor=staff_actor)
    assert accused(investigate_leak(leak)) == [LEAKER]
    restricted = investigate_leak(leak, advisory="HS-2026-0002")
    assert restricted["advisory"] == "HS-2026-0002" and accused(restricted) == []
    assert Investigation.objects.count() == 2  # the refused run left no record


def test_two_pieces_of_the_same_file_are_merged_into_one_reading_not_counted_twice(delivered, investigate_leak):
    copy = delivered.text(LEAKER, "guidance.md")
    once = investigate_leak(("a.md", copy))
    twice = investigate_leak(("a.md", copy), ("b.txt", rewrap(copy)))
    assert twice["positions_read"] == once["positions_read"]
    assert twice["accused"] == once["accused"]


def test_merging_readings_keeps_agreeing_symbols_and_erases_conflicts():
    def reading(symbols, confidence):  # type: ignore[no-untyped-def]
        return Reading(np.array(symbols), np.array(confidence, dtype=float))

    symbols, confidence, conflicts = merge_readings(
        [reading([0, 1, -1, 1, 0], [1, 0.5, 0, 1, 1]), reading([0, 1, 1, 0, -1], [0.5, 1, 1, 1, 0])], 5)
    assert symbols.tolist() == [0, 1, 1, -1, 0]
    assert confidence.tolist() == [1.0, 1.0, 1.0, 0.0, 1.0]
    assert conflicts == 1
