"""The demo partners' OpenPGP keys (`seed`, `demo`): made the way partners make theirs.

They stand for keys partners make themselves, so GnuPG makes them when `gpg` is on PATH, and
every OpenPGP tool (GnuPG 2.2 included) decrypts the packages encrypted to them. Without gpg,
Headstart makes them itself (crypto.openpgp.generate_signing_key) and the commands say, once,
what that means for decrypting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from headstart.crypto import gnupg
from headstart.crypto.openpgp import generate_signing_key

# GnuPG implements no RFC 9580 (SEIPD v2) decryption, 2.4 no more than 2.2 ("packet(1) with unknown version 6").
FALLBACK_NOTE = ("the demo partners' keys were made by Headstart, not GnuPG ({reason}): packages for those "
                 "partners use the RFC 9580 format (SEIPD v2), which GnuPG cannot decrypt (2.2 and 2.4 alike); "
                 "decrypt them with Sequoia `sq` or `headstart remote download --key`, or install gpg for keys "
                 "every OpenPGP tool reads")


@dataclass(frozen=True)
class DemoPartnerKeys:
    keys: list[tuple[str, str]]  # (armored secret key, armored certificate), one per user id, in order
    made_with: Literal["gnupg", "headstart"]
    note: str | None  # what the fallback means for decrypting; None when GnuPG made the keys


def make_demo_partner_keys(user_ids: Sequence[str]) -> DemoPartnerKeys:
    if gnupg.available():
        try:
            return DemoPartnerKeys(gnupg.generate_keys(user_ids), "gnupg", None)
        except gnupg.GnuPGError as exc:
            reason = str(exc)
    else:
        reason = "gpg is not on PATH"
    return DemoPartnerKeys([generate_signing_key(uid) for uid in user_ids], "headstart",
                           FALLBACK_NOTE.format(reason=reason))
