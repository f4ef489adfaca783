"""A partner's team: who sees and manages which users, role changes, removals, the certificate.

One rule for every face (the portal's team pages, the CLI):

- PSIRT staff manage every partner's users (and staff users' removal).
- A partner admin manages its own partner's users only. Another partner's users do not exist
  for it: asking for one is NotFound, the same answer as for an id that was never used.
- An analyst sees its own partner's team, read-only. Who else at its organisation holds
  access to the program's confidential material, and who its admins are (whom to ask for a
  role or a certificate change), is something it needs to know and discloses nothing beyond
  its own partner. Any change is Forbidden.
- Nobody changes their own role or removes themselves, and a partner keeps at least one
  active admin: without one, nobody could accept a new NDA or manage the team.

Removing a user deactivates it (records stay: audit events and deliveries name it), revokes
its API tokens and ends its sessions, in one transaction with its audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q, QuerySet

from headstart.apps.accounts import tokens
from headstart.apps.accounts.models import Role, User
from headstart.apps.audit.services import Actor, record
from headstart.apps.partners.certificates import replace_certificate
from headstart.apps.partners.models import Partner
from headstart.errors import Forbidden, Invalid, NotFound

PARTNER_ROLES = (Role.PARTNER_ADMIN.value, Role.PARTNER_ANALYST.value)


def is_partner_admin(user: User) -> bool:
    return user.role == Role.PARTNER_ADMIN and user.partner_id is not None


def may_manage(viewer: User, partner: Partner | None) -> bool:
    """Whether ``viewer`` may invite into, change or remove users of ``partner`` (None: staff users)."""
    if viewer.is_psirt:
        return True
    return is_partner_admin(viewer) and partner is not None and partner.pk == viewer.partner_id


def require_manager(viewer: User, partner: Partner | None) -> None:
    """NotFound for another partner (or staff users), Forbidden for an analyst of this partner."""
    if may_manage(viewer, partner):
        return
    if partner is None or partner.pk != viewer.partner_id:
        raise NotFound("no such partner")
    raise Forbidden("only a partner admin manages the partner's users")


def team(viewer: User) -> QuerySet[User]:
    """The users ``viewer`` may see: its partner's (admin or analyst), or everyone's (staff)."""
    users = User.objects.select_related("partner").order_by("partner__name", "email")
    if viewer.is_psirt:
        return users
    if viewer.partner_id is None:  # never: the database requires a partner of non-staff users
        return users.none()
    return users.filter(partner_id=viewer.partner_id)


def member(viewer: User, user_id: int) -> User:
    """One user ``viewer`` may see, or NotFound (another partner's users included)."""
    found = team(viewer).filter(pk=user_id).first()
    if found is None:
        raise NotFound(f"no user with id {user_id}")
    return found


def _target(viewer: User, user_id: int) -> User:
    """The user to change, locked, checked against the rules above."""
    user = member(viewer, user_id)
    require_manager(viewer, user.partner)
    if user.pk == viewer.pk:
        raise Invalid("you cannot change your own role or remove yourself; ask another admin")
    return User.objects.select_for_update(of=("self",)).select_related("partner").get(pk=user.pk)


def _keeps_an_admin(user: User) -> None:
    """Refuse to take the partner's last active admin away (lock its admins while checking)."""
    if user.role != Role.PARTNER_ADMIN or not user.is_active:
        return
    others = list(User.objects.select_for_update().filter(partner=user.partner, role=Role.PARTNER_ADMIN,
                                                          is_active=True).exclude(pk=user.pk).values_list("pk", flat=True))
    if not others:
        raise Invalid(f"{user.email} is the only active admin of {user.partner}; make another user admin first")


def set_role(viewer: User, user_id: int, role: str, *, actor: Actor) -> User:
    """Make a partner user an admin or an analyst (audited as user.role)."""
    if role not in PARTNER_ROLES:
        raise Invalid(f"role {role!r}: a partner user is 'admin' or 'analyst'")
    with transaction.atomic():
        user = _target(viewer, user_id)
        if user.partner_id is None:
            raise Invalid(f"{user.email} is PSIRT staff, who have no partner role")
        if not user.is_active:
            raise Invalid(f"{user.email} has been removed")
        if user.role == role:
            return user
        if role != Role.PARTNER_ADMIN:
            _keeps_an_admin(user)
        old = user.role
        user.role = role
        user.save(update_fields=["role"])
        record(actor, "user.role", user, old_role=old, new_role=role,
               partner_name=user.partner.name if user.partner else "")
    return user


def remove(viewer: User, user_id: int, *, actor: Actor) -> User:
    """Deactivate a user for good: it cannot sign in, its tokens are revoked, its sessions end."""
    with transaction.atomic():
        user = _target(viewer, user_id)
        if not user.is_active:
            raise Invalid(f"{user.email} has already been removed")
        _keeps_an_admin(user)
        user.is_active = False
        user.save(update_fields=["is_active"])
        User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
        record(actor, "user.remove", user, role=user.role, partner_name=user.partner.name if user.partner else "")
        tokens.revoke(tokens.unrevoked_of(Q(user=user)), actor=actor, reason="user removed")
    user.refresh_from_db()
    return user


def set_certificate(viewer: User, data: bytes, *, actor: Actor, partner: Partner | None = None) -> Partner:
    """Replace a partner's OpenPGP certificate: its own admin (``partner`` is then its own), or
    staff naming the partner. Checked by the partners app exactly as when a partner is added."""
    target = partner if partner is not None else viewer.partner
    if target is None:
        raise Invalid("name the partner whose certificate to replace")
    if not viewer.is_psirt:
        if target.pk != viewer.partner_id:
            raise NotFound("no such partner")
        if not is_partner_admin(viewer):
            raise Forbidden("only a partner admin replaces the partner's certificate")
    return replace_certificate(target, data, actor=actor)
