"""Staff: the program's settings. Tiers (each one's window before the patch and what it is
entitled to), NDA versions (publish one, see who accepted which) and users (every account with
its role, status, second factor and last sign-in; deactivate or reactivate staff, end a lockout,
remove a lost second factor).

The same services as `headstart tier|nda|user|signin`: partners.services.update_tier and
publish_nda, accounts.staff_accounts, accounts.lockouts.unlock and second_factor.reset_factors,
so the same checks and the same audit events. A refusal is a message in the page; nothing changes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from headstart.apps.accounts import lockouts, second_factor, staff_accounts
from headstart.apps.accounts.models import Role, User
from headstart.apps.accounts.services import list_users
from headstart.apps.partners.models import (
    ENTITLEMENTS,
    NdaAcceptance,
    NdaVersion,
    Partner,
    PartnerStatus,
    Tier,
)
from headstart.apps.partners.services import MAX_LEAD_TIME, current_nda, publish_nda, update_tier
from headstart.errors import HeadstartError, Invalid, NotFound
from headstart.faces.portal.people import actor_of, user_of
from headstart.faces.portal.staff import staff_page

MAX_NDA_BYTES = 1024 * 1024
MAX_LEAD_HOURS = int(MAX_LEAD_TIME.total_seconds() // 3600)


# --- tiers --------------------------------------------------------------------------------------

def _tiers_page(request: HttpRequest, *, error: str = "", error_tier: str = "", status: int = 200) -> HttpResponse:
    tiers = list(Tier.objects.annotate(members=Count("partners")).order_by("-lead_time", "name"))
    rows = [{"tier": t, "hours": t.lead_time.total_seconds() / 3600, "kinds": sorted(t.artifact_kinds)} for t in tiers]
    return render(request, "portal/staff/tiers.html", {
        "rows": rows, "entitlements": ENTITLEMENTS, "max_hours": MAX_LEAD_HOURS, "error": error,
        "error_tier": error_tier}, status=status)


@require_GET
@staff_page
def tiers(request: HttpRequest) -> HttpResponse:
    return _tiers_page(request)


def _hours(text: str) -> timedelta:
    try:
        hours = int(text.strip())
    except ValueError:
        raise Invalid(f"the window {text.strip()!r} is not a whole number of hours") from None
    if not 1 <= hours <= MAX_LEAD_HOURS:
        raise Invalid(f"the window must be between 1 and {MAX_LEAD_HOURS} hours before the patch")
    return timedelta(hours=hours)


@require_POST
@staff_page
def edit_tier(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("tier", "")
    try:
        tier = update_tier(name, lead_time=_hours(request.POST.get("lead_hours", "")),
                           entitlements=request.POST.getlist("entitlements"), actor=actor_of(request))
    except NotFound as exc:
        return _tiers_page(request, error=exc.message, status=404)
    except HeadstartError as exc:
        return _tiers_page(request, error=exc.message, error_tier=name, status=400)
    messages.success(request, f"Tier {tier.name}: the window opens {int(tier.lead_time.total_seconds() // 3600)} "
                              f"hours before the patch; entitled to {', '.join(tier.entitlements)}.")
    return redirect("portal:staff-tiers")


# --- NDA versions ---------------------------------------------------------------------------------

def _nda_page(request: HttpRequest, *, error: str = "", draft: str = "", status: int = 200) -> HttpResponse:
    current = current_nda()
    versions = list(NdaVersion.objects.defer("text").annotate(accepted=Count("acceptances")).order_by("-version"))
    acceptances = list(NdaAcceptance.objects.select_related("partner", "user", "nda")
                       .only("accepted_at", "partner__name", "partner__status", "user__email", "nda__version")
                       .order_by("-nda__version", "partner__name"))
    accepted_current = {a.partner_id for a in acceptances if current is not None and a.nda_id == current.pk}
    waiting = [p for p in Partner.objects.filter(status__in=[PartnerStatus.ACTIVE, PartnerStatus.APPLICANT])
               .only("name", "status").order_by("name") if p.pk not in accepted_current]
    return render(request, "portal/staff/nda.html", {
        "current": current, "versions": versions, "acceptances": acceptances, "waiting": waiting,
        "error": error, "draft": draft, "max_bytes": MAX_NDA_BYTES}, status=status)


@require_GET
@staff_page
def nda_versions(request: HttpRequest) -> HttpResponse:
    return _nda_page(request)


def _nda_text(request: HttpRequest) -> str:
    """The uploaded file's text if one was chosen, else the text area's."""
    upload = request.FILES.get("file")
    if upload is None:
        return request.POST.get("text", "")
    raw = upload.read(MAX_NDA_BYTES + 1)
    if len(raw) > MAX_NDA_BYTES:
        raise Invalid(f"the file is larger than {MAX_NDA_BYTES // 1024} KB")
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise Invalid("the file is not UTF-8 text") from None


@require_POST
@staff_page
def publish(request: HttpRequest) -> HttpResponse:
    try:
        nda = publish_nda(_nda_text(request), actor=actor_of(request))
    except HeadstartError as exc:
        return _nda_page(request, error=exc.message, draft=request.POST.get("text", ""), status=400)
    messages.success(request, f"Published NDA version {nda.version}. Every partner's admin must accept it before "
                              "the partner sees advisories again.")
    return redirect("portal:staff-nda")


# --- users --------------------------------------------------------------------------------------

USER_ACTIONS = ("deactivate", "reactivate", "unlock", "reset-factors")


@require_GET
@staff_page
def users(request: HttpRequest) -> HttpResponse:
    from allauth.mfa.models import Authenticator  # allauth's models load after the app registry

    enrolled = set(Authenticator.objects.filter(type__in=second_factor.FACTOR_TYPES)
                   .values_list("user_id", flat=True).distinct())
    locked = {lock.email for lock in lockouts.current()}
    rows: list[dict[str, Any]] = [{"user": u, "mfa": u.pk in enrolled, "locked": u.email in locked}
                                  for u in list_users()]
    return render(request, "portal/staff/users.html", {
        "staff": [r for r in rows if r["user"].role == Role.STAFF],
        "partner_users": [r for r in rows if r["user"].role != Role.STAFF],
        "me": user_of(request).pk})


def _target(raw: str) -> User:
    try:
        user = User.objects.select_related("partner").filter(pk=int(raw)).first()
    except ValueError:
        user = None
    if user is None:
        raise NotFound("no such user")
    return user


@require_POST
@staff_page
def change_user(request: HttpRequest) -> HttpResponse:
    """One of USER_ACTIONS on one user (the form's ``user``), with a reason where the service keeps one."""
    viewer, actor = user_of(request), actor_of(request)
    action, reason = request.POST.get("action", ""), request.POST.get("reason", "")
    try:
        target = _target(request.POST.get("user", ""))
        if action == "deactivate":
            staff_accounts.deactivate_staff(viewer, target.pk, reason=reason, actor=actor)
            done = f"{target.email} is deactivated: signed out everywhere, API tokens revoked."
        elif action == "reactivate":
            staff_accounts.reactivate_staff(target.pk, reason=reason, actor=actor)
            done = f"{target.email} may sign in again (with new sessions and new API tokens)."
        elif action == "unlock":
            removed = lockouts.unlock(target.email, actor=actor)
            done = f"{target.email} may sign in again now." if removed else f"{target.email} was not locked out."
        elif action == "reset-factors":
            if not reason.strip():
                raise Invalid("give a reason: it goes into the audit log")
            removed = second_factor.reset_factors(target, actor=actor, reason=reason)
            done = (f"Removed {removed} second-factor record(s) of {target.email} and ended their sessions; they set "
                    "up a new second factor at their next sign-in.")
        else:
            raise Invalid(f"choose one of: {', '.join(USER_ACTIONS)}")
    except HeadstartError as exc:
        messages.error(request, f"Nothing changed: {exc.message}.")
    else:
        messages.success(request, done)
    return redirect("portal:staff-users")
