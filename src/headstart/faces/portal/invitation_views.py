"""Inviting (staff, a partner admin) and the invitation link's page (anyone holding the link).

The link's page only creates the account: the invitee then signs in at /login/ like everyone,
second factor included (enrolled on that first sign-in)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from headstart.apps.accounts import invitations, team
from headstart.apps.accounts.models import Role, User
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.errors import HeadstartError, Invalid
from headstart.faces.portal.people import actor_of, refuse, user_of
from headstart.faces.requests import client_ip


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """Staff invite staff or any partner's users; a partner admin invites its own partner's."""
    viewer = user_of(request)
    if not (viewer.is_psirt or team.is_partner_admin(viewer)):
        raise PermissionDenied("only PSIRT staff and partner admins invite users")
    roles = [(Role.PARTNER_ANALYST.value, "Analyst"), (Role.PARTNER_ADMIN.value, "Admin")]
    if viewer.is_psirt:
        roles.append((Role.STAFF.value, "PSIRT staff"))
    partners = (list(Partner.objects.filter(status__in=[PartnerStatus.ACTIVE, PartnerStatus.APPLICANT])
                     .order_by("name").only("pk", "name")) if viewer.is_psirt else [])
    form = {"email": "", "role": Role.PARTNER_ANALYST.value, "partner": ""}
    error, status = "", 200
    if request.method == "POST":
        form = {key: request.POST.get(key, "").strip() for key in form}
        try:
            partner = _partner(viewer, form["role"], form["partner"])
            invitation = invitations.invite(form["email"], role=form["role"], partner=partner, inviter=viewer,
                                            actor=actor_of(request))
        except HeadstartError as exc:
            refuse(exc)
            error, status = exc.message, exc.status
        else:
            messages.success(request, f"Invitation sent to {invitation.email}; its link works once, until "
                                      f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC.")
            return redirect("portal:team")
    return render(request, "portal/invitations/invite.html",
                  {"form": form, "roles": roles, "partners": partners, "error": error}, status=status)


def _partner(viewer: User, role: str, partner_id: str) -> Partner | None:
    """The partner invited into: a partner admin's own; the one staff chose (none for staff)."""
    if role == Role.STAFF:
        return None
    if not viewer.is_psirt:
        return viewer.partner
    partner = Partner.objects.filter(pk=int(partner_id)).first() if partner_id.isdigit() else None
    if partner is None:
        raise Invalid("choose the partner the user joins")
    return partner


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: set a password to create the account, then sign in."""
    invitation = invitations.for_token(token)
    if invitation is None:
        return _page(request, "portal/invitations/dead.html",
                     {"message": "This invitation link is not valid. Check that it was copied whole, "
                                 "or ask whoever invited you for a new one."}, status=404)
    dead = invitations.dead_message(invitation)
    error, status = "", 200
    if request.method == "POST" or dead:
        if request.method == "POST":
            password, repeat = request.POST.get("password1", ""), request.POST.get("password2", "")
            try:
                if password != repeat:
                    error, status = "The two passwords differ.", 400
                else:
                    invitations.accept(token, password, ip=client_ip(request))
                    messages.success(request, "Your password is set. Sign in with your e-mail address and it; "
                                              "you will then set up a second factor.")
                    return redirect("portal:login")
            except invitations.DeadLink as exc:
                dead = exc.message
            except HeadstartError as exc:
                error, status = exc.message, exc.status
        if dead:
            return _page(request, "portal/invitations/dead.html", {"message": dead.capitalize() + "."}, status=410)
    return _page(request, "portal/invitations/accept.html",
                 {"invitation": invitation, "error": error,
                  "password_help": password_validation.password_validators_help_text_html()}, status=status)


def _page(request: HttpRequest, template: str, context: dict, *, status: int) -> HttpResponse:
    response = render(request, template, context, status=status)
    # The link's token is in this page's address: never send it on to another site. (Not
    # no-referrer: the browser would then send the form with "Origin: null", which the CSRF
    # check refuses.)
    response["Referrer-Policy"] = "same-origin"
    return response
