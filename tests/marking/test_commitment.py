"""Commitments pin a codebook before distribution; exact copies match their digest."""

import hashlib

import pytest

from headstart.marking import Codebook, MarkingError, commitment, match_exact_copy, verify_commitment

KEY = b"0123456789abcdef0123456789abcdef"


def _book(**changes) -> Codebook:
    args = {"key": KEY, "scope": "HS-2026-0001/writeup/v1", "alphabet_sizes": [2] * 50 + [4] * 5,
            "partners": ["Example AV", "Other IPS", "Third EDR"]} | changes
    return Codebook(**args)


def test_the_commitment_is_stable_and_ignores_partner_order():
    digest = commitment(_book())
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert commitment(_book(partners=["Third EDR", "Example AV", "Other IPS"])) == digest
    assert verify_commitment(_book(), digest) and verify_commitment(_book(), digest.upper())


@pytest.mark.parametrize("change", [
    {"key": KEY + b"x"},
    {"scope": "HS-2026-0001/writeup/v2"},
    {"alphabet_sizes": [2] * 50 + [4] * 4 + [3]},
    {"partners": ["Example AV", "Other IPS"]},
    {"partners": ["Example AV", "Other IPS", "Third EDR", "Late Joiner"]},
    {"design_coalition": 4},
])
def test_any_change_to_the_codebook_breaks_the_commitment(change):
    digest = commitment(_book())
    assert not verify_commitment(_book(**change), digest)


def test_the_commitment_does_not_contain_the_key():
    digest = commitment(_book())
    assert KEY.hex() not in digest and hashlib.sha256(KEY).hexdigest() != digest


def test_an_exact_copy_is_matched_to_its_partner():
    copies = {"Example AV": b"copy one", "Other IPS": b"copy two"}
    digests = {p: hashlib.sha256(c).hexdigest() for p, c in copies.items()}
    assert match_exact_copy(b"copy two", digests) == "Other IPS"
    assert match_exact_copy(b"copy two\n", digests) is None
    assert match_exact_copy(b"copy one", {p: d.upper() for p, d in digests.items()}) == "Example AV"


def test_two_partners_with_the_same_recorded_digest_cannot_be_told_apart():
    d = hashlib.sha256(b"same").hexdigest()
    with pytest.raises(MarkingError, match="several partners"):
        match_exact_copy(b"same", {"a": d, "b": d})
