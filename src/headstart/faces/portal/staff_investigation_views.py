"""Staff: leak investigations. Upload leaked material and run the investigation (synchronously,
as `headstart investigate` and POST /api/v1/investigations do, through the same service); read a
result, its printable report and its plot; expel a partner the investigation accuses.

Every read of a result, report or plot is investigations.services.view_investigation's audited
read (they name partners). Expulsion is offered, and accepted, only for a partner in the
investigation's `accused` list: the partners whose family-wise p-value is at most the threshold,
the attribution's one accusation rule. The expulsion itself is partners.services.set_status,
which writes its own audit event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from headstart.apps.investigations.intake import IntakeLimits, Submission
from headstart.apps.investigations.models import Investigation
from headstart.apps.investigations.report import plot_svg
from headstart.apps.investigations.services import (
    get_investigation,
    investigate,
    investigation_ref_for_enforcement,
    report_html,
    view_investigation,
)
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.partners.services import set_status
from headstart.errors import HeadstartError, Invalid, NotFound
from headstart.faces.portal.people import actor_of
from headstart.faces.portal.staff import staff_page

LIST_SIZE = 100
# The report is self-contained (inline style, inline SVG, no script); it is shown in a sandboxed
# frame of the result page, so only this site may frame it.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
              "base-uri 'none'; form-action 'none'")
# The plot is an SVG image the project draws; its style travels inside it.
PLOT_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
PLOT_STYLE = ("<style>text{font-family:system-ui,sans-serif}.grid{stroke:#eceef1}"
              ".tick,.axis,.label{font-size:11px;fill:#5b6470}.partner{fill:#8a94a0}.accused{fill:#b3261e}"
              ".threshold{stroke:#b3261e;stroke-dasharray:6 4;stroke-width:1.5}"
              ".threshold-label{font-size:11px;fill:#b3261e}</style>")


def _submissions(request: HttpRequest, limits: IntakeLimits) -> list[Submission]:
    """The uploaded files and pasted text, with the API's size check (a file over the limit is
    refused before it is read)."""
    submissions = []
    for upload in request.FILES.getlist("files"):
        if upload.size is not None and upload.size > limits.max_total_bytes:
            raise Invalid(f"{upload.name} is {upload.size:,} bytes, more than the {limits.max_total_bytes:,} "
                          "an investigation takes")
        submissions.append(Submission(upload.name or "upload", upload.read()))
    text = request.POST.get("text", "")
    if text.strip():
        submissions.append(Submission("pasted text", text.encode("utf-8"), kind="text"))
    if not submissions:
        raise Invalid("no leaked material given: upload files or paste text")
    return submissions


@require_http_methods(["GET", "POST"])
@staff_page
def investigations(request: HttpRequest) -> HttpResponse:
    """Past investigations, newest first, and the form that starts one."""
    error, status = "", 200
    if request.method == "POST":
        limits = IntakeLimits.from_settings()
        try:
            inv = investigate(_submissions(request, limits), actor=actor_of(request),
                              advisory=request.POST.get("advisory", "").strip() or None,
                              threshold=request.POST.get("threshold", "").strip() or None, limits=limits)
        except HeadstartError as exc:
            error, status = exc.message, exc.status if exc.status in (400, 404, 409) else 400
        else:
            return redirect("portal:staff-investigation", ref=inv.ident)
    past = list(Investigation.objects.only("pk", "created_at", "created_by", "advisory", "accused")
                .order_by("-created_at", "-pk")[:LIST_SIZE])
    return render(request, "portal/staff/investigations.html", {
        "past": past, "error": error, "form": request.POST if error else {}, "list_size": LIST_SIZE,
        "max_bytes": IntakeLimits.from_settings().max_total_bytes,
    }, status=status)


def _viewed(request: HttpRequest, ref: str, what: str) -> Investigation:
    try:
        return view_investigation(ref, actor=actor_of(request), what=what)
    except NotFound:
        raise Http404("no such investigation") from None


def _expellable(names: list[str]) -> dict[str, Partner]:
    """The accused partners that can still be expelled (active or suspended), by name."""
    return {p.name: p for p in Partner.objects.filter(name__in=names, status__in=[
        PartnerStatus.ACTIVE, PartnerStatus.SUSPENDED])}


@require_GET
@staff_page
def investigation(request: HttpRequest, ref: str) -> HttpResponse:
    inv = _viewed(request, ref, "result")
    result: dict[str, Any] = inv.result
    accused = [a["partner"] for a in result["accused"]]
    expellable = _expellable(accused)
    statuses = dict(Partner.objects.filter(name__in=accused).values_list("name", "status"))
    rows = [dict(a, may_expel=a["partner"] in expellable, status=statuses.get(a["partner"], "unknown"))
            for a in result["accused"]]
    return render(request, "portal/staff/investigation.html", {
        "inv": inv, "r": result, "accused": rows, "ranking": result["ranking"],
        "has_plot": bool(result["scores"]),
    })


@require_GET
@staff_page
@xframe_options_sameorigin
def report(request: HttpRequest, ref: str) -> HttpResponse:
    """The printable report, exactly as the CLI writes it and the API serves it."""
    inv = _viewed(request, ref, "report")
    response = HttpResponse(report_html(inv), content_type="text/html; charset=utf-8")
    response["Content-Security-Policy"] = REPORT_CSP
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@staff_page
def plot(request: HttpRequest, ref: str) -> HttpResponse:
    """The report's plot as an SVG image: -log10 of each partner's family-wise p-value."""
    inv = _viewed(request, ref, "plot")
    result = inv.result
    if not result["scores"]:
        raise Http404("nothing was scored, so there is no plot")
    svg = plot_svg(result["scores"], result["threshold"])
    svg = svg.replace(">", ">" + PLOT_STYLE, 1)  # the style goes right inside the <svg> element
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = PLOT_CSP
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_page
def expel(request: HttpRequest, ref: str) -> HttpResponse:
    """Expel a partner the investigation accuses, with a reason and an explicit confirmation."""
    try:
        inv = get_investigation(ref)
    except NotFound:
        raise Http404("no such investigation") from None
    back = reverse("portal:staff-investigation", kwargs={"ref": inv.ident}) + "#accused"
    name = request.POST.get("partner", "")
    if name not in inv.accused:
        messages.error(request, f"{inv.ident} does not accuse {name!r}: only a partner it names at the "
                                "accusation threshold can be expelled from here. Nothing changed.")
        return redirect(back)
    if request.POST.get("confirm") != "yes":
        messages.error(request, f"Tick the confirmation to expel {name}: expulsion is final. Nothing changed.")
        return redirect(back)
    partner = _expellable([name]).get(name)
    try:
        if partner is None:
            raise Invalid(f"partner {name!r} is no longer active or suspended; it cannot be expelled")
        set_status(partner, PartnerStatus.EXPELLED, reason=request.POST.get("reason", ""), actor=actor_of(request),
                   investigation_ref=investigation_ref_for_enforcement(inv.ident))
    except HeadstartError as exc:
        messages.error(request, f"{name} was not expelled: {exc.message}.")
    else:
        messages.success(request, f"{name} is expelled, citing {inv.ident}: its sessions and API tokens are "
                                  "revoked for good.")
    return redirect(back)
