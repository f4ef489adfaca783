"""The partner portal: the same rules as the API (access.py and reads.py), as pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from headstart.apps.accounts.models import Role, User
from headstart.apps.advisories import reads
from headstart.apps.advisories.access import window_opens_at
from headstart.apps.advisories.models import Advisory, Artifact, ArtifactKind
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.models import Route
from headstart.apps.delivery.services import fetch_package
from headstart.apps.partners.models import NdaAcceptance, Tier
from headstart.apps.partners.services import accept_nda, current_nda, has_accepted_current_nda
from headstart.errors import Forbidden, HeadstartError, NotFound
from headstart.faces.portal import copy_views, readiness_views
from headstart.faces.portal.copy_views import KIND_NAMES
from headstart.faces.portal.templatetags.portal_countdown import span_text
from headstart.faces.requests import package_response, request_actor


def _user(request: HttpRequest) -> User:
    """The signed-in user: every view here is login_required, so never anonymous."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _actor(request: HttpRequest) -> Actor:
    return request_actor(request, _user(request))


@dataclass(frozen=True)
class HomeRow:
    """One advisory on the home page: when its next tier's window opens, and what the viewer gets."""

    advisory: Advisory
    next_tier: str
    next_opens_at: dt.datetime | None
    receives: list[str]


def _home_rows(user: User, advisories: list[Advisory]) -> list[HomeRow]:
    """A constant number of queries, however many advisories: the tiers and the artifact kinds once."""
    now = timezone.now()
    tiers = list(Tier.objects.order_by("-lead_time", "name"))
    mine = user.partner.tier if user.partner is not None else None
    if mine is not None:  # a partner's next tier is one that gets the advisory after it
        tiers = [t for t in tiers if t.lead_time < mine.lead_time]
    kinds: dict[int, set[str]] = {}
    for advisory_id, kind in Artifact.objects.filter(advisory__in=advisories).values_list("advisory_id", "kind"):
        kinds.setdefault(advisory_id, set()).add(kind)
    entitled = mine.artifact_kinds if mine is not None else {k.value for k in ArtifactKind}
    rows = []
    for advisory in advisories:
        upcoming = [(window_opens_at(advisory, t), t.name) for t in tiers if window_opens_at(advisory, t) > now]
        opens_at, tier = min(upcoming) if upcoming else (None, "")
        receives = [name for kind, name in KIND_NAMES.items() if kind in kinds.get(advisory.pk, set()) & entitled]
        rows.append(HomeRow(advisory, tier, opens_at, receives))
    return rows


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    needs_nda = user.partner is not None and not has_accepted_current_nda(user.partner)
    advisories = reads.list_advisories(user, actor=_actor(request))
    tier = user.partner.tier if user.partner else None
    return render(request, "portal/home.html", {"rows": _home_rows(user, advisories), "needs_nda": needs_nda, "tier": tier,
                                                "lead": span_text(tier.lead_time.total_seconds()) if tier else ""})


@login_required
@require_http_methods(["GET", "POST"])
def nda(request: HttpRequest) -> HttpResponse:
    """The current NDA and whether (when, by whom) the viewer's partner accepted it. Only a partner
    admin may accept; everyone else is told who can (the service refuses them too)."""
    user = _user(request)
    current = current_nda()
    error = ""
    if request.method == "POST":
        try:
            if user.partner is None:
                raise Forbidden("staff do not accept the NDA: each partner's admin accepts it for the partner")
            accept_nda(user.partner, user, actor=_actor(request), ip=request.META.get("REMOTE_ADDR"))
            messages.success(request, f"{user.partner.name} accepted NDA version {current.version if current else ''}.")
            return redirect("portal:home")
        except HeadstartError as exc:
            error = exc.message
    acceptance = admins = None
    if user.partner is not None and current is not None:
        acceptance = NdaAcceptance.objects.filter(partner=user.partner, nda=current).select_related("user").first()
        if user.role != Role.PARTNER_ADMIN:
            admins = list(user.partner.users.filter(role=Role.PARTNER_ADMIN, is_active=True)
                          .order_by("email").values_list("email", flat=True))
    return render(request, "portal/nda.html", {"nda": current, "error": error, "acceptance": acceptance,
                                               "admins": admins, "may_accept": user.role == Role.PARTNER_ADMIN})


@require_safe
@login_required
def package(request: HttpRequest, ident: str) -> HttpResponseBase:
    """The same package as the API's, for people who download from the browser."""
    try:
        fetched = fetch_package(_user(request), ident, actor=_actor(request), route=Route.PORTAL)
    except NotFound:
        raise Http404("no such advisory") from None
    except HeadstartError as exc:
        return render(request, "portal/error.html", {"message": exc.message}, status=exc.status)
    return package_response(fetched)


@require_safe
@login_required
def advisory(request: HttpRequest, ident: str) -> HttpResponse:
    try:
        adv, artifacts = reads.view_advisory(_user(request), ident, actor=_actor(request))
    except NotFound:
        raise Http404("no such advisory") from None
    return render(request, "portal/advisory.html",
                  {"advisory": adv, "artifacts": artifacts, **copy_views.advisory_context(request, artifacts),
                   **readiness_views.advisory_context(request, adv, artifacts)})
