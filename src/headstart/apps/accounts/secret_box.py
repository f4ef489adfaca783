"""Second-factor secrets (TOTP keys, the seed of recovery codes) encrypted at rest.

django-allauth stores them through its adapter's encrypt()/decrypt(); Headstart seals them
with AES-256-GCM under a key derived (HKDF-SHA256) from the audit key, which lives outside the
database (headstart.apps.audit.keys). A copy of the database alone (a backup, a dump) then
yields no TOTP key and no recovery code. The audit key is never rotated (the chain depends on
it), so sealed secrets stay readable; back it up with the other program keys."""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from headstart.apps.audit.keys import audit_key

PREFIX = "hs1:"
_INFO = b"headstart accounts: second-factor secrets"
_AAD = b"allauth.mfa.Authenticator.data"


def _key() -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(audit_key())


def seal(text: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key()).encrypt(nonce, text.encode(), _AAD)
    return PREFIX + base64.b64encode(nonce + sealed).decode("ascii")


def open_sealed(value: str) -> str:
    """The secret; a value without the prefix was stored before sealing and is returned as is."""
    if not value.startswith(PREFIX):
        return value
    raw = base64.b64decode(value[len(PREFIX):])
    return AESGCM(_key()).decrypt(raw[:12], raw[12:], _AAD).decode()
