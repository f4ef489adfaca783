"""API tokens: 256 random bits, stored as SHA-256 (a slow hash adds nothing at this entropy)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.audit.services import Actor
from headstart.apps.audit.services import record as audit_record

PREFIX = "hs_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User) -> tuple[ApiToken, str]:
    """Create a token; returns the record and the token text (never stored)."""
    token = PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(user=user, prefix=token[:10], digest=digest(token))
    return record, token


def user_for_token(token: str, *, ip: str | None = None) -> User | None:
    """The active user a token belongs to, or None (unknown, revoked, or the user may not act).

    A valid token of a user who may no longer act (a suspended or expelled partner) is
    refused, and the attempt goes into the audit log: it may be evidence."""
    record = _live_token_for(token)
    if record is None:
        return None
    if not may_act(record.user):
        user = record.user
        partner = user.partner
        with transaction.atomic():
            audit_record(Actor(name=user.email, partner=partner.name if partner is not None else "", ip=ip),
                  "token.refused", user, prefix=record.prefix,
                  partner_status=partner.status if partner is not None else "")
        return None
    note_use(record)
    return record.user


def note_use(record: ApiToken) -> None:
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        # At most one write per token per minute: every request is in the audit log anyway.
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)


def _live_token_for(token: str) -> ApiToken | None:
    """The unrevoked token with this text, its user, partner and tier loaded in the same query."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    return (ApiToken.objects.select_related("user__partner__tier")
            .filter(digest=digest(token), revoked_at__isnull=True).first())


def may_act(user: User) -> bool:
    """Staff may act while active; partner users only while their partner is active."""
    if not user.is_active:
        return False
    if user.is_psirt:
        return True
    return user.partner is not None and user.partner.status == "active"
