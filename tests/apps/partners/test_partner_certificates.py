"""A partner's OpenPGP certificate is checked on input: only a usable public certificate is kept.

The certificates come from GnuPG, an implementation independent of the one Headstart uses.
"""

from __future__ import annotations

import pytest

from headstart.apps.audit.services import Actor
from headstart.apps.partners.services import PartnerInput, add_partner
from headstart.errors import Invalid

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


def test_a_gnupg_certificate_is_accepted_with_its_fingerprint(program, pgp):
    partner = add_partner(PartnerInput("Example AV", "advanced", "sec@example-av.example", pgp.certificate),
                          actor=ACTOR)
    assert partner.pgp_fingerprint == pgp.fingerprint
    assert partner.pgp_expires_at is None
    assert partner.pgp_certificate.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")


@pytest.mark.parametrize("which, reason", [
    ("expired_certificate", "expired on 2020-01-02"),
    ("secret_key", "this is a secret key"),
    ("sign_only_certificate", "has no usable encryption key"),
    ("garbage", "not an OpenPGP certificate"),
    ("truncated", "not an OpenPGP certificate"),
])
def test_an_unusable_certificate_is_refused_with_a_clear_reason(program, pgp, snapshot, which, reason):
    certificate = {"garbage": "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n",
                   "truncated": pgp.certificate[: len(pgp.certificate) // 2]}.get(which) or getattr(pgp, which)
    before = snapshot()
    with pytest.raises(Invalid) as caught:
        add_partner(PartnerInput("Example AV", "advanced", "", certificate), actor=ACTOR)
    assert caught.value.message.startswith("OpenPGP certificate for 'Example AV' is unusable: ")
    assert reason in caught.value.message and "\n" not in caught.value.message
    assert snapshot() == before


def test_a_secret_key_is_never_stored(program, pgp, stored_text):
    with pytest.raises(Invalid):
        add_partner(PartnerInput("Example AV", "advanced", "", pgp.secret_key), actor=ACTOR)
    assert "PRIVATE KEY" not in stored_text()
