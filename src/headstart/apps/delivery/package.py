"""One partner's package: a deterministic tar of its marked files, the procedure, the documents in
standard formats (documents.py) and a manifest.

The tar is byte-for-byte reproducible (sorted entries, fixed times and owners), so a
package can be rebuilt at any time and compared. It is then signed by the program and
encrypted to the partner's certificate; the encrypted form differs per build (fresh
session key), the plaintext never does.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from typing import Any

MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class PackageEntry:
    name: str
    kind: str
    content: bytes
    # For a document generated from the advisory's records (not a copy: nothing in it is
    # marked), what it is; empty for the partner's copies and the manifest.
    document: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def manifest(*, advisory: dict[str, Any], partner: dict[str, Any], commitment: dict[str, Any],
             entries: list[PackageEntry], audit_checkpoint: str | None = None) -> bytes:
    """The package's manifest. ``audit_checkpoint`` is the program's latest signed checkpoint of its
    audit log (clearsigned text), so each partner holds one outside the program's database."""
    doc = {
        "format": "headstart-package/1",
        "advisory": advisory,
        "partner": partner,
        "codebook_commitment": commitment,
        "audit_checkpoint": audit_checkpoint,
        "files": [_listed(e) for e in entries],
        "notice": "Confidential. This copy is individually marked for the partner named above. The files with a "
                  "\"document\" entry are generated from the advisory's records and carry no marks.",
    }
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _listed(entry: PackageEntry) -> dict[str, Any]:
    listed: dict[str, Any] = {"name": entry.name, "kind": entry.kind, "sha256": entry.sha256, "size": len(entry.content)}
    if entry.document:
        listed["document"] = entry.document
    return listed


def tar_bytes(root: str, files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in sorted(files):
            info = tarfile.TarInfo(f"{root}/{name}")
            info.size, info.mtime, info.mode = len(content), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(content))
    return buf.getvalue()


def read_tar(data: bytes) -> dict[str, bytes]:
    """A package's files by name (without the advisory folder); refuses anything but plain files."""
    files: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar.getmembers():
            if not member.isfile() or member.name.startswith("/") or ".." in member.name.split("/"):
                raise ValueError(f"unexpected entry {member.name!r} in a package")
            content = tar.extractfile(member)
            if content is None:  # never for a regular file
                raise ValueError(f"cannot read {member.name!r} in a package")
            files[member.name.split("/", 1)[-1]] = content.read()
    return files
