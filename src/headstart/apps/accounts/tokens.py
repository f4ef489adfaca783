"""API tokens: 256 random bits, stored as SHA-256 (a slow hash adds nothing at this entropy)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from headstart.apps import plain_sql
from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.audit.services import Actor
from headstart.apps.audit.services import record as audit_record
from headstart.apps.one_writer import one_writer
from headstart.apps.partners.models import Partner, Tier

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
        with transaction.atomic():
            audit_record(Actor(name=user.email, partner=user.partner.name if user.partner_id else "", ip=ip),
                  "token.refused", user, prefix=record.prefix,
                  partner_status=user.partner.status if user.partner_id else "")
        return None
    note_use(record)
    return record.user


def acting_token(token: str) -> ApiToken | None:
    """The live token record of a user who may act now, or None; reads only.

    For callers that answer nothing but success themselves and leave every other case to
    ``user_for_token`` (which audits refusals); they call ``note_use`` when they serve."""
    record = _live_token_for(token)
    return record if record is not None and may_act(record.user) else None


def note_use(record: ApiToken) -> None:
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        # At most one write per token per minute: every request is in the audit log anyway.
        with one_writer():
            plain_sql.update(ApiToken, record.pk, last_used_at=now)


def _live_token_for(token: str) -> ApiToken | None:
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    return _live_token(digest(token))


def _live_token(token_digest: str) -> ApiToken | None:
    """The unrevoked token with this digest, its user, partner and tier already loaded.

    Every API request starts here, so it is one plain query (see plain_sql), not the ORM's
    select_related, which costs ten times more to compile than to run."""
    found = plain_sql.joined(
        [ApiToken, User, Partner, Tier],
        f"{plain_sql.table(ApiToken)} t0 JOIN {plain_sql.table(User)} t1 ON t1.id = t0.user_id "
        f"LEFT JOIN {plain_sql.table(Partner)} t2 ON t2.id = t1.partner_id "
        f"LEFT JOIN {plain_sql.table(Tier)} t3 ON t3.id = t2.tier_id",
        "t0.digest = %s AND t0.revoked_at IS NULL", [token_digest])
    if not found:
        return None
    record, user, partner, tier = found[0]
    if partner is not None:
        partner.tier = tier
    user.partner = partner
    record.user = user
    return record


def may_act(user: User) -> bool:
    """Staff may act while active; partner users only while their partner is active."""
    if not user.is_active:
        return False
    if user.is_psirt:
        return True
    return user.partner is not None and user.partner.status == "active"
