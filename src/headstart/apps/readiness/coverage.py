"""Staff's coverage view: for each advisory, per tier, how many partners downloaded their copies
and how many are ready, and each partner's latest readiness test and note.

Built from five queries whatever the number of advisories and partners (advisories, partners,
artifact kinds, deliveries, tests), and audited as one read (readiness.coverage)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from headstart.apps.accounts.models import User
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, Artifact, ArtifactKind
from headstart.apps.audit.services import Actor, record
from headstart.apps.delivery.models import Delivery
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.readiness.models import ReadinessTest, Status
from headstart.errors import Forbidden

COVERAGE = "readiness.coverage"


@dataclass
class PartnerRow:
    partner: Partner
    downloaded: bool
    ready: bool
    latest: ReadinessTest | None  # the latest test of any status (what the partner last did)


@dataclass
class TierRow:
    name: str
    entitled_to_poc: bool
    partners: int = 0
    downloaded: int = 0
    ready: int = 0


@dataclass
class AdvisoryCoverage:
    advisory: Advisory
    has_poc: bool
    tiers: list[TierRow] = field(default_factory=list)
    partners: list[PartnerRow] = field(default_factory=list)

    @property
    def ready(self) -> int:
        return sum(t.ready for t in self.tiers)

    @property
    def expected(self) -> int:
        return sum(t.partners for t in self.tiers if t.entitled_to_poc)


def coverage_table(user: User, *, actor: Actor) -> list[AdvisoryCoverage]:
    """Every scheduled advisory's coverage among the active partners. Staff only."""
    if not user.is_psirt:
        with transaction.atomic():
            record(actor, COVERAGE + ".refused", object_type="readiness", object_id="coverage",
                   reason="staff only")
        raise Forbidden("the coverage page is for PSIRT staff")
    advisories = list(Advisory.objects.filter(status=AdvisoryStatus.SCHEDULED).order_by("patch_at", "ident"))
    ids = [a.pk for a in advisories]
    partners = list(Partner.objects.filter(status=PartnerStatus.ACTIVE).select_related("tier").order_by("name"))
    with_poc = set(Artifact.objects.filter(advisory_id__in=ids, kind=ArtifactKind.POC_BINARY)
                   .values_list("advisory_id", flat=True).distinct())
    downloaded = set(Delivery.objects.filter(copy__artifact__advisory_id__in=ids)
                     .values_list("copy__artifact__advisory_id", "copy__partner_id").distinct())
    latest: dict[tuple[int, int], ReadinessTest] = {}
    finished: dict[tuple[int, int], ReadinessTest] = {}
    for test in ReadinessTest.objects.filter(advisory_id__in=ids).defer("rules").order_by("created_at", "pk"):
        latest[(test.advisory_id, test.partner_id)] = test
        if test.status == Status.DONE:
            finished[(test.advisory_id, test.partner_id)] = test
    table = []
    for advisory in advisories:
        row = AdvisoryCoverage(advisory, advisory.pk in with_poc)
        tiers: dict[str, TierRow] = {}
        for partner in partners:
            key = (advisory.pk, partner.pk)
            entitled = row.has_poc and ArtifactKind.POC_BINARY in partner.tier.artifact_kinds
            tier = tiers.setdefault(partner.tier.name, TierRow(partner.tier.name, entitled))
            ready = entitled and key in finished and finished[key].ready
            tier.partners += 1
            tier.downloaded += key in downloaded
            tier.ready += ready
            row.partners.append(PartnerRow(partner, key in downloaded, ready, latest.get(key)))
        row.tiers = sorted(tiers.values(), key=lambda t: t.name)
        table.append(row)
    with transaction.atomic():
        record(actor, COVERAGE, object_type="readiness", object_id="coverage",
               advisories=[a.ident for a in advisories])
    return table
