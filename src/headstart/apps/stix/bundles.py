"""STIX 2.1 for partners: the objects and the bundle of an advisory.

Who sees what is decided by the advisories' access rule (access.py) and nothing else: a
partner gets the objects of the advisories open to it, while they are open to it, and
indicators only from the artifacts its tier is entitled to. Every read is written to the
audit log in the transaction that builds what is served; a refusal is recorded too.

What goes in, for one advisory: the program as the identity that created everything; the
vulnerability (its CVE as an external reference; a description from the advisory's
record); an indicator per generated YARA rule (pattern_type "yara") with an `indicates`
relationship to the vulnerability; every object marked with a TLP 2.0 marking
(TLP:AMBER+STRICT under embargo, TLP:AMBER from the patch time on). The write-up's text is
never copied in: partners get it only as their individually marked copy.

Identifiers are name-based UUIDs (uuid5) of the program and the advisory, and timestamps come
from the records, so the same objects come out every time until something they derive from
changes; then `modified` moves (the patch time passing counts as such a change).

This module uses nothing of delivery: a partner's package holds its bundle (delivery builds it
with ``partner_bundle``), and the TAXII collections (headstart.apps.taxii) sit above both.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import stix2
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.detection.rules import AdvisoryRule, rules_for_advisory
from headstart.apps.program.models import Program
from headstart.apps.stix import tlp
from headstart.errors import HeadstartError

# The namespace of every identifier Headstart derives (uuid5): fixed forever, or ids would change.
NAMESPACE = uuid.UUID("6f1c2a5e-4b0d-5c8e-9a57-3d2e1f0b7c64")

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


def stable_uuid(*parts: str) -> str:
    """A name-based identifier (UUID version 5) of the parts, the same every time."""
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def marking_for(advisory: Advisory, *, public: bool) -> stix2.MarkingDefinition:
    """Under embargo, for the partner's organisation only; after the patch, its clients may be told."""
    return tlp.TLP_AMBER if public else tlp.TLP_AMBER_STRICT


def modified_at(advisory: Advisory, *, public: bool) -> dt.datetime:
    """When the advisory's objects last changed: its record, its newest artifact, the patch time
    once it has passed (the marking changed then)."""
    newest = Artifact.objects.filter(advisory=advisory).aggregate(at=Max("created_at"))["at"]
    moments = [advisory.created_at, *([newest] if newest else [])]
    if public:
        moments.append(advisory.patch_at)
    return max(moments)


def program_identity(program: Program) -> stix2.Identity:
    return stix2.Identity(id="identity--" + stable_uuid("identity", program.signing_fingerprint), name=program.name,
                          identity_class="organization", created=program.created_at, modified=program.created_at,
                          description="The vendor's pre-disclosure program (Headstart)")


def _description(advisory: Advisory) -> str:
    lines = [advisory.title]
    if advisory.cvss_vector:
        score = f" (base score {advisory.cvss_score}, {advisory.cvss_severity})" if advisory.cvss_score else ""
        lines.append(f"CVSS: {advisory.cvss_vector}{score}")
    if advisory.products:
        lines.append("Affected products: " + ", ".join(str(p) for p in advisory.products))
    lines.append(f"Patch release: {advisory.patch_at.astimezone(dt.UTC).isoformat()}")
    return "\n".join(lines)


def advisory_objects(advisory: Advisory, artifacts: Sequence[Artifact], *, program: Program,
                     public: bool, rules: Sequence[AdvisoryRule] | None = None) -> list[Any]:
    """The STIX objects of one advisory for a viewer entitled to ``artifacts`` (already authorised);
    ``public``: whether the patch time has passed; ``rules``: those of ``artifacts``, when the caller
    has them (rules_for_advisory)."""
    identity = program_identity(program)
    marking = marking_for(advisory, public=public)
    created, modified = advisory.created_at, modified_at(advisory, public=public)
    common: dict[str, Any] = {"created_by_ref": identity.id, "object_marking_refs": [marking.id],
                              "created": created, "modified": modified}
    references = [{"source_name": "headstart", "external_id": advisory.ident}]
    if advisory.cve:
        references.insert(0, {"source_name": "cve", "external_id": advisory.cve,
                              "url": f"https://www.cve.org/CVERecord?id={advisory.cve}"})
    vulnerability = stix2.Vulnerability(id="vulnerability--" + stable_uuid(identity.id, "vulnerability", advisory.ident),
                                        name=advisory.cve or advisory.ident, description=_description(advisory),
                                        external_references=references, **common)
    objects: list[Any] = [identity, marking, vulnerability]
    for rule in rules_for_advisory(advisory, artifacts) if rules is None else rules:
        objects += _indicator(rule, advisory, vulnerability, common)
    return objects


def _indicator(rule: AdvisoryRule, advisory: Advisory, vulnerability: stix2.Vulnerability,
               common: dict[str, Any]) -> list[Any]:
    key = stable_uuid(str(vulnerability.id), "yara", rule.name)
    indicator = stix2.Indicator(
        id="indicator--" + key, name=rule.name, pattern_type="yara", pattern=rule.text,
        indicator_types=["malicious-activity"], valid_from=advisory.created_at,
        description=f"YARA rule for the trigger condition of {advisory.cve or advisory.ident} in "
                    f"{rule.source} (trigger specification {rule.specification}): it keys on the condition "
                    f"itself, so it matches every partner's copy of the proof-of-concept file.",
        **common)
    relationship = stix2.Relationship(id="relationship--" + key, relationship_type="indicates",
                                      source_ref=indicator.id, target_ref=vulnerability.id, **common)
    return [indicator, relationship]


def _bundle(advisory: Advisory, objects: list[Any]) -> stix2.Bundle:
    modified = str(objects[2].modified)  # the vulnerability's
    return stix2.Bundle(objects=objects, id="bundle--" + stable_uuid("bundle", advisory.ident, modified,
                                                                      *(str(o.id) for o in objects)))


def serialize(bundle: stix2.Bundle) -> str:
    return str(bundle.serialize(sort_keys=True))


def partner_bundle(advisory: Advisory, artifacts: Sequence[Artifact], *, program: Program,
                   rules: Sequence[AdvisoryRule] | None = None) -> str:
    """The bundle as released to a partner entitled to ``artifacts`` under embargo (TLP:AMBER+STRICT),
    as JSON: what its package holds, the same bytes every time for the same records (before the
    patch time, what the API serves). No authorisation and no audit: the package's delivery
    records the read. ``rules``: those of ``artifacts``, when the caller has them."""
    objects = advisory_objects(advisory, artifacts, program=program, public=False, rules=rules)
    return serialize(_bundle(advisory, objects))


# --- The bundle of one advisory (GET /api/v1/advisories/{id}/stix) ----------------------------

def bundle_for(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None) -> str:
    """The caller's bundle for an advisory it may see (staff: with every indicator), as JSON.

    Authorised, built and recorded in one transaction: nothing is served that is not in the log."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            advisory = access.get_visible_advisory(user, ident, now)
            artifacts = access.visible_artifacts(user, advisory, now)
            objects = advisory_objects(advisory, artifacts, program=Program.get(), public=now >= advisory.patch_at)
            bundle = _bundle(advisory, objects)
            record(actor, "stix.bundle", advisory, bundle=str(bundle.id), objects=[str(o.id) for o in objects],
                   artifacts=[a.audit_id for a in artifacts])
    except HeadstartError as exc:
        refused(actor, "stix.bundle", ident, exc)
        raise
    return serialize(bundle)
