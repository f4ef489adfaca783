"""Staff's dashboard: partners by tier and status, each scheduled advisory on a timeline with each
tier's window (from its opening to the patch), who downloaded and who confirmed ready (the
readiness coverage query, readiness.coverage), and the questions waiting for an answer (the
questions service). A fixed number of queries, whatever the number of advisories and partners."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from headstart.apps.advisories.access import window_opens_at
from headstart.apps.partners.models import Partner, PartnerStatus, Tier
from headstart.apps.partners.services import format_lead_time
from headstart.apps.questions.services import open_threads
from headstart.apps.readiness.coverage import AdvisoryCoverage, coverage_table
from headstart.faces.portal.people import actor_of, user_of
from headstart.faces.portal.staff import staff_page

# The timeline's bars are placed by CSS classes in steps of 2 % (portal/timeline.css): the CSP
# allows no inline style, and a bar narrower than that would not show anyway.
STEP = 2


@dataclass(frozen=True)
class Window:
    tier: str
    lead: str
    opens_at: dt.datetime
    start: int  # the bar's left edge, in STEP-percent units of the timeline
    length: int  # its width, in the same units (at least one)
    open_now: bool


@dataclass(frozen=True)
class TimelineRow:
    coverage: AdvisoryCoverage
    windows: list[Window]
    downloaded: list[str]
    ready: list[str]


def _units(at: dt.datetime, start: dt.datetime, span: float) -> int:
    return max(0, min(100 // STEP, round((at - start).total_seconds() / span * 100 / STEP)))


def timeline(table: list[AdvisoryCoverage], tiers: list[Tier], now: dt.datetime) -> tuple[list[TimelineRow], int]:
    """Each advisory's rows, and where now falls (in the same units). The scale runs from the
    earliest window opening (or now, if later windows all open after it) to the latest patch."""
    opens = [window_opens_at(row.advisory, tier) for row in table for tier in tiers]
    start = min([now, *opens])
    end = max([now + dt.timedelta(hours=1), *(row.advisory.patch_at for row in table)])
    span = (end - start).total_seconds()
    rows = []
    for row in table:
        windows = []
        for tier in tiers:
            at = window_opens_at(row.advisory, tier)
            first = _units(at, start, span)
            windows.append(Window(tier.name, format_lead_time(tier.lead_time), at, first,
                                  max(1, _units(row.advisory.patch_at, start, span) - first), at <= now))
        rows.append(TimelineRow(row, windows, [p.partner.name for p in row.partners if p.downloaded],
                                [p.partner.name for p in row.partners if p.ready]))
    return rows, _units(now, start, span)


@require_GET
@staff_page
def dashboard(request: HttpRequest) -> HttpResponse:
    user, actor = user_of(request), actor_of(request)
    tiers = list(Tier.objects.order_by("-lead_time", "name"))
    counts = Counter(Partner.objects.values_list("tier__name", "status"))
    summary = [{"tier": t.name, "counts": [counts.get((t.name, s), 0) for s in PartnerStatus.values],
                "total": sum(counts.get((t.name, s), 0) for s in PartnerStatus.values)} for t in tiers]
    totals = [sum(counts.get((t.name, s), 0) for t in tiers) for s in PartnerStatus.values]
    rows, now_at = timeline(coverage_table(user, actor=actor), tiers, timezone.now())
    return render(request, "portal/staff/dashboard.html", {
        "statuses": PartnerStatus.values, "summary": summary, "totals": totals, "all": sum(totals), "rows": rows, "now_at": now_at,
        "threads": open_threads(user, actor=actor), "step": STEP,
    })
