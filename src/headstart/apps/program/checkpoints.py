"""Signed checkpoints of the audit chain, kept outside the database.

A checkpoint is the chain's head at a moment, {format, seq, hash, at, program}, as one line of
JSON clearsigned with the program's OpenPGP signing key (through headstart.crypto.openpgp).
It is written to $HEADSTART_HOME/checkpoints/<seq>.asc (mode 0600, never overwritten) by
`headstart audit checkpoint` and whenever packages are prepared, and the latest one travels
in every partner's package (delivery), so copies of it are held where the database's owner
cannot reach them.

The audit key stops someone who can only write to the database from recomputing the chain;
a checkpoint stops someone who holds the audit key too: `verify_with_checkpoints` requires the
event at each checkpoint's seq to carry exactly the signed hash, so editing, deleting or
renumbering any event up to a checkpoint, or truncating the chain below it and moving the
head back, is reported as "history rewritten before checkpoint #N". A new checkpoint is only
signed after the chain and every kept checkpoint verify, so a rewrite is never blessed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hmac
import json
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from headstart.apps.audit.models import AuditEvent, AuditHead
from headstart.apps.audit.services import VerifyResult, verify
from headstart.apps.program import keys
from headstart.apps.program.models import Program
from headstart.crypto import openpgp
from headstart.errors import Invalid

FORMAT = "headstart-audit-checkpoint/1"
_NAME = re.compile(r"^([0-9]{1,19})\.asc$")
_MAX_BYTES = 64 * 1024


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read, or is not signed by the program key."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    program: str
    signed_text: str
    path: Path | None = None


def checkpoint_dir() -> Path:
    return Path(settings.HEADSTART_CHECKPOINT_DIR)


def kept_checkpoints() -> list[Path]:
    """The checkpoint files in the checkpoint directory, by seq."""
    try:
        names = os.listdir(checkpoint_dir())
    except FileNotFoundError:
        return []
    found = [(int(m.group(1)), name) for name in names if (m := _NAME.match(name))]
    return [checkpoint_dir() / name for _seq, name in sorted(found)]


def latest_checkpoint() -> str | None:
    """The signed text of the newest kept checkpoint (what packages carry), or None."""
    kept = kept_checkpoints()
    return kept[-1].read_text(encoding="ascii") if kept else None


def read_checkpoint(path: Path, certificate: str) -> Checkpoint:
    """A checkpoint file, after checking it is signed by ``certificate`` and well formed."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise CheckpointError(f"cannot read checkpoint {path}: {exc.strerror or exc}") from None
    if len(raw) > _MAX_BYTES:
        raise CheckpointError(f"{path} is too large to be a checkpoint")
    text = raw.decode("ascii", errors="replace")
    body = openpgp.verify_clearsigned(text, signer_cert=certificate)
    if body is None:
        raise CheckpointError(f"{path} is not a checkpoint signed by the program key")
    try:
        doc = json.loads(body)
        if doc.get("format") != FORMAT:
            raise ValueError("format")
        seq, digest, at, program = int(doc["seq"]), str(doc["hash"]), str(doc["at"]), str(doc["program"])
        if seq < 1 or not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError("values")
    except (ValueError, TypeError, KeyError, AttributeError):
        raise CheckpointError(f"{path} is signed by the program key but is not a checkpoint") from None
    return Checkpoint(seq, digest, at, program, text, Path(path))


def write_checkpoint() -> Checkpoint:
    """Sign the chain's head and keep it in the checkpoint directory; returns it.

    Refused when the chain or a kept checkpoint does not verify. A head already checkpointed
    is not signed again: its file is returned."""
    result = verify_with_checkpoints()
    if not result.ok:
        raise Invalid(f"the audit log does not verify ({result.problem}); refusing to sign a checkpoint of it")
    program = Program.get()
    with transaction.atomic():
        head = AuditHead.objects.filter(pk=1).first()
    if head is None or head.seq == 0:
        raise Invalid("the audit log is empty: nothing to checkpoint")
    path = checkpoint_dir() / f"{head.seq}.asc"
    if not path.exists():
        body = json.dumps({"format": FORMAT, "seq": head.seq, "hash": head.hash,
                           "at": timezone.now().isoformat(timespec="seconds"), "program": program.name},
                          sort_keys=True, separators=(",", ":")) + "\n"
        _write_once(path, openpgp.clearsign(body, signing_key=keys.signing_key()))
    return read_checkpoint(path, program.signing_certificate)


def _write_once(path: Path, text: str) -> None:
    """Write a complete file at ``path`` (0600, in a 0700 directory) unless one is there already."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # atomic, and never replaces a file another process wrote first
    finally:
        Path(tmp).unlink(missing_ok=True)


def verify_with_checkpoints(files: Sequence[Path] = ()) -> VerifyResult:
    """`verify` the chain, then check every kept checkpoint and every one in ``files``: signed by
    the program key, and the chain's event at its seq has exactly its hash."""
    result = verify()
    paths: dict[str, Path] = {}
    for path in [*kept_checkpoints(), *(Path(f) for f in files)]:
        paths.setdefault(os.path.realpath(path), path)
    if not paths:
        return result
    program = Program.objects.filter(pk=1).first()
    if program is None:
        return dataclasses.replace(result, ok=False, problem=result.problem or
                                   "checkpoints were given but the program is not set up: run `headstart init`")
    checked: list[dict[str, Any]] = []
    failures: list[tuple[int, str]] = []
    for path in paths.values():
        entry: dict[str, Any] = {"file": str(path), "seq": None, "hash": None, "at": None, "ok": False, "problem": ""}
        try:
            checkpoint = read_checkpoint(path, program.signing_certificate)
        except CheckpointError as exc:
            entry["problem"] = str(exc)
            failures.append((0, str(exc)))
        else:
            entry.update(seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at)
            event = AuditEvent.objects.filter(seq=checkpoint.seq).only("hash").first()
            if event is None or not hmac.compare_digest(event.hash, checkpoint.hash):
                entry["problem"] = f"history rewritten before checkpoint #{checkpoint.seq}"
                failures.append((checkpoint.seq, entry["problem"]))
            else:
                entry["ok"] = True
        checked.append(entry)
    if not result.ok:
        return dataclasses.replace(result, checkpoints=tuple(checked))
    if failures:
        seq, problem = min(failures)
        return VerifyResult(False, result.events, seq or None, problem, tuple(checked))
    return dataclasses.replace(result, checkpoints=tuple(checked))
