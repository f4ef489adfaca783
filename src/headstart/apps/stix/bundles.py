"""STIX 2.1 for partners: a bundle per advisory, and the objects of a partner's TAXII collection.

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
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import stix2
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from headstart.apps.accounts.models import User
from headstart.apps.accounts.tokens import may_act
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery.models import Commitment
from headstart.apps.detection.rules import AdvisoryRule, rules_for_advisory
from headstart.apps.partners.models import NdaAcceptance, Partner, PartnerStatusChange
from headstart.apps.program.models import Program
from headstart.apps.stix import tlp
from headstart.errors import HeadstartError, NotFound

# The namespace of every identifier Headstart derives (uuid5): fixed forever, or ids would change.
NAMESPACE = uuid.UUID("6f1c2a5e-4b0d-5c8e-9a57-3d2e1f0b7c64")

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def collection_id(partner: Partner) -> str:
    """The partner's TAXII collection id: derived from its marking identity, so it never changes."""
    return _uuid("taxii-collection", str(partner.uid))


def marking_for(advisory: Advisory, now: dt.datetime) -> stix2.MarkingDefinition:
    """Under embargo, for the partner's organisation only; after the patch, its clients may be told."""
    return tlp.TLP_AMBER_STRICT if now < advisory.patch_at else tlp.TLP_AMBER


def _modified(advisory: Advisory, now: dt.datetime) -> dt.datetime:
    """When the advisory's objects last changed: its record, its newest artifact, the patch time."""
    newest = Artifact.objects.filter(advisory=advisory).aggregate(at=Max("created_at"))["at"]
    moments = [advisory.created_at, *([newest] if newest else [])]
    if now >= advisory.patch_at:  # the marking changed then
        moments.append(advisory.patch_at)
    return max(moments)


def program_identity(program: Program) -> stix2.Identity:
    return stix2.Identity(id="identity--" + _uuid("identity", program.signing_fingerprint), name=program.name,
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
                     now: dt.datetime) -> list[Any]:
    """The STIX objects of one advisory for a viewer entitled to ``artifacts`` (already authorised)."""
    identity = program_identity(program)
    marking = marking_for(advisory, now)
    created, modified = advisory.created_at, _modified(advisory, now)
    common: dict[str, Any] = {"created_by_ref": identity.id, "object_marking_refs": [marking.id],
                              "created": created, "modified": modified}
    references = [{"source_name": "headstart", "external_id": advisory.ident}]
    if advisory.cve:
        references.insert(0, {"source_name": "cve", "external_id": advisory.cve,
                              "url": f"https://www.cve.org/CVERecord?id={advisory.cve}"})
    vulnerability = stix2.Vulnerability(id="vulnerability--" + _uuid(identity.id, "vulnerability", advisory.ident),
                                        name=advisory.cve or advisory.ident, description=_description(advisory),
                                        external_references=references, **common)
    objects: list[Any] = [identity, marking, vulnerability]
    for rule in rules_for_advisory(advisory, artifacts):
        objects += _indicator(rule, advisory, vulnerability, common)
    return objects


def _indicator(rule: AdvisoryRule, advisory: Advisory, vulnerability: stix2.Vulnerability,
               common: dict[str, Any]) -> list[Any]:
    key = _uuid(str(vulnerability.id), "yara", rule.name)
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


def _bundle(advisory: Advisory, objects: list[Any], modified: str) -> stix2.Bundle:
    return stix2.Bundle(objects=objects, id="bundle--" + _uuid("bundle", advisory.ident, modified,
                                                                *(str(o.id) for o in objects)))


# --- The bundle of one advisory (GET /api/v1/advisories/{id}/stix) ----------------------------

def bundle_for(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None) -> str:
    """The caller's bundle for an advisory it may see (staff: with every indicator), as JSON.

    Authorised, built and recorded in one transaction: nothing is served that is not in the log."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            advisory = access.get_visible_advisory(user, ident, now)
            artifacts = access.visible_artifacts(user, advisory, now)
            objects = advisory_objects(advisory, artifacts, program=Program.get(), now=now)
            bundle = _bundle(advisory, objects, str(objects[2].modified))
            record(actor, "stix.bundle", advisory, bundle=str(bundle.id), objects=[str(o.id) for o in objects],
                   artifacts=[a.audit_id for a in artifacts])
    except HeadstartError as exc:
        refused(actor, "stix.bundle", ident, exc)
        raise
    return str(bundle.serialize(sort_keys=True))


# --- TAXII collections: one per partner --------------------------------------------------------

def collections_for(user: User) -> list[Partner]:
    """The partners whose collections the user may see: staff every partner's, a partner user its own."""
    if not may_act(user):
        return []
    if user.is_psirt:
        return list(Partner.objects.select_related("tier").order_by("name"))
    assert user.partner is not None
    return [user.partner]


def collection_partner(user: User, cid: str) -> Partner:
    """The partner of a collection the user may see; another partner's is not found (its id leaks nothing)."""
    for partner in collections_for(user):
        if collection_id(partner) == cid:
            return partner
    raise NotFound(f"unknown collection {cid!r}")


@dataclass(frozen=True)
class CollectionObject:
    """One STIX object in a partner's collection: when it became the partner's to read, its version."""

    advisory: str
    date_added: dt.datetime
    object: dict[str, Any]

    @property
    def version(self) -> str:
        """The object's modified (created, for objects that are never modified), as it is written."""
        return str(self.object.get("modified") or self.object["created"])

    @property
    def id(self) -> str:
        return str(self.object["id"])

    @property
    def type(self) -> str:
        return str(self.object["type"])


def _added_at(advisory: Advisory, partner: Partner, modified: dt.datetime) -> dt.datetime:
    """When the advisory's objects (this version of them) became readable to the partner: the latest of
    its window opening, their last change, the advisory's last commitment (scheduling makes the first),
    the partner's NDA acceptance and its last status change. A TAXII client polling with added_after
    may see an object again; it never misses one that became readable after its last poll."""
    moments = [access.window_opens_at(advisory, partner.tier), modified]
    for at in (Commitment.objects.filter(advisory=advisory).aggregate(at=Max("created_at"))["at"],
               NdaAcceptance.objects.filter(partner=partner).aggregate(at=Max("accepted_at"))["at"],
               PartnerStatusChange.objects.filter(partner=partner).aggregate(at=Max("at"))["at"]):
        if at is not None:
            moments.append(at)
    return max(moments)


def _partner_view(user: User, partner: Partner, now: dt.datetime) -> list[tuple[Advisory, list[Artifact]]]:
    """The advisories open to the partner now, each with the artifacts its tier is entitled to.

    A partner's user reads through the same calls as every other face; staff look at the
    partner's collection through the partner's own window and entitlement."""
    if not user.is_psirt:
        return [(a, access.visible_artifacts(user, a, now)) for a in access.visible_advisories(user, now)]
    return [(a, access.entitled_artifacts(partner, a)) for a in access.open_advisories_for_partner(partner, now)]


def collection_objects(partner: Partner, user: User, now: dt.datetime) -> list[CollectionObject]:
    """Every object of the partner's collection now, oldest first (no authorisation, no audit: callers)."""
    program = Program.get()
    seen: set[str] = set()
    found: list[CollectionObject] = []
    for advisory, artifacts in _partner_view(user, partner, now):
        objects = advisory_objects(advisory, artifacts, program=program, now=now)
        added = _added_at(advisory, partner, _modified(advisory, now))
        for obj in objects:
            if str(obj.id) in seen:  # the program's identity and the markings are shared
                continue
            seen.add(str(obj.id))
            found.append(CollectionObject(advisory.ident, added, json.loads(obj.serialize())))
    found.sort(key=lambda o: (o.date_added, o.id))
    return found


def read_collection(user: User, cid: str, *, actor: Actor, action: str,
                    select: Callable[[list[CollectionObject]], list[CollectionObject]],
                    now: dt.datetime | None = None) -> list[CollectionObject]:
    """What ``select`` keeps of the collection's objects (a TAXII request's filters and page),
    authorised and recorded in one transaction, with the advisories it came from."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            partner = collection_partner(user, cid)
            served = select(collection_objects(partner, user, now))
            record(actor, action, partner, collection=cid, advisories=sorted({o.advisory for o in served}),
                   objects=len(served))
    except HeadstartError as exc:
        with transaction.atomic():
            record(actor, action + ".refused", object_type="taxii-collection", object_id=cid, reason=exc.message)
        raise
    return served
