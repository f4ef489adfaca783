"""The audit key: the secret that authenticates every audit event, kept out of the database.

32 random bytes, from HEADSTART_AUDIT_KEY (64 hex digits) or the file
$HEADSTART_HOME/keys/audit.key, created once by `headstart init` (for new and existing
homes alike) with mode 0600 in a 0700 directory and never overwritten. Someone who can
write to the database but does not hold this key cannot forge an event's hash (see
chain.py); someone who holds it too is caught by the signed checkpoints kept outside the
database (headstart.apps.program.checkpoints).

Losing the key does not lose the log, but `headstart audit verify` can then no longer
check it: back the key up with the other program keys.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from django.conf import settings

from headstart.errors import HeadstartError


class AuditKeyError(HeadstartError):
    """The audit key is missing or malformed: the server's configuration, hence status 500."""

    status = 500


def audit_key_path() -> Path:
    return Path(settings.HEADSTART_KEY_DIR) / "audit.key"


def _configured() -> str:
    """HEADSTART_AUDIT_KEY, the typed setting (config/settings.py); empty when unset."""
    return str(getattr(settings, "HEADSTART_AUDIT_KEY", None) or "")


def _parse(text: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        raise AuditKeyError("the audit key must be 64 hexadecimal digits") from None
    if len(key) != 32:
        raise AuditKeyError("the audit key must be 32 bytes (64 hexadecimal digits)")
    return key


def audit_key_or_none() -> bytes | None:
    """The key on hand, or None when neither the setting nor the file holds one."""
    if _configured():
        return _parse_setting(_configured())
    path = audit_key_path()
    try:
        found = path.stat()
        return _read_key_file(str(path), found.st_dev, found.st_ino, found.st_mtime_ns, found.st_size)
    except FileNotFoundError:
        return None


# Every audited action needs the key, inside the transaction it records: it is read and parsed
# once per process, and read again when the setting or the file (another inode, time or size) changes.

@functools.lru_cache(maxsize=4)
def _parse_setting(text: str) -> bytes:
    return _parse(text)


@functools.lru_cache(maxsize=4)
def _read_key_file(path: str, device: int, inode: int, mtime_ns: int, size: int) -> bytes:
    return _parse(Path(path).read_text())


def audit_key() -> bytes:
    key = audit_key_or_none()
    if key is None:
        raise AuditKeyError(f"no audit key: set HEADSTART_AUDIT_KEY or run `headstart init` "
                            f"(expected {audit_key_path()})")
    return key


def ensure_audit_key() -> bool:
    """Create the key file unless a key is configured or the file exists; True if created."""
    if _configured():
        _parse(_configured())
        return False
    path = audit_key_path()
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: keep theirs
        return False
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_hex(32) + "\n")
    return True
