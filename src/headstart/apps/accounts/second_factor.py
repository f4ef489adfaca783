"""The second-factor rule: a session is signed in only once it has passed a second factor.

django-allauth's MFA stage asks an enrolled user for a TOTP code, a security key or a recovery
code before it signs the session in at all. Two other ways in remain, and this module closes
them: a user with no second factor yet (first sign-in) gets a session that may only enrol one,
and a session signed in by any other path (Django's admin sign-in form, a login() elsewhere)
never has the mark below, so it is signed out. The mark is set in the session when allauth
reports a second factor used, or when the user enrols one in this very session (which proves
possession of it)."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from headstart.apps.accounts.models import User
from headstart.apps.audit.services import Actor, record
from headstart.errors import Invalid

# In the session: the id of the user who passed a second factor in it. A session moved to
# another user (Django's login() flushes it then) does not carry the mark along.
SESSION_KEY = "headstart.second_factor"

ENROLLED_KEY = "headstart.second_factor_enrolled_at"

# The kinds that make a second factor; recovery codes only stand in for a lost one.
FACTOR_TYPES = ("totp", "webauthn")


def has_factor(user: User) -> bool:
    """Whether the user has enrolled a TOTP app or a security key."""
    from allauth.mfa.models import Authenticator  # allauth's models load after the app registry

    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def mark_passed(request: HttpRequest, user: User) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        session[SESSION_KEY] = user.pk


def mark_enrolled(request: HttpRequest) -> None:
    """Note when this session enrolled a factor: seeing the new recovery codes right after
    needs no second password prompt."""
    session = getattr(request, "session", None)
    if session is not None:
        session[ENROLLED_KEY] = time.time()


def recently_enrolled(request: HttpRequest | None) -> bool:
    session = getattr(request, "session", None)
    enrolled = session.get(ENROLLED_KEY) if session is not None else None
    return isinstance(enrolled, float) and 0 <= time.time() - enrolled < settings.ACCOUNT_REAUTHENTICATION_TIMEOUT


def passed(request: HttpRequest, user: User) -> bool:
    """Whether this session passed a second factor for this user (and the user still has one)."""
    session = getattr(request, "session", None)
    return session is not None and session.get(SESSION_KEY) == user.pk and has_factor(user)


def reset_factors(user: User, *, actor: Actor, reason: str) -> int:
    """Staff remove every second factor of a user who lost theirs (app, keys and recovery codes)
    and end the user's sessions: the next sign-in enrols a factor anew. Audited as
    auth.mfa_reset with the reason; returns how many authenticators went."""
    from allauth.mfa.models import Authenticator

    if not (reason or "").strip():
        raise Invalid("give a reason (--reason): it goes into the audit log")
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        removed, _ = Authenticator.objects.filter(user_id=locked.pk).delete()
        User.objects.filter(pk=locked.pk).update(session_epoch=F("session_epoch") + 1)
        record(actor, "auth.mfa_reset", locked, authenticators=removed, reason=reason.strip())
    return int(removed)
