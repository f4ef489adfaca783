"""My team: a partner's users and pending invitations, role changes, removals, the certificate.

Every rule is accounts.team's (and accounts.invitations'): these pages show what a service
returns and turn its refusals into pages (another partner's user: 404; an analyst changing
something: 403; a broken rule: the message, nothing changed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from headstart.apps.accounts import invitations, team
from headstart.apps.partners.certificates import MAX_CERTIFICATE_BYTES
from headstart.errors import HeadstartError
from headstart.faces.portal.people import actor_of, refuse, user_of


@login_required
@require_http_methods(["GET"])
def team_page(request: HttpRequest) -> HttpResponse:
    """The users the viewer may see (staff: everyone) and the pending invitations."""
    viewer = user_of(request)
    users = list(team.team(viewer))
    pending = list(invitations.visible(viewer))
    manages = viewer.is_psirt or team.is_partner_admin(viewer)
    rows = [{"user": u, "manageable": manages and u.pk != viewer.pk and u.is_active,
             "partner_role": u.partner_id is not None} for u in users]
    return render(request, "portal/team/team.html", {
        "rows": rows, "invitations": pending, "manages": manages, "roles": team.PARTNER_ROLES,
    })


@login_required
@require_POST
def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    viewer = user_of(request)
    try:
        user = team.set_role(viewer, user_id, request.POST.get("role", ""), actor=actor_of(request))
    except HeadstartError as exc:
        refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{user.email} is now {user.get_role_display().lower()}.")
    return redirect("portal:team")


@login_required
@require_http_methods(["GET", "POST"])
def remove_user(request: HttpRequest, user_id: int) -> HttpResponse:
    """GET asks to confirm; POST removes (deactivates) the user."""
    viewer = user_of(request)
    if request.method == "POST":
        try:
            user = team.remove(viewer, user_id, actor=actor_of(request))
        except HeadstartError as exc:
            refuse(exc)
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{user.email} has been removed: it can no longer sign in, "
                                      "and its API tokens are revoked.")
        return redirect("portal:team")
    try:
        user = team.member(viewer, user_id)
        team.require_manager(viewer, user.partner)
    except HeadstartError as exc:
        refuse(exc)
        raise
    return render(request, "portal/team/remove.html", {"member": user})


@login_required
@require_POST
def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    try:
        invitation = invitations.revoke(invitation_id, actor=actor_of(request), viewer=user_of(request))
    except HeadstartError as exc:
        refuse(exc)
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The invitation of {invitation.email} is revoked: its link no longer works.")
    return redirect("portal:team")


@login_required
@require_http_methods(["GET", "POST"])
def certificate(request: HttpRequest) -> HttpResponse:
    """The viewer's partner's OpenPGP certificate; its admin uploads a new one. Staff, who have
    no partner, replace certificates with the command line (not found here)."""
    viewer = user_of(request)
    partner = viewer.partner
    if partner is None:
        raise Http404("staff have no partner certificate")
    error, status = "", 200
    if request.method == "POST":
        if not team.is_partner_admin(viewer):  # before looking at the upload; the service checks again
            raise PermissionDenied("only a partner admin replaces the partner's certificate")
        upload = request.FILES.get("certificate")
        try:
            if upload is None:
                error, status = "Choose the certificate file to upload.", 400
            elif upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
                error, status = (f"The file is {upload.size} bytes; a certificate is at most "
                                 f"{MAX_CERTIFICATE_BYTES} bytes."), 400
            else:
                partner = team.set_certificate(viewer, upload.read(MAX_CERTIFICATE_BYTES + 1), actor=actor_of(request))
                messages.success(request, f"The certificate {partner.pgp_fingerprint} is now {partner}'s: "
                                          "packages are encrypted to it from now on.")
                return redirect("portal:certificate")
        except HeadstartError as exc:
            refuse(exc)
            error, status = exc.message, exc.status
    return render(request, "portal/team/certificate.html", {
        "partner": partner, "error": error, "may_upload": team.is_partner_admin(viewer),
        "max_bytes": MAX_CERTIFICATE_BYTES,
    }, status=status)
