"""The benign corpus a partner's rules are run against: valid files of each PoC's format that
do not trigger the bug, so a rule that fires on one keys on something other than the trigger.

- near misses of the PoC (``headstart.triggers.corpus``): built from it, one tested field moved
  across its condition, every checksum recomputed;
- files of the same format found on the server: the shipped samples and the directories of
  HEADSTART_READINESS_BENIGN_DIRS (default /usr/share), files with the PoC's extension that parse
  strictly under its specification and miss its trigger. They are taken in a fixed order (by a
  hash of their path), at most HEADSTART_READINESS_BENIGN_FILES of them, each at most 1 MB, and
  at most eight times that many examined: the run stays bounded and the same from run to run.
"""

from __future__ import annotations

import functools
import hashlib
import os
import random
from pathlib import Path

from django.conf import settings

from headstart import samples
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, ArtifactKind
from headstart.apps.delivery import copies
from headstart.triggers import TriggerError, check, decode_spec, load_spec
from headstart.triggers.corpus import near_misses
from headstart.triggers.errors import TriggerNotMetError
from headstart.triggers.spec import Spec

MAX_FILE_BYTES = 1024 * 1024
SAMPLES_DIR = Path(samples.__file__).parent
# Directories never worth walking for sample files (and slow or endless to walk).
_SKIP = {"proc", "sys", "dev", ".git", "__pycache__", "node_modules"}


@functools.lru_cache(maxsize=32)
def _paths_with_suffix(root: str, suffix: str) -> tuple[str, ...]:
    """Every regular file under ``root`` whose name ends with ``suffix`` (cached per worker process)."""
    found: list[str] = []
    for directory, subdirs, names in os.walk(root, followlinks=False):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP)
        found += [os.path.join(directory, n) for n in sorted(names) if n.lower().endswith(suffix)]
    return tuple(found)


def format_files(spec: Spec, suffix: str) -> dict[str, bytes]:
    """Valid files of the format on this machine that miss the trigger, by where they come from."""
    wanted = int(settings.HEADSTART_READINESS_BENIGN_FILES)
    if not suffix or wanted <= 0:
        return {}
    roots = [str(SAMPLES_DIR), *settings.HEADSTART_READINESS_BENIGN_DIRS]
    candidates = sorted({p for root in roots if os.path.isdir(root) for p in _paths_with_suffix(root, suffix)},
                        key=lambda p: hashlib.sha256(p.encode()).digest())
    out: dict[str, bytes] = {}
    seen: set[bytes] = set()
    for path in candidates[:wanted * 8]:
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                continue
            data = Path(path).read_bytes()
        except OSError:
            continue
        try:
            check(spec, data)
            continue  # it triggers the bug (a shipped PoC): not benign
        except TriggerNotMetError:
            pass  # parses as the format and misses the trigger: benign
        except TriggerError:
            continue  # not a file of the format (or one the specification cannot read)
        if data in seen:
            continue
        seen.add(data)
        out[f"valid {suffix} file found on the server ({_shown(path)}): it does not trigger the bug"] = data
        if len(out) >= wanted:
            break
    return out


def _shown(path: str) -> str:
    if path.startswith(str(SAMPLES_DIR) + os.sep):
        return "Headstart sample " + os.path.relpath(path, SAMPLES_DIR)
    return path


def specs_of(advisory: Advisory) -> list[Spec]:
    specs = []
    for artifact in access.latest_artifacts(advisory):
        if artifact.kind == ArtifactKind.TRIGGER_SPEC:
            try:
                specs.append(load_spec(decode_spec(copies.original_bytes(artifact))))
            except TriggerError:
                continue
    return specs


def benign_files(advisory: Advisory, items: list[copies.Deliverable]) -> dict[str, bytes]:
    """Near misses of each PoC and files of its format on this machine, under the specification it meets."""
    specs = specs_of(advisory)
    out: dict[str, bytes] = {}
    for d in items:
        original = copies.original_bytes(d.artifact)
        for spec in specs:
            try:
                check(spec, original)
            except TriggerError:
                continue
            for i, data in enumerate(near_misses(spec, original, random.Random(f"{d.scope}/benign"))):
                out[f"near miss {i + 1} of {d.file_name}: a valid file that differs from it in one tested "
                    f"field and does not trigger the bug"] = data
            out.update(format_files(spec, Path(d.file_name).suffix.lower()))
            break
    return out
