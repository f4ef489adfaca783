"""The CSAF provider's public files: provider-metadata.json, the ROLIE feed, hash and signature files.

Headstart is a CSAF trusted provider (CSAF 2.0 section 7.2.3) with ROLIE-based distribution: the
provider metadata at /.well-known/csaf/provider-metadata.json (requirements 7 and 9) names one
ROLIE feed, feed-tlp-white.json (requirement 15), which lists every public edition, each with
its SHA-256 and SHA-512 hash files (requirement 18) and its OpenPGP signature (requirement 19),
made with the program's signing key (the key that signs packages), whose public certificate the
metadata names and the provider serves (requirement 20). Partner editions (TLP:AMBER) are never
listed here: they are served only to signed-in callers, under /api/v1 (requirement 5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils import timezone

from headstart.apps.advisories.access import public_advisories
from headstart.apps.advisories.models import Advisory
from headstart.apps.csaf.documents import (
    CSAF_SCHEMA_URL,
    filename,
    pre_release_date,
    provider_url,
    public_document_url,
    publisher,
    stamp,
    summary,
)
from headstart.apps.program import keys
from headstart.apps.program.models import Program
from headstart.crypto.detached import detached_signature

FEED = "feed-tlp-white.json"
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
ROLIE_CSAF_CATEGORY = {"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}
SIGNATURE = "asc"
# Where the program's public OpenPGP certificate is served, by fingerprint (requirement 20).
OPENPGP_FOLDER = "openpgp"


def openpgp_key_path(fingerprint: str) -> str:
    return f"{OPENPGP_FOLDER}/{fingerprint.upper()}.asc"


def provider_metadata() -> dict[str, Any]:
    program = Program.get()
    return {
        "canonical_url": provider_url("provider-metadata.json"),
        "distributions": [{"rolie": {"feeds": [{"summary": f"All TLP:WHITE advisories of {program.name}.",
                                                "tlp_label": "WHITE", "url": provider_url(FEED)}]}}],
        "last_updated": stamp(program.created_at),
        "list_on_CSAF_aggregators": True,
        "metadata_version": "2.0",
        "mirror_on_CSAF_aggregators": True,
        "public_openpgp_keys": [{"fingerprint": program.signing_fingerprint.upper(),
                                 "url": provider_url(openpgp_key_path(program.signing_fingerprint))}],
        "publisher": publisher(),
        "role": "csaf_trusted_provider",
    }


def listed_advisories(now: dt.datetime) -> list[Advisory]:
    """The advisories whose public edition exists at `now`, newest release first (an advisory
    naming no product has no CSAF document)."""
    return [a for a in public_advisories(now).order_by("-patch_at", "ident") if a.products]


def rolie_feed(now: dt.datetime | None = None) -> dict[str, Any]:
    """The ROLIE feed (RFC 8322, JSON) of the public editions at `now`."""
    advisories = listed_advisories(now or timezone.now())
    updated = advisories[0].patch_at if advisories else Program.get().created_at
    entries = []
    for advisory in advisories:
        url = public_document_url(advisory)
        entries.append({
            "id": advisory.ident,
            "title": advisory.title,
            "link": [{"rel": "self", "href": url}] + [{"rel": "hash", "href": f"{url}.{name}"} for name in HASHES]
                    + [{"rel": "signature", "href": f"{url}.{SIGNATURE}"}],
            "published": stamp(pre_release_date(advisory)),
            "updated": stamp(advisory.patch_at),
            "summary": {"content": summary(advisory)},
            "content": {"type": "application/json", "src": url},
            "format": {"schema": CSAF_SCHEMA_URL, "version": "2.0"},
        })
    return {"feed": {
        "id": "headstart-csaf-feed-tlp-white",
        "title": f"{Program.get().name}: CSAF advisories (TLP:WHITE)",
        "link": [{"rel": "self", "href": provider_url(FEED)}],
        "category": [ROLIE_CSAF_CATEGORY],
        "updated": stamp(updated),
        "entry": entries,
    }}


def hash_file(advisory: Advisory, content: bytes, algorithm: str) -> str:
    """A hash file's text (requirement 18): the hexadecimal digest, two spaces, the file name."""
    return f"{HASHES[algorithm](content).hexdigest()}  {filename(advisory)}\n"


def signature_file(content: bytes) -> str:
    """A public document's `.asc` (requirement 19): an armored detached OpenPGP signature of its
    bytes by the program's signing key. OpenPGP signatures carry their creation time, so each
    answer is a new, equally valid signature of the same bytes."""
    return detached_signature(content, signing_key=keys.signing_key())


def program_certificate(fingerprint: str) -> str | None:
    """The program's public certificate when ``fingerprint`` is its signing key's (any case), else None."""
    program = Program.get()
    return program.signing_certificate if fingerprint.upper() == program.signing_fingerprint.upper() else None
