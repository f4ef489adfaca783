"""The program's secrets, kept out of the database.

- The marking key (32 random bytes) derives every partner's codewords. It comes from
  HEADSTART_MARKING_KEY (64 hex digits) or the file $HEADSTART_HOME/keys/marking.key.
- The OpenPGP signing key signs packages and codebook commitments. It comes from the file
  named by HEADSTART_SIGNING_KEY_FILE or $HEADSTART_HOME/keys/signing-key.asc.
- The audit key authenticates every audit event (headstart.apps.audit.keys): from
  HEADSTART_AUDIT_KEY or $HEADSTART_HOME/keys/audit.key.

Key files are created once by `headstart init` with mode 0600 in a 0700 directory and are
never overwritten. The database keeps only fingerprints, so a wrong key is noticed.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from django.conf import settings

from headstart.apps.audit.keys import ensure_audit_key
from headstart.crypto import openpgp
from headstart.errors import HeadstartError


class ProgramKeyError(HeadstartError):
    """A program key is missing, malformed or does not match the program.

    A HeadstartError, so the faces report it in one line (CLI) or as JSON (API); the
    status is 500 because it is the server's configuration, not the caller's input."""

    status = 500


def _key_dir() -> Path:
    return Path(settings.HEADSTART_KEY_DIR)


def marking_key_path() -> Path:
    return _key_dir() / "marking.key"


def signing_key_path() -> Path:
    return Path(settings.HEADSTART_SIGNING_KEY_FILE or _key_dir() / "signing-key.asc")


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def ensure_secret_key_file() -> None:
    """Keep Django's SECRET_KEY (sessions, CSRF) in its file, unless it comes from the environment.

    Settings only read the file; `headstart init` writes it, with the key this process already uses."""
    path: Path | None = settings.HEADSTART_SECRET_KEY_FILE
    if path is None or path.exists():
        return
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # a concurrent init wrote it first; the next process reads that one
        return
    with os.fdopen(fd, "w") as fh:
        fh.write(settings.SECRET_KEY)


def marking_key() -> bytes:
    text = settings.HEADSTART_MARKING_KEY
    if not text:
        path = marking_key_path()
        if not path.exists():
            raise ProgramKeyError(f"no marking key: set HEADSTART_MARKING_KEY or run `headstart init` (expected {path})")
        text = path.read_text().strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ProgramKeyError("the marking key must be 64 hexadecimal digits") from None
    if len(key) != 32:
        raise ProgramKeyError("the marking key must be 32 bytes (64 hexadecimal digits)")
    return key


def marking_key_id(key: bytes) -> str:
    """A fingerprint that identifies the key without revealing it."""
    return hmac.new(key, b"headstart marking key id", hashlib.sha256).hexdigest()[:32]


def program_marking_key() -> bytes:
    """The marking key, checked against the one this program was set up with: copies rendered
    or read with another key would name nobody (or the wrong partner)."""
    from headstart.apps.program.models import Program
    from headstart.errors import Invalid

    key = marking_key()
    if marking_key_id(key) != Program.get().marking_key_id:
        raise Invalid("the marking key does not match this program (wrong HEADSTART_MARKING_KEY?)")
    return key


def signing_key() -> str:
    path = signing_key_path()
    if not path.exists():
        raise ProgramKeyError(f"no signing key at {path}: run `headstart init` or set HEADSTART_SIGNING_KEY_FILE")
    return path.read_text()


def ensure_keys(program_name: str) -> tuple[bytes, str, str]:
    """Create the keys that do not exist yet; returns (marking key, signing key, certificate)."""
    ensure_audit_key()
    if not settings.HEADSTART_MARKING_KEY and not marking_key_path().exists():
        _write_secret(marking_key_path(), secrets.token_hex(32) + "\n")
    if not signing_key_path().exists():
        secret, _cert = openpgp.generate_signing_key(f"{program_name} <psirt@headstart.invalid>")
        _write_secret(signing_key_path(), secret)
    secret = signing_key()
    return marking_key(), secret, openpgp.public_certificate(secret)
