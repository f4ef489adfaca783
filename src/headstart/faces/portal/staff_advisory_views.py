"""Staff: advisories. List them; create one with its files; check, schedule, prepare, withdraw;
replace an artifact or let one go out unmarked.

Each action is the service `headstart advisory|artifact ...` and the API call: create_advisory,
delivery.services.check_advisory/suggest_alternatives/schedule (which refuses an advisory the
check finds untraceable), delivery.preparation_jobs.request (queues prepare_all for a `headstart
worker`; the page shows its progress), withdraw_advisory, replace_artifact,
allow_unmarked; each writes its own audit event. A refusal changes nothing and says why in the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count, Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from headstart.apps.advisories.access import latest_artifacts, window_opens_at
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, ArtifactKind
from headstart.apps.advisories.services import (
    ArtifactInput,
    allow_unmarked,
    create_advisory,
    get_advisory,
    replace_artifact,
    withdraw_advisory,
)
from headstart.apps.delivery import preparation_jobs
from headstart.apps.delivery.services import check_advisory, schedule, suggest_alternatives
from headstart.apps.partners.models import Partner, PartnerStatus, Tier
from headstart.errors import HeadstartError, Invalid, NotFound
from headstart.faces.portal.people import actor_of, user_of
from headstart.faces.portal.staff import staff_page

# The create form's file inputs, one per kind (the CLI's --writeup, --guidance, --poc, --trigger-spec).
UPLOADS = [
    (ArtifactKind.WRITEUP, "Write-up", False, "Markdown, UTF-8; required."),
    (ArtifactKind.GUIDANCE, "Detection guidance", False, "Markdown, UTF-8; optional."),
    (ArtifactKind.POC_SOURCE, "Source PoCs", True, "Source code (.py, .c, ...), UTF-8; any number."),
    (ArtifactKind.POC_BINARY, "Binary PoCs", True, "Files that trigger the flaw; each needs its trigger specification."),
    (ArtifactKind.TRIGGER_SPEC, "Trigger specifications", True, "YAML, one per binary PoC; any number."),
]


def _advisory(ident: str) -> Advisory:
    try:
        return get_advisory(ident)
    except NotFound:
        raise Http404("no such advisory") from None


def _back(advisory: Advisory, anchor: str = "") -> HttpResponse:
    return redirect(reverse("portal:staff-advisory", kwargs={"ident": advisory.ident}) + anchor)


# ---- the list and the create form ------------------------------------------------------------

@require_GET
@staff_page
def advisories(request: HttpRequest) -> HttpResponse:
    """Every advisory, soonest patch time first, with each tier's window and its counts."""
    tiers = list(Tier.objects.order_by("-lead_time", "name"))
    rows = list(Advisory.objects.annotate(
        files=Count("artifacts__name", distinct=True),
        versions=Max("artifacts__version"),
        downloaders=Count("artifacts__copies__partner", distinct=True,
                          filter=Q(artifacts__copies__deliveries__isnull=False)),
    ).order_by("patch_at", "ident"))
    items = [{"a": a, "status": a.effective_status(), "windows": [(t.name, window_opens_at(a, t)) for t in tiers]}
             for a in rows]
    return render(request, "portal/staff/advisories.html", {"items": items, "tiers": tiers})


def _patch_at(text: str) -> str:
    """A datetime-local value (2026-12-09T17:00) is UTC, as the form says; a full ISO 8601 time
    with its own offset is taken as written. parse_patch_at then refuses as the CLI refuses."""
    text = (text or "").strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return text  # parse_patch_at names the problem
    return text if value.tzinfo is not None else value.replace(tzinfo=dt.UTC).isoformat()


def _read(upload: UploadedFile) -> bytes:
    """The upload's bytes, refused by size before it is read (the service checks again)."""
    limit = settings.HEADSTART_MAX_ARTIFACT_BYTES
    if upload.size is not None and upload.size > limit:
        raise Invalid(f"{upload.name} is {upload.size:,} bytes; the limit is {limit:,} bytes")
    return upload.read()


def _uploaded(request: HttpRequest) -> list[ArtifactInput]:
    items = []
    for kind, label, _many, _help in UPLOADS:
        files = request.FILES.getlist(kind)
        if kind in (ArtifactKind.WRITEUP, ArtifactKind.GUIDANCE) and len(files) > 1:
            raise Invalid(f"choose one file as the {label.lower()}")
        items += [ArtifactInput(kind, upload.name or "", _read(upload)) for upload in files]
    return items


@require_http_methods(["GET", "POST"])
@staff_page
def new(request: HttpRequest) -> HttpResponse:
    """The create form; its POST is create_advisory, all or nothing (a draft)."""
    error, status = "", 200
    if request.method == "POST":
        p = request.POST
        try:
            advisory = create_advisory(
                p.get("ident", ""), title=p.get("title", ""), patch_at=_patch_at(p.get("patch_at", "")),
                artifacts=_uploaded(request), actor=actor_of(request), cve=p.get("cve", ""), cvss=p.get("cvss", ""),
                products=p.get("products", "").splitlines())
        except HeadstartError as exc:
            error, status = exc.message, 409 if exc.status == 409 else 400
        else:
            messages.success(request, f"Created {advisory.ident} as a draft. Check it, then schedule it: partners see "
                                      "nothing of it until then.")
            return _back(advisory)
    return render(request, "portal/staff/advisory_new.html", {
        "error": error, "form": request.POST if error else {}, "uploads": UPLOADS,
        "max_bytes": settings.HEADSTART_MAX_ARTIFACT_BYTES,
    }, status=status)


# ---- one advisory ----------------------------------------------------------------------------

@require_GET
@staff_page
def advisory(request: HttpRequest, ident: str) -> HttpResponse:
    a = _advisory(ident)
    status = a.effective_status()
    versions = list(a.artifacts.order_by("name", "-version"))
    partners = Partner.objects.filter(status=PartnerStatus.ACTIVE).count()
    return render(request, "portal/staff/advisory.html", {
        "a": a, "status": status, "versions": versions, "latest": latest_artifacts(a),
        "windows": [(t, window_opens_at(a, t)) for t in Tier.objects.order_by("-lead_time", "name")],
        "may_change": status in (AdvisoryStatus.DRAFT, AdvisoryStatus.SCHEDULED),
        "may_schedule": status == AdvisoryStatus.DRAFT,
        "may_prepare": status == AdvisoryStatus.SCHEDULED, "partners": partners,
        "preparation": preparation_jobs.latest(a),
        "max_bytes": settings.HEADSTART_MAX_ARTIFACT_BYTES,
    })


def _excerpt(trace: Any) -> str:
    """The smallest excerpt naming its leaker, as `headstart advisory check` says it."""
    if trace is None:
        return "-"
    if trace.unit == "bytes":
        return "the whole file" if trace.names_leaker else "none"
    return f"{trace.smallest_excerpt} {trace.unit}" if trace.smallest_excerpt is not None else "none"


@require_GET
@staff_page
def check(request: HttpRequest, ident: str) -> HttpResponse:
    """The traceability report of `headstart advisory check`, with {{either|or}} proposals for a
    write-up or guidance whose copies would not name their leaker."""
    a = _advisory(ident)
    report = check_advisory(a)
    rows, suggestions = [], []
    for c in report.artifacts:
        rows.append({"c": c, "excerpt": _excerpt(c.trace)})
        if c.advice and c.kind in (ArtifactKind.WRITEUP, ArtifactKind.GUIDANCE):
            name = c.file_name
            try:
                suggestions.append({"name": name, "s": suggest_alternatives(a, name)})
            except HeadstartError as exc:
                suggestions.append({"name": name, "error": exc.message})
    return render(request, "portal/staff/advisory_check.html", {
        "a": a, "report": report, "rows": rows, "suggestions": suggestions,
        "may_schedule": a.effective_status() == AdvisoryStatus.DRAFT,
    })


@require_POST
@staff_page
def schedule_view(request: HttpRequest, ident: str) -> HttpResponse:
    a = _advisory(ident)
    try:
        commitment = schedule(a, actor=actor_of(request))
    except HeadstartError as exc:
        messages.error(request, f"Not scheduled: {exc.message}.")
    else:
        messages.success(request, f"Scheduled {a.ident}: each tier sees it as its window opens. Codebook commitment "
                                  f"{commitment.digest}.")
    return _back(a)


@require_POST
@staff_page
def prepare(request: HttpRequest, ident: str) -> HttpResponse:
    """Queue the preparation for a `headstart worker`; the advisory's page shows its progress."""
    a = _advisory(ident)
    try:
        preparation_jobs.request(a, user=user_of(request), actor=actor_of(request))
    except HeadstartError as exc:
        messages.error(request, f"Nothing queued: {exc.message}.")
    else:
        messages.success(request, f"Queued the preparation of {a.ident}'s packages: a worker prepares them; "
                                  "this page shows how far it has got.")
    return _back(a, "#prepare")


@require_POST
@staff_page
def withdraw(request: HttpRequest, ident: str) -> HttpResponse:
    a = _advisory(ident)
    try:
        if request.POST.get("confirm") != "yes":
            raise Invalid("tick the confirmation: withdrawal is final")
        withdraw_advisory(a, reason=request.POST.get("reason", ""), actor=actor_of(request))
    except HeadstartError as exc:
        messages.error(request, f"Not withdrawn: {exc.message}.")
    else:
        messages.success(request, f"Withdrew {a.ident}: partners no longer see it; those who could are notified.")
    return _back(a)


@require_POST
@staff_page
def replace(request: HttpRequest, ident: str) -> HttpResponse:
    a = _advisory(ident)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise Invalid("choose the changed file")
        name = request.POST.get("name", "") or upload.name or ""
        artifact = replace_artifact(a, name, _read(upload), actor=actor_of(request))
    except HeadstartError as exc:
        messages.error(request, f"Nothing replaced: {exc.message}.")
    else:
        messages.success(request, f"{artifact.name} is now version {artifact.version} ({artifact.sha256[:16]}); "
                                  "copies made of earlier versions stay attributable.")
    return _back(a, "#artifacts")


@require_POST
@staff_page
def unmarked(request: HttpRequest, ident: str) -> HttpResponse:
    a = _advisory(ident)
    try:
        artifact = allow_unmarked(a, request.POST.get("name", ""), reason=request.POST.get("reason", ""),
                                  actor=actor_of(request))
    except HeadstartError as exc:
        messages.error(request, f"Nothing changed: {exc.message}.")
    else:
        messages.success(request, f"{artifact.name} may go out unmarked: {artifact.unmarked_reason}")
    return _back(a, "#artifacts")
