"""PSIRT staff accounts: deactivate one (it cannot sign in, its sessions end, its API tokens are
revoked) and reactivate it, each with a reason in the audit log. Partner users are their
partner's admin's business (team.py); a partner's status covers the rest."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, Q

from headstart.apps.accounts import tokens
from headstart.apps.accounts.models import Role, User
from headstart.apps.audit.services import Actor, record
from headstart.apps.text import check_visible
from headstart.errors import Invalid, NotFound

MAX_REASON = 1000


def _reason(reason: str) -> str:
    reason = check_visible((reason or "").strip(), "reason")
    if not reason:
        raise Invalid("give a reason: it goes into the audit log")
    if len(reason) > MAX_REASON:
        raise Invalid(f"a reason is at most {MAX_REASON} characters")
    return reason


def _staff_member(user_id: int) -> User:
    """The staff user, locked for the change (the caller's transaction)."""
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None or user.role != Role.STAFF:
        raise NotFound("no such staff user")
    return user


def deactivate_staff(viewer: User, user_id: int, *, reason: str, actor: Actor) -> User:
    """A staff member who left or whose account is in doubt: signed out everywhere, tokens
    revoked, no sign-in until reactivated. Never oneself, never the last active staff member."""
    reason = _reason(reason)
    with transaction.atomic():
        user = _staff_member(user_id)
        if user.pk == viewer.pk:
            raise Invalid("you cannot deactivate your own account; ask another staff member")
        if not user.is_active:
            raise Invalid(f"{user.email} is already deactivated")
        if not User.objects.filter(role=Role.STAFF, is_active=True).exclude(pk=user.pk).exists():
            raise Invalid(f"{user.email} is the last active staff member")
        User.objects.filter(pk=user.pk).update(is_active=False, session_epoch=F("session_epoch") + 1)
        record(actor, "user.deactivate", user, reason=reason)
        tokens.revoke(tokens.unrevoked_of(Q(user=user)), actor=actor, reason="user deactivated")
    user.refresh_from_db()
    return user


def reactivate_staff(user_id: int, *, reason: str, actor: Actor) -> User:
    """Let a deactivated staff member sign in again. Its old sessions and tokens stay ended."""
    reason = _reason(reason)
    with transaction.atomic():
        user = _staff_member(user_id)
        if user.is_active:
            raise Invalid(f"{user.email} is already active")
        User.objects.filter(pk=user.pk).update(is_active=True)
        record(actor, "user.reactivate", user, reason=reason)
    user.refresh_from_db()
    return user
