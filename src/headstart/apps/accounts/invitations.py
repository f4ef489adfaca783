"""Invitations by e-mail link: staff invite staff; staff or a partner admin invite its partner's users.

The link carries 256 random bits; only their SHA-256 is stored (invitation_models.Invitation).
It works once, for INVITATION_DAYS, and not after it is revoked. Opening it lets its holder set
a password (Django's validators), which creates the account; signing in is then the ordinary
sign-in, second factor included. Who may invite whom is accounts.team's rule.

Audited: invitation.create, invitation.accept (with user.add for the account),
invitation.revoke, invitation.expire (once, when the expiry is first noticed: a listing or a
use of the link), and invitation.refused (a password sent with a used, revoked or expired link).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from headstart.apps.accounts import services, team
from headstart.apps.accounts.models import Invitation, Role, User
from headstart.apps.audit.services import Actor, record
from headstart.apps.partners.models import Partner, PartnerStatus
from headstart.apps.program.models import Program
from headstart.errors import Conflict, Forbidden, HeadstartError, Invalid, NotFound

logger = logging.getLogger(__name__)

INVITATION_DAYS = 7
TOKEN_PREFIX = "hsi_"
ROLES = (Role.STAFF.value, Role.PARTNER_ADMIN.value, Role.PARTNER_ANALYST.value)
PATH = "/invitations/"  # the portal's page for a link (faces/portal/urls.py)


class DeadLink(HeadstartError):
    """The link was used, revoked or has expired: it can never create an account."""

    status = 410


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link(token: str) -> str:
    # From the configured portal address, never from the request's Host header.
    return settings.HEADSTART_PORTAL_URL.rstrip("/") + PATH + token + "/"


def state(invitation: Invitation) -> str:
    """pending, accepted, revoked or expired."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expired_at is not None or invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def _clean_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(f"{email!r} is not a valid e-mail address") from None
    return email


def _check_inviter(inviter: User | None, role: str, partner: Partner | None) -> None:
    """``inviter`` None is the command line, which acts with staff rights."""
    if role not in ROLES:
        raise Invalid(f"role {role!r}: choose staff, admin or analyst")
    if role == Role.STAFF:
        if partner is not None:
            raise Invalid("staff belong to no partner")
        if inviter is not None and not inviter.is_psirt:
            raise Forbidden("only PSIRT staff invite staff")
        return
    if partner is None:
        raise Invalid("a partner user needs a partner")
    if inviter is not None:
        team.require_manager(inviter, partner)
    # As stored now, not as the caller's copy remembers it.
    status = Partner.objects.filter(pk=partner.pk).values_list("status", flat=True).first()
    if status not in (PartnerStatus.ACTIVE, PartnerStatus.APPLICANT):
        raise Invalid(f"partner {partner.name!r} is {status}: it cannot gain users")


def invite(email: str, *, role: str, actor: Actor, inviter: User | None = None,
           partner: Partner | None = None) -> Invitation:
    """Record an invitation and mail its link. Raises (changing nothing) for a bad address, an
    inviter who may not invite into that role or partner, an existing account or a pending
    invitation of the same address; if the mail cannot be sent, the invitation is revoked."""
    email = _clean_email(email)
    _check_inviter(inviter, role, partner)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        if User.objects.filter(email=email).exists():
            raise Conflict(f"{email} already has an account")
        _expire_overdue(Q(email=email))
        pending = _pending().filter(email=email).first()
        if pending is not None:
            raise Conflict(f"{email} already has a pending invitation (id {pending.pk}); revoke it to send a new one")
        invitation = Invitation.objects.create(
            email=email, role=role, partner=partner, digest=_digest(token), invited_by=inviter,
            invited_by_name=actor.name, expires_at=timezone.now() + timedelta(days=INVITATION_DAYS))
        record(actor, "invitation.create", invitation, email=email, role=role,
               partner_name=partner.name if partner else "", expires_at=invitation.expires_at)
    try:
        _message(invitation, token).send()
    except Exception as exc:  # noqa: BLE001 - any backend's failure: SMTP, socket, file
        logger.warning("invitation %s: mail to %s not sent: %s", invitation.pk, email, exc)
        _revoke(invitation, actor=actor, reason="the mail could not be sent")
        raise Invalid(f"the invitation mail to {email} could not be sent ({type(exc).__name__}); "
                      "nothing was kept, try again") from None
    return invitation


def _message(invitation: Invitation, token: str) -> EmailMessage:
    program = Program.objects.filter(pk=1).first()
    name = program.name if program else "Headstart"
    what = ("PSIRT staff" if invitation.role == Role.STAFF
            else f"{'an admin' if invitation.role == Role.PARTNER_ADMIN else 'an analyst'} of {invitation.partner}")
    body = (f"{invitation.invited_by_name} invites you to {name} as {what}.\n\n"
            f"Open this link to set your password (it works once, until "
            f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC):\n\n{link(token)}\n\n"
            "Then sign in with your e-mail address and that password; on the first sign-in you set up "
            "a second factor.\n\nIf you did not expect this mail, ignore it: nothing happens without the link.\n")
    return EmailMessage(f"[{name}] Invitation", body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def _pending() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expired_at__isnull=True,
                                     expires_at__gt=timezone.now())


def _expire_overdue(which: Q) -> None:
    """Mark and audit (once) the invitations that have passed their expiry unused."""
    now = timezone.now()
    overdue = Invitation.objects.filter(which, accepted_at__isnull=True, revoked_at__isnull=True,
                                        expired_at__isnull=True, expires_at__lte=now)
    for invitation in overdue.select_for_update().order_by("pk"):
        if Invitation.objects.filter(pk=invitation.pk, expired_at__isnull=True).update(expired_at=now):
            record(Actor.system(), "invitation.expire", invitation, email=invitation.email,
                   expires_at=invitation.expires_at)


def visible(viewer: User) -> QuerySet[Invitation]:
    """The pending invitations ``viewer`` sees: every one (staff), its partner's (partner users)."""
    if viewer.is_psirt:
        which = Q()
    elif viewer.partner_id is not None:
        which = Q(partner_id=viewer.partner_id)
    else:  # never: the database requires a partner of non-staff users
        return Invitation.objects.none()
    with transaction.atomic():
        _expire_overdue(which)
    return _pending().filter(which).select_related("partner").order_by("created_at", "pk")


def listing() -> QuerySet[Invitation]:
    """Every invitation, newest first (staff's command line)."""
    with transaction.atomic():
        _expire_overdue(Q())
    return Invitation.objects.select_related("partner").order_by("-created_at", "-pk")


def for_token(token: str) -> Invitation | None:
    """The invitation a link's token names (in any state), or None. Changes nothing."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    return Invitation.objects.select_related("partner").filter(digest=_digest(token)).first()


def accept(token: str, password: str, *, ip: str | None = None) -> User:
    """Create the invited account with ``password`` (Django's validators), once. A used,
    revoked or expired link raises DeadLink, an unknown one NotFound; neither changes an account,
    and a dead link's use is audited (invitation.refused)."""
    invitation = for_token(token)
    if invitation is None:
        raise NotFound("this invitation link is not valid")
    refused = ""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("partner").get(pk=invitation.pk)
        _expire_overdue(Q(pk=invitation.pk))
        invitation.refresh_from_db()
        current = state(invitation)
        actor = Actor(name=invitation.email, partner=invitation.partner.name if invitation.partner else "", ip=ip)
        if current != "pending":
            refused = current
            record(actor, "invitation.refused", invitation, email=invitation.email, reason=current)
    if refused:
        raise DeadLink(_DEAD[refused])
    partner = invitation.partner
    if partner is not None and partner.status not in (PartnerStatus.ACTIVE, PartnerStatus.APPLICANT):
        raise Invalid(f"{partner.name} is {partner.status}: its users cannot sign in")
    if not password:
        raise Invalid("choose a password")
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if state(invitation) != "pending":  # used in the meantime, by a request that got here first
            raise DeadLink(_DEAD[state(invitation)])
        user = services.add_user(invitation.email, actor=actor, partner=partner,
                                 role=None if invitation.role == Role.STAFF else invitation.role,
                                 staff=invitation.role == Role.STAFF, password=password)
        invitation.accepted_at = timezone.now()
        invitation.user = user
        invitation.save(update_fields=["accepted_at", "user"])
        record(actor, "invitation.accept", invitation, email=invitation.email, role=invitation.role,
               partner_name=partner.name if partner else "")
    return user


_DEAD = {
    "accepted": "this invitation has already been used: sign in with the password chosen then, or reset it",
    "revoked": "this invitation has been revoked: ask whoever invited you for a new one",
    "expired": "this invitation has expired: ask whoever invited you for a new one",
}


def dead_message(invitation: Invitation) -> str:
    """What a person opening this link is told, '' while it can be used."""
    return _DEAD.get(state(invitation), "")


def get(viewer: User | None, invitation_id: int) -> Invitation:
    """One invitation ``viewer`` may manage (None: the command line), or NotFound."""
    invitation = Invitation.objects.select_related("partner").filter(pk=invitation_id).first()
    if invitation is None or (viewer is not None and not viewer.is_psirt
                              and invitation.partner_id != viewer.partner_id):
        raise NotFound(f"no invitation with id {invitation_id}")
    if viewer is not None:
        team.require_manager(viewer, invitation.partner)
    return invitation


def revoke(invitation_id: int, *, actor: Actor, viewer: User | None = None) -> Invitation:
    """Revoke a pending invitation: its link stops working (audited as invitation.revoke)."""
    invitation = get(viewer, invitation_id)
    if state(invitation) != "pending":
        raise Invalid(f"invitation {invitation.pk} is {state(invitation)}; only a pending one can be revoked")
    if not _revoke(invitation, actor=actor, reason="revoked"):
        raise Invalid(f"invitation {invitation.pk} is no longer pending")
    invitation.refresh_from_db()
    return invitation


def _revoke(invitation: Invitation, *, actor: Actor, reason: str) -> bool:
    with transaction.atomic():
        changed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True,
                                            revoked_at__isnull=True).update(revoked_at=timezone.now())
        if changed:
            record(actor, "invitation.revoke", invitation, email=invitation.email, reason=reason)
    return bool(changed)
