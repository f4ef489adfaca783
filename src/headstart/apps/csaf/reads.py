"""Who gets which CSAF edition, and when.

Signed-in callers go through access.get_visible_advisory, the rule every face uses: a partner
reads the partner edition of an advisory visible to it (its tier's window open, the current
NDA accepted, the partner active), staff read any. The public edition is anyone's from
patch_at on; before then it does not exist for the public, with the same "not found" as an
unknown advisory. Every read by a signed-in caller, and every refusal, is written to the
audit log like the advisory reads of advisories.reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.reads import refused
from headstart.apps.advisories.services import get_advisory
from headstart.apps.audit.services import Actor, record
from headstart.apps.csaf.documents import EDITIONS, PARTNER, PUBLIC, build
from headstart.errors import HeadstartError, Invalid, NotFound

ACTION = "csaf.view"


def _edition(user: User, advisory: Advisory, wanted: str | None, now: dt.datetime) -> str:
    if wanted is None:
        return PUBLIC if now >= advisory.patch_at else PARTNER
    if wanted not in EDITIONS:
        raise Invalid(f"unknown CSAF edition {wanted!r}: use partner or public")
    if wanted == PUBLIC and now < advisory.patch_at and not user.is_psirt:
        raise NotFound(f"advisory {advisory.ident} has no public edition before its patch time")
    return wanted


def document_for(user: User, ident: str, *, actor: Actor, edition: str | None = None,
                 now: dt.datetime | None = None) -> tuple[str, dict[str, Any]]:
    """The edition the caller asked for (by default the partner edition before patch_at, the
    public one from then on) of an advisory it may see, and the read in the audit log."""
    now = now or timezone.now()
    try:
        advisory = access.get_visible_advisory(user, ident, now)
        chosen = _edition(user, advisory, edition, now)
        document = build(advisory, chosen)
    except HeadstartError as exc:
        refused(actor, ACTION, ident, exc)
        raise
    with transaction.atomic():
        record(actor, ACTION, advisory, edition=chosen, tlp=document["document"]["distribution"]["tlp"]["label"])
    return chosen, document


def public_document(ident: str, *, now: dt.datetime | None = None) -> tuple[Advisory, dict[str, Any]]:
    """The public edition, for anyone, once the advisory is public. Before that, and for an
    advisory that cannot be a CSAF document, it is not found: the public learns nothing of
    embargoed advisories, not even that they exist."""
    advisory = access.public_advisories(now or timezone.now()).filter(ident=ident).first()
    if advisory is None:
        raise NotFound(f"no public CSAF document {ident!r}")
    try:
        return advisory, build(advisory, PUBLIC)
    except HeadstartError:
        raise NotFound(f"no public CSAF document {ident!r}") from None


def staff_document(ident: str, edition: str, *, actor: Actor) -> dict[str, Any]:
    """Either edition, for the operator at the command line (staff), with the read audited."""
    try:
        advisory = get_advisory(ident)
        document = build(advisory, edition)
    except HeadstartError as exc:
        refused(actor, ACTION, ident, exc)
        raise
    with transaction.atomic():
        record(actor, ACTION, advisory, edition=edition, tlp=document["document"]["distribution"]["tlp"]["label"])
    return document
