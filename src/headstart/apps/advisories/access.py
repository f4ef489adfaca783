"""Who may see which advisory and artifact, and when: the embargo rules.

The window is applied inside every query at read time, never left to a scheduled job:
a partner sees an advisory from patch_at - tier.lead_time on, only while the partner is
active and has accepted the current NDA, and only the artifact kinds its tier is entitled
to. Staff see everything. Anything not visible is reported as not found, so its
existence does not leak.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from headstart.apps.accounts.models import User
from headstart.apps.accounts.tokens import may_act
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, Artifact
from headstart.apps.partners.models import Partner, PartnerStatus, Tier
from headstart.apps.partners.services import has_accepted_current_nda
from headstart.errors import Forbidden, NotFound

# The earliest representable moment. A lead time reaching back before it (stored before lead
# times were limited to a year) means the window has been open since ever.
EARLIEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def window_opens_at(advisory: Advisory, tier: Tier) -> dt.datetime:
    try:
        return advisory.patch_at - tier.lead_time
    except OverflowError:
        return EARLIEST


def partner_may_read(partner: Partner) -> bool:
    return partner.status == PartnerStatus.ACTIVE and has_accepted_current_nda(partner)


def open_advisories_for_partner(partner: Partner, now: dt.datetime | None = None) -> QuerySet[Advisory]:
    return Advisory.objects.open_to(partner, now or timezone.now())


def visible_advisories(user: User, now: dt.datetime | None = None) -> QuerySet[Advisory]:
    if not may_act(user):
        return Advisory.objects.none()
    if user.is_psirt:
        return Advisory.objects.all()
    assert user.partner is not None
    return open_advisories_for_partner(user.partner, now)


def public_advisories(now: dt.datetime | None = None) -> QuerySet[Advisory]:
    """The advisories anyone may know of at ``now``, signed in or not: scheduled ones whose
    patch time has come (Advisory.effective_status), judged in the query at read time like
    the embargo. Drafts, withdrawn and embargoed advisories are not among them."""
    return Advisory.objects.filter(status__in=(AdvisoryStatus.SCHEDULED, AdvisoryStatus.PUBLIC),
                                   patch_at__lte=now or timezone.now())


def get_visible_advisory(user: User, ident: str, now: dt.datetime | None = None) -> Advisory:
    advisory = visible_advisories(user, now).filter(ident=ident).first()
    if advisory is None:
        raise NotFound(f"unknown advisory {ident!r}")
    return advisory


def latest_artifacts(advisory: Advisory) -> list[Artifact]:
    """The current version of each artifact name."""
    latest: dict[str, Artifact] = {}
    for artifact in Artifact.objects.filter(advisory=advisory).order_by("name", "version"):
        latest[artifact.name] = artifact
    return list(latest.values())


def visible_artifacts(user: User, advisory: Advisory, now: dt.datetime | None = None) -> list[Artifact]:
    """Artifacts of an advisory the user may see (the advisory itself must already be visible)."""
    get_visible_advisory(user, advisory.ident, now)
    if user.is_psirt:
        return latest_artifacts(advisory)
    assert user.partner is not None
    return entitled_artifacts(user.partner, advisory)


def entitled_artifacts(partner: Partner, advisory: Advisory) -> list[Artifact]:
    """The current artifacts of an advisory that the partner's tier is entitled to. The advisory must
    be open to the partner (open_advisories_for_partner): staff looking at what a partner sees use
    the two together."""
    kinds = partner.tier.artifact_kinds
    return [a for a in latest_artifacts(advisory) if a.kind in kinds]


def require_staff(user: User) -> None:
    if not (may_act(user) and user.is_psirt):
        raise Forbidden("only PSIRT staff may do this")
