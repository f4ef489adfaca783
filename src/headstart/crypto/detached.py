"""Detached OpenPGP signatures of the files the program publishes (CSAF 2.0 requirement 19: each
public document's `.asc`), made with the program's signing key.

Beside openpgp.py (which signs and encrypts packages, and clearsigns statements): a detached,
ASCII-armored signature that any OpenPGP tool checks against the file, e.g.
`gpg --verify hs-2026-0001.json.asc hs-2026-0001.json`.
"""

from __future__ import annotations

import pysequoia as pgp


def detached_signature(data: bytes, *, signing_key: str) -> str:
    """An armored detached signature of ``data`` by ``signing_key`` (a transferable secret key)."""
    signer = pgp.Tsk.from_bytes(signing_key.encode()).signer()
    return bytes(pgp.sign(signer, data, mode=pgp.SignatureMode.DETACHED, armor=True)).decode("ascii")
