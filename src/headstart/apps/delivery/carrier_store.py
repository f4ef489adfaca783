"""Carriers kept on disk, so that slot discovery runs once per original, not once per process.

Finding the slots of an original is the slow part of scheduling, preparing, exporting and
investigating, and each `headstart` command, server and worker is a process of its own.
A carrier is stored under HEADSTART_CARRIER_CACHE_DIR/<code>/<key>:

- <code> is a digest of the carrier and trigger code and of the libraries they parse with:
  a new version of any of them starts a new directory (and removes the others), so a carrier
  is always what the running code would build;
- <key> is a digest of the carrier family, the original's bytes and the trigger specification.

A file is a MAC (Django's salted_hmac, keyed by SECRET_KEY) followed by the pickled carrier;
the MAC is checked before anything is unpickled, so a file the program did not write is never
loaded, only rebuilt. A store that cannot be read or written costs time, never a result.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import pickle
import shutil
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.utils.crypto import salted_hmac

import headstart.carriers
import headstart.triggers
from headstart.carriers import Carrier
from headstart.files import write_atomically

log = logging.getLogger(__name__)

T = TypeVar("T")
_SALT = "headstart.delivery.carrier_store"
_MAC_BYTES = 32
# What the carriers parse with: a new version may find other slots in the same bytes.
_LIBRARIES = ("libcst", "markdown", "beautifulsoup4", "pyyaml", "numpy")


@functools.cache
def code_version() -> str:
    """A digest of every module of the carriers and triggers packages and of the libraries'
    versions: the carriers a process builds depend on nothing else."""
    digest = hashlib.sha256()
    for package in (headstart.carriers, headstart.triggers):
        root = Path(package.__file__ or "").parent
        for path in sorted(root.rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for library in _LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=none\0".encode())
    return digest.hexdigest()[:32]


def _key(family: str, original: bytes, spec_text: str | None) -> str:
    digest = hashlib.sha256(family.encode() + b"\0" + hashlib.sha256(original).digest())
    digest.update(b"\0" if spec_text is None else b"\1" + spec_text.encode())
    return digest.hexdigest()


def _mac(data: bytes) -> bytes:
    return salted_hmac(_SALT, data, algorithm="sha256").digest()


def _directory() -> Path:
    return Path(settings.HEADSTART_CARRIER_CACHE_DIR) / code_version()


def load(family: str, original: bytes, spec_text: str | None) -> Carrier | None:
    """The stored carrier, or None when there is none, or it is damaged or was not written by
    this program (its MAC does not verify)."""
    carrier = _load(_key(family, original, spec_text))
    return carrier if isinstance(carrier, Carrier) else None


def store(family: str, original: bytes, spec_text: str | None, carrier: Carrier) -> None:
    """Keep the carrier for the next process (written whole or not at all)."""
    _store(_key(family, original, spec_text), carrier)


def derived(name: str, original: bytes, compute: Callable[[], T], kind: type[T]) -> T:
    """Data derived from an original by the carriers' and triggers' code alone (a rendered
    trigger procedure, what an investigation compares a file by): stored beside the carriers,
    keyed and checked the same way, so a new code version computes it again. Data, never
    authorisation: whatever is stored here is a pure function of the original's bytes."""
    key = _key(f"derived:{name}", original, None)
    value = _load(key)
    if isinstance(value, kind):
        return value
    value = compute()
    _store(key, value)
    return value


def _load(key: str) -> object | None:
    path = _directory() / key
    try:
        data = path.read_bytes()
    except OSError:
        return None
    mac, body = data[:_MAC_BYTES], data[_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(body)):
        log.warning("carrier store: %s does not verify; it is rebuilt", path.name)
        return None
    try:
        return pickle.loads(body)  # authenticated above: this program wrote it
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        log.warning("carrier store: %s cannot be loaded; it is rebuilt", path.name)
        return None


def _store(key: str, value: object) -> None:
    directory = _directory()
    try:
        if not directory.is_dir():
            _make_private(directory)
            _remove_other_versions(directory)
        body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(directory / key, _mac(body) + body)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        log.warning("carrier store: cannot keep %s (%s); it will be rebuilt next time", key[:12], exc)


def _make_private(directory: Path) -> None:
    """The directory and every missing parent, 0700 whatever the process's umask."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for path in reversed(missing):
        path.mkdir(mode=0o700, exist_ok=True)
        path.chmod(0o700)


def _remove_other_versions(current: Path) -> None:
    """Carriers of other code versions are never read again."""
    for other in current.parent.iterdir():
        if other != current and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)
