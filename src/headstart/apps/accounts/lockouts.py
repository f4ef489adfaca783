"""Sign-in lockouts (django-axes' records): which e-mail addresses are locked out from where,
and staff unlocking one before its lockout ends (audited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from headstart.apps.accounts.signin import MAX_NAME
from headstart.apps.audit.services import Actor, record


@dataclass(frozen=True)
class Lockout:
    email: str
    ip: str
    failures: int
    last_failure: datetime
    ends_at: datetime


def current() -> list[Lockout]:
    """The (e-mail address, IP address) pairs locked out now, newest first."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                            attempt_time__gte=since).order_by("-attempt_time")
    return [Lockout(a.username or "", a.ip_address or "", a.failures_since_start, a.attempt_time,
                    a.attempt_time + settings.AXES_COOLOFF_TIME) for a in attempts]


def unlock(email: str, *, actor: Actor) -> int:
    """Forget the failed sign-ins counted for this e-mail address (from every IP address), so it
    may sign in again at once, and end a lock of the user's second step (too many wrong codes).
Returns how many records went; audited as auth.unlock."""
    from axes.utils import reset

    from headstart.apps.accounts.models import User

    name = (email or "").strip().lower()[:MAX_NAME]
    with transaction.atomic():
        removed = int(reset(username=name))
        user = User.objects.filter(email=name).first()
        if user is not None and caches["shared"].get(second_factor_failures_key(user.pk)) is not None:
            caches["shared"].delete(second_factor_failures_key(user.pk))
            removed += 1
        record(actor, "auth.unlock", object_type="user", object_id=name, records=removed)
    return removed


def second_factor_failures_key(user_pk: object) -> str:
    """The shared-cache key of a user's count of wrong second-factor codes (forms.py)."""
    return f"headstart:mfa-failures:{user_pk}"
