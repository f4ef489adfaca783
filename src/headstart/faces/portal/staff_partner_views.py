"""Staff: partners by tier and status; add one, import many from CSV, suspend, expel, reinstate.

The same services as `headstart partner add|import|suspend|expel|reinstate` and the API's
partner routes (partners.services): the same checks, the same audit events, an import of all
rows or none. A reason is required for every status change; expulsion, which is final, also asks
for an explicit confirmation.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from headstart.apps.investigations.services import investigation_ref_for_enforcement
from headstart.apps.partners.certificates import MAX_CERTIFICATE_BYTES
from headstart.apps.partners.models import Partner, PartnerStatus, Tier
from headstart.apps.partners.services import PartnerInput, add_partner, import_partners, set_status
from headstart.crypto.openpgp import CertificateError, armored
from headstart.errors import HeadstartError, Invalid
from headstart.faces.portal.people import actor_of
from headstart.faces.portal.staff import staff_page

MAX_CSV_BYTES = 10 * 1024 * 1024
STATUS_ACTIONS = {"suspend": PartnerStatus.SUSPENDED, "expel": PartnerStatus.EXPELLED,
                  "reinstate": PartnerStatus.ACTIVE}


def _certificate(request: HttpRequest) -> str:
    """The uploaded certificate as armored text ('' when none), refused as the CLI refuses it."""
    upload = request.FILES.get("pgp_cert")
    if upload is None:
        return ""
    raw = upload.read(MAX_CERTIFICATE_BYTES + 1)
    if len(raw) > MAX_CERTIFICATE_BYTES:
        raise Invalid(f"the certificate file is larger than {MAX_CERTIFICATE_BYTES} bytes")
    try:
        return armored(raw)
    except CertificateError as exc:
        raise Invalid(f"the certificate file: {exc}") from None


def _armored_cell(cell: str) -> str:
    """A pgp_cert cell of an uploaded CSV: the armored certificate itself. The CLI also reads a file
    a cell names; a server never opens a path a browser sent."""
    if cell.lstrip().startswith("-----BEGIN PGP"):
        return cell
    raise Invalid("pgp_cert must hold the armored certificate itself (-----BEGIN PGP PUBLIC KEY BLOCK-----...); "
                  "file paths work only with `headstart partner import`")


def _list(request: HttpRequest, *, error: str = "", import_error: str = "", form: Any = None,
          status: int = 200) -> HttpResponse:
    tiers = list(Tier.objects.order_by("name"))
    status_filter = request.GET.get("status", "")
    tier_filter = request.GET.get("tier", "")
    partners = Partner.objects.select_related("tier").order_by("tier__name", "status", "name")
    counts = Counter(partners.values_list("tier__name", "status"))
    if status_filter in PartnerStatus.values:
        partners = partners.filter(status=status_filter)
    if tier_filter:
        partners = partners.filter(tier__name=tier_filter)
    summary = [{"tier": t.name, "counts": [counts.get((t.name, s), 0) for s in PartnerStatus.values]} for t in tiers]
    return render(request, "portal/staff/partners.html", {
        "partners": list(partners), "tiers": tiers, "statuses": PartnerStatus.values, "summary": summary,
        "status_filter": status_filter, "tier_filter": tier_filter, "error": error, "import_error": import_error,
        "form": form or {}, "max_csv_bytes": MAX_CSV_BYTES,
    }, status=status)


@require_GET
@staff_page
def partners(request: HttpRequest) -> HttpResponse:
    return _list(request)


@require_POST
@staff_page
def add(request: HttpRequest) -> HttpResponse:
    try:
        partner = add_partner(PartnerInput(request.POST.get("name", ""), request.POST.get("tier", ""),
                                           request.POST.get("email", ""), _certificate(request)),
                              actor=actor_of(request), status=request.POST.get("status", PartnerStatus.ACTIVE))
    except HeadstartError as exc:
        return _list(request, error=exc.message, form=request.POST, status=400)
    messages.success(request, f"Added partner {partner.name} ({partner.status}, tier {partner.tier.name})"
                     + ("." if partner.pgp_fingerprint else "; it has no OpenPGP certificate yet, so no package "
                                                          "can be sent to it."))
    return redirect("portal:staff-partner", partner_id=partner.pk)


@require_POST
@staff_page
def import_csv(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("csv")
    try:
        if upload is None:
            raise Invalid("choose the CSV file to import")
        raw = upload.read(MAX_CSV_BYTES + 1)
        if len(raw) > MAX_CSV_BYTES:
            raise Invalid(f"the file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("the file is not UTF-8 text (save it as CSV UTF-8)") from None
        imported = import_partners(text, actor=actor_of(request), certificate_loader=_armored_cell)
    except HeadstartError as exc:
        return _list(request, import_error=exc.message, status=400)
    messages.success(request, f"Imported {len(imported)} partner{'s' if len(imported) != 1 else ''}: "
                     + ", ".join(p.name for p in imported[:20]) + (" and more." if len(imported) > 20 else "."))
    return redirect("portal:staff-partners")


def _partner(partner_id: int) -> Partner:
    partner = Partner.objects.select_related("tier").filter(pk=partner_id).first()
    if partner is None:
        raise Http404("no such partner")
    return partner


@require_GET
@staff_page
def partner(request: HttpRequest, partner_id: int) -> HttpResponse:
    p = _partner(partner_id)
    return render(request, "portal/staff/partner.html", {
        "partner": p, "history": list(p.status_history.all()), "users": list(p.users.order_by("email")),
        "may_suspend": p.status in (PartnerStatus.ACTIVE, PartnerStatus.APPLICANT),
        "may_reinstate": p.status == PartnerStatus.SUSPENDED,
        "may_expel": p.status != PartnerStatus.EXPELLED,
    })


@require_POST
@staff_page
def change_status(request: HttpRequest, partner_id: int) -> HttpResponse:
    """Suspend, expel or reinstate, with a reason (and, to expel, the confirmation)."""
    p = _partner(partner_id)
    action = request.POST.get("action", "")
    try:
        if action not in STATUS_ACTIONS:
            raise Invalid("choose suspend, expel or reinstate")
        if action == "expel" and request.POST.get("confirm") != "yes":
            raise Invalid("tick the confirmation: expulsion is final")
        set_status(p, STATUS_ACTIONS[action], reason=request.POST.get("reason", ""), actor=actor_of(request),
                   investigation_ref=investigation_ref_for_enforcement(request.POST.get("investigation", "")))
    except HeadstartError as exc:
        messages.error(request, f"Nothing changed: {exc.message}.")
    else:
        p.refresh_from_db()
        if p.status == PartnerStatus.ACTIVE:
            messages.success(request, f"{p.name} is active again. The sessions and API tokens it had stay revoked: "
                                      "its users sign in again and make new tokens.")
        else:
            messages.success(request, f"{p.name} is now {p.status}: its sessions and API tokens are revoked.")
    return redirect(reverse("portal:staff-partner", kwargs={"partner_id": p.pk}))
