"""The commitment check tells a carrier changed since delivery from a codebook that differs."""

from __future__ import annotations

import pytest
from investigation_helpers import accused

from headstart.apps.delivery import copies
from headstart.apps.delivery.models import Copy
from headstart.apps.delivery.services import _marking_key
from headstart.apps.investigations import attribution as attr
from headstart.apps.program.models import Program
from headstart.carriers import carrier_for

pytestmark = pytest.mark.django_db
LEAKER = "Charlie EDR"


def test_the_commitment_check_confirms_each_files_slot_layout_as_delivered(delivered, investigate_leak):
    result = investigate_leak(("post.txt", delivered.text(LEAKER, "writeup.md")))
    assert accused(result) == [LEAKER]
    scopes = result["commitment_check"]["scopes"]
    assert scopes and all(s["layout_ok"] and s["ok"] for s in scopes)
    assert not any("layout_note" in s for s in scopes)


def test_a_carrier_that_finds_other_slots_than_at_delivery_is_named_as_the_cause(delivered):
    writeup = next(d for d in copies.deliverables(delivered.advisory) if d.file_name == "writeup.md")
    # What an upgraded carrier would find: the same file cut into other slots.
    other = carrier_for("writeup", "writeup.md", copies.original_bytes(writeup.artifact) + b"\nIt doesn't end here.\n")
    assert other.alphabet_sizes != writeup.carrier.alphabet_sizes
    evidence = attr.ScopeEvidence(delivered.advisory, copies.Deliverable(writeup.artifact, "writeup.md", other))
    for copy in Copy.objects.filter(artifact=writeup.artifact).select_related("partner"):
        evidence.holders[str(copy.partner.uid)] = copy.partner
        evidence.commitment_ids.add(copy.commitment_id)

    check = attr.check_commitments([evidence], _marking_key(), Program.get().signing_certificate)

    scope = check["scopes"][0]
    assert check["ok"] is False and scope["layout_ok"] is False and scope["codebook_ok"] is False
    assert scope["signature_ok"] and scope["statement_digest_ok"]  # nothing was tampered with
    assert "writeup.md" in scope["layout_note"] and "a carrier changed since" in scope["layout_note"]
    assert "by Headstart " in scope["layout_note"]  # the version that delivered it, from the statement
