"""The audit log, for staff: pages of events and a chain check."""

from __future__ import annotations

from itertools import islice
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from headstart.apps.advisories.access import require_staff
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.queries import events_about_partner
from headstart.apps.partners.services import get_partner
from headstart.apps.program.checkpoints import verify_with_checkpoints
from headstart.faces.api.auth import api_user
from headstart.faces.api.schemas import AuditPage, Error, VerifyOut

router = Router(tags=["audit"])


class AuditFilter(Schema):
    after: int = 0
    limit: int = 100
    action: str = ""
    # Events about this partner: on it, by its users, on its users, or naming it in their details.
    partner: str = ""


@router.get("/audit", response={200: AuditPage, 403: Error, 404: Error})
def events(request: HttpRequest, filters: Query[AuditFilter]) -> dict[str, Any]:
    require_staff(api_user(request))
    limit = max(1, min(filters.limit, 1000))
    qs = AuditEvent.objects.filter(seq__gt=filters.after).order_by("seq")
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.partner:
        page = list(islice(events_about_partner(qs, get_partner(filters.partner).name), limit + 1))
    else:
        page = list(qs[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {"events": page, "next_after": page[-1].seq if more and page else None}


@router.get("/audit/verify", response={200: VerifyOut, 403: Error})
def verify_chain(request: HttpRequest) -> dict[str, Any]:
    require_staff(api_user(request))
    return verify_with_checkpoints().as_dict()
