"""Every marked file's codebook design is fixed in the signed commitment and used for its copies."""

from __future__ import annotations

import json

import pytest

from headstart.apps.delivery import copies
from headstart.apps.delivery.services import _marking_key
from headstart.marking import Codebook, design_for, verify_commitment

pytestmark = pytest.mark.django_db


def test_the_commitment_names_each_marked_files_design(make_keyed_partner, sample_advisory):
    make_keyed_partner("Partner A")
    advisory = sample_advisory()
    statement = json.loads(advisory.commitments.get(version=1).statement)
    designs = {f["file"]: f["design_coalition"] for f in statement["files"] if "slots" in f}
    marked = [d for d in copies.deliverables(advisory) if d.carrier is not None]
    assert designs == {d.file_name: design_for(d.carrier.alphabet_sizes) for d in marked}
    assert designs["poc.tim"] == 3  # thousands of slots: collusion-resistant
    assert designs["writeup.md"] == 2  # a few hundred: uniform, the most evidence per slot


def test_a_partners_copy_carries_the_codeword_of_the_committed_design(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Partner A").partner
    advisory = sample_advisory()
    commitment = advisory.commitments.get(version=1)
    entries = {f["file"]: f for f in json.loads(commitment.statement)["files"]}
    key, uid = _marking_key(), str(partner.uid)
    for d in copies.deliverables(advisory):
        if d.carrier is None:
            continue
        entry = entries[d.file_name]
        book = Codebook(key, d.scope, d.carrier.alphabet_sizes, commitment.partner_uids,
                        design_coalition=entry["design_coalition"])
        assert verify_commitment(book, entry["codebook"])
        assert d.carrier.read(copies.render(d, key, uid)).symbols.tolist() == book.codeword(uid).tolist()
