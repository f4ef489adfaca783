"""TAXII collections: one per partner, holding the STIX objects of the advisories open to it.

Who sees what is decided by the advisories' access rule (access.py) and nothing else: a
partner's collection holds the objects (headstart.apps.stix.bundles) of the advisories open to
it, while they are open to it, with indicators only from the artifacts its tier is entitled to.
Every read is written to the audit log in the transaction that builds what is served; a refusal
is recorded too. This sits above delivery (an object's date_added counts the advisory's codebook
commitments), which itself puts each partner's bundle in its package.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from headstart.apps.accounts.models import User
from headstart.apps.accounts.tokens import may_act
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery.models import Commitment
from headstart.apps.partners.models import NdaAcceptance, Partner, PartnerStatusChange
from headstart.apps.program.models import Program
from headstart.apps.stix.bundles import advisory_objects, modified_at, stable_uuid
from headstart.errors import HeadstartError, NotFound


def collection_id(partner: Partner) -> str:
    """The partner's TAXII collection id: derived from its marking identity, so it never changes."""
    return stable_uuid("taxii-collection", str(partner.uid))


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
        public = now >= advisory.patch_at
        objects = advisory_objects(advisory, artifacts, program=program, public=public)
        added = _added_at(advisory, partner, modified_at(advisory, public=public))
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
