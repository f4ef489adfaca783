"""Readiness in the portal: a partner uploads its rules (or confirms it is ready) on the advisory's
page and reads its latest result there; staff see coverage. The same services as the API
(readiness.services, readiness.coverage), so the same access rule and the same audit events."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from headstart.apps.advisories.models import Advisory, Artifact, ArtifactKind
from headstart.apps.readiness import services
from headstart.apps.readiness.coverage import coverage_table
from headstart.apps.readiness.models import Engine
from headstart.errors import HeadstartError, NotFound
from headstart.faces.portal.people import actor_of, refuse, user_of

ENGINES = [(Engine.YARA.value, Engine.YARA.label), (Engine.CLAMAV.value, Engine.CLAMAV.label)]


def advisory_context(request: HttpRequest, advisory: Advisory, artifacts: Iterable[Artifact]) -> dict[str, Any]:
    """What the advisory page shows of readiness: the partner's form and latest test (when its tier
    gets the binary PoC), or for staff every partner's latest test. Empty when none applies."""
    user = user_of(request)
    if not any(a.kind == ArtifactKind.POC_BINARY for a in artifacts):
        return {}  # the artifacts the viewer may see (reads.view_advisory): no binary PoC among them
    try:
        tests = services.latest_tests(user, advisory.ident, actor=actor_of(request))
    except NotFound:
        return {}  # no binary PoC open to this partner: nothing to test against
    if user.is_psirt:
        return {"readiness": {"staff": True, "tests": tests}}
    return {"readiness": {"staff": False, "latest": tests[0] if tests else None, "engines": ENGINES,
                          "max_bytes": settings.HEADSTART_READINESS_MAX_RULES_BYTES,
                          "warning": services.MARK_WARNING}}


def _back(ident: str) -> HttpResponse:
    return redirect(reverse("portal:advisory", args=[ident]) + "#readiness")


@login_required
@require_POST
def submit_rules(request: HttpRequest, ident: str) -> HttpResponse:
    """The upload form: queue a test of the rules for the worker, then back to the advisory's page."""
    upload = request.FILES.get("rules")
    try:
        if upload is None:
            raise HeadstartError("choose a rules file to upload")
        # One byte past the limit is enough to refuse it: a large upload is never read whole.
        raw = upload.read(settings.HEADSTART_READINESS_MAX_RULES_BYTES + 1)
        services.submit(user_of(request), ident, raw, engine=request.POST.get("engine", Engine.YARA),
                        filename=upload.name or "", note=request.POST.get("note", ""),
                        ready=request.POST.get("ready") == "on", actor=actor_of(request))
    except HeadstartError as exc:
        refuse(exc)
        messages.error(request, f"Your rules were not queued: {exc.message}")
    else:
        messages.success(request, "Your rules are queued for testing. The result shows below when the test is "
                                  "done: reload this page.")
    return _back(ident)


@login_required
@require_POST
def confirm_ready(request: HttpRequest, ident: str) -> HttpResponse:
    """Protections ready without a test (a partner using its own engine), with an optional note."""
    try:
        services.confirm_ready(user_of(request), ident, note=request.POST.get("note", ""), actor=actor_of(request))
    except HeadstartError as exc:
        refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your protections for this advisory are marked ready.")
    return _back(ident)


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    """Staff: each scheduled advisory, per tier and per partner."""
    try:
        table = coverage_table(user_of(request), actor=actor_of(request))
    except HeadstartError as exc:
        refuse(exc)
        raise
    return render(request, "portal/readiness/coverage.html", {"table": table})
