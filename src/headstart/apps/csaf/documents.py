"""An advisory as a CSAF 2.0 document (profile csaf_security_advisory), in two editions.

- The partner edition (TLP:AMBER, tracking status interim) is what a partner may read while the
  advisory is under embargo: version 1, released to the program's partners.
- The public edition (TLP:WHITE, status final) is version 2: the same advisory, released at
  patch_at. CSAF 2.0 names TLP 1.0 labels; its WHITE is what TLP 2.0 calls CLEAR.

Both are built only from the advisory's metadata (title, CVE, CVSS, products, patch time) and
the program's name. No text of an artifact goes in: artifacts reach partners as individually
marked copies, and an unmarked excerpt here would be a leak that names no one.

A document is a pure function of the advisory, the program's name and the public base URL, so
the same request gives the same bytes (and the same hash files) every time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from cvss import CVSS3, CVSS4
from django.conf import settings

from headstart import __version__ as headstart_version
from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.program.models import Program
from headstart.errors import Conflict

PARTNER = "partner"
PUBLIC = "public"
EDITIONS = (PARTNER, PUBLIC)

TLP_URL = "https://www.first.org/tlp/"
CSAF_SCHEMA_URL = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
# Where the public editions live under the provider's well-known directory (requirements 9, 11).
WELL_KNOWN = ".well-known/csaf/"
PUBLIC_FOLDER = "white"


def base_url() -> str:
    """The public address of this Headstart (HEADSTART_PORTAL_URL), ending in a slash."""
    url = str(settings.HEADSTART_PORTAL_URL)
    return url if url.endswith("/") else url + "/"


def provider_url(path: str) -> str:
    return urljoin(base_url(), WELL_KNOWN + path)


def filename(advisory: Advisory) -> str:
    """CSAF 2.0 section 5.1: the tracking id in lower case, every character outside [+-a-z0-9]
    replaced by an underscore, and .json."""
    return re.sub(r"[^+\-a-z0-9]", "_", advisory.ident.lower()) + ".json"


def ident_for_filename(name: str) -> str | None:
    """The advisory identifier a public file name stands for (identifiers are [A-Z0-9-], so the
    name maps back one to one), or None when it is not a document's name."""
    match = re.fullmatch(r"([a-z0-9][a-z0-9-]*)\.json", name)
    return match.group(1).upper() if match else None


def pre_release_date(advisory: Advisory) -> dt.datetime:
    """Version 1's date: when the advisory was created (never after its patch time)."""
    return min(advisory.created_at, advisory.patch_at)


def public_path(advisory: Advisory) -> str:
    """The public edition's path under the well-known directory: white/<year>/<file name>, the
    year being that of the document's initial release date (requirement 11)."""
    return f"{PUBLIC_FOLDER}/{pre_release_date(advisory).year:04d}/{filename(advisory)}"


def public_document_url(advisory: Advisory) -> str:
    return provider_url(public_path(advisory))


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _day(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%d %B %Y, %H:%M UTC").lstrip("0")


def publisher() -> dict[str, str]:
    """The program publishes as the vendor: its name, and this Headstart's origin as the namespace."""
    parts = urlsplit(base_url())
    return {"category": "vendor", "name": Program.get().name, "namespace": f"{parts.scheme}://{parts.netloc}"}


def build(advisory: Advisory, edition: str) -> dict[str, Any]:
    """The advisory as a CSAF 2.0 document of the given edition. Raises Conflict when the advisory
    cannot be one: withdrawn, or naming no affected product (the security advisory profile needs
    a product tree and each vulnerability's product status)."""
    if edition not in EDITIONS:
        raise ValueError(edition)
    if advisory.status == AdvisoryStatus.WITHDRAWN:
        raise Conflict(f"advisory {advisory.ident} is withdrawn: it has no CSAF document")
    if not advisory.products:
        raise Conflict(f"advisory {advisory.ident} names no affected product; a CSAF security advisory needs "
                       "at least one (create the advisory with --product)")
    if edition == PUBLIC and advisory.status == AdvisoryStatus.DRAFT:
        raise Conflict(f"advisory {advisory.ident} is a draft: it has no public edition until it is scheduled")
    product_ids = [f"CSAFPID-{n:04d}" for n in range(1, len(advisory.products) + 1)]
    document: dict[str, Any] = {
        "document": _document(advisory, edition),
        "product_tree": {"full_product_names": [{"name": name, "product_id": pid}
                                                for name, pid in zip(advisory.products, product_ids, strict=True)]},
        "vulnerabilities": [_vulnerability(advisory, edition, product_ids)],
    }
    return _sorted(document)


def _sorted(value: Any) -> Any:
    """Keys in alphabetical order at every level, as CSAF recommends (6.2.13) and dumps() writes."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _document(advisory: Advisory, edition: str) -> dict[str, Any]:
    program = Program.get().name
    released = pre_release_date(advisory)
    first = {"number": "1", "date": stamp(released),
             "summary": f"Pre-release to the partners of {program} under embargo (TLP:AMBER)."}
    distribution: dict[str, Any]
    tracking: dict[str, Any]
    if edition == PARTNER:
        distribution = {
            "text": f"TLP:AMBER. For the partners of {program} under the program's non-disclosure agreement, "
                    f"on a need-to-know basis within the partner's organisation, until {_day(advisory.patch_at)}.",
            "tlp": {"label": "AMBER", "url": TLP_URL}}
        status = "draft" if advisory.status == AdvisoryStatus.DRAFT else "interim"
        tracking = {"current_release_date": stamp(released), "id": advisory.ident, "initial_release_date": stamp(released),
                    "revision_history": [first], "status": status, "version": "1"}
        notes: list[dict[str, str]] = [{
            "category": "general", "title": "Embargo",
            "text": f"This advisory is under embargo until {_day(advisory.patch_at)}, when the vendor releases "
                    "its fix and the public edition (TLP:WHITE) replaces this document. Share nothing of it "
                    "outside your organisation before then."}]
        references: list[dict[str, str]] = []
    else:
        distribution = {"text": "TLP:WHITE (TLP:CLEAR in TLP 2.0): disclosure is not limited.",
                        "tlp": {"label": "WHITE", "url": TLP_URL}}
        second = {"number": "2", "date": stamp(advisory.patch_at), "summary": "Public release."}
        tracking = {"current_release_date": stamp(advisory.patch_at), "id": advisory.ident,
                    "initial_release_date": stamp(released), "revision_history": [first, second],
                    "status": "final", "version": "2"}
        notes = []
        references = [{"category": "self", "summary": "This document (CSAF 2.0, JSON).",
                       "url": public_document_url(advisory)}]
    notes.insert(0, {"category": "summary", "title": "Summary", "text": summary(advisory)})
    tracking["generator"] = {"engine": {"name": "Headstart", "version": headstart_version}}
    document: dict[str, Any] = {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "distribution": distribution,
        "lang": "en",
        "notes": notes,
        "publisher": publisher(),
        "title": advisory.title,
        "tracking": tracking,
    }
    if references:
        document["references"] = references
    return document


def summary(advisory: Advisory) -> str:
    products = advisory.products
    named = products[0] if len(products) == 1 else ", ".join(products[:-1]) + " and " + products[-1]
    what = f"{advisory.cve}: {advisory.title}" if advisory.cve else advisory.title
    text = f"{what.rstrip('.')}. It affects {named}."
    if advisory.cvss_vector:
        text += f" CVSS base score {advisory.cvss_score} ({advisory.cvss_severity.lower()})."
    text += f" The vendor's fix is released on {_day(advisory.patch_at)}."
    return text


def _vulnerability(advisory: Advisory, edition: str, product_ids: list[str]) -> dict[str, Any]:
    vulnerability: dict[str, Any] = {}
    if advisory.cve:
        vulnerability["cve"] = advisory.cve
        vulnerability["references"] = [{"category": "external", "summary": f"{advisory.cve} in the CVE list.",
                                        "url": f"https://www.cve.org/CVERecord?id={advisory.cve}"}]
    notes = [{"category": "description", "title": "Vulnerability description", "text": advisory.title}]
    vector = advisory.cvss_vector
    if vector.startswith("CVSS:3."):
        # The cvss package computes the same score the advisory stored; CSAF's mandatory tests
        # recompute it from the vector (6.1.9) and compare every metric with it (6.1.10).
        vulnerability["scores"] = [{"cvss_v3": CVSS3(vector).as_json(minimal=True), "products": list(product_ids)}]
    elif vector.startswith("CVSS:4.0/"):
        # CSAF 2.0 scores hold CVSS v2 and v3 only: a v4.0 vector is given as a note.
        c4 = CVSS4(vector)
        notes.append({"category": "other", "title": "CVSS v4.0",
                      "text": f"{c4.clean_vector()}: base score {c4.base_score} ({str(c4.severity).lower()})."})
    vulnerability["notes"] = notes
    vulnerability["product_status"] = {"known_affected": list(product_ids)}
    when = _day(advisory.patch_at)
    details = (f"The vendor releases its fix on {when}." if edition == PARTNER
               else f"Install the vendor's fix, released on {when}.")
    vulnerability["remediations"] = [{"category": "vendor_fix", "date": stamp(advisory.patch_at), "details": details,
                                      "product_ids": list(product_ids)}]
    vulnerability["title"] = advisory.title
    return vulnerability


def dumps(document: dict[str, Any]) -> bytes:
    """The bytes served for a document: sorted keys, so the same document is the same file."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
