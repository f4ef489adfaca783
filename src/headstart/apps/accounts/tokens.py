"""API tokens: 256 random bits, stored as SHA-256 (a slow hash adds nothing at this entropy).

A token works until it expires (HEADSTART_TOKEN_DAYS after creation) or is revoked; both
are final. An IP address that sends too many refused tokens is throttled (TokenRefusals)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.audit.services import Actor
from headstart.apps.audit.services import record as audit_record
from headstart.errors import HeadstartError

PREFIX = "hs_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; returns the record and the token text (never stored)."""
    token = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    record = ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=digest(token),
                                     expires_at=now + timedelta(days=settings.HEADSTART_TOKEN_DAYS))
    return record, token


class TooManyRefusals(HeadstartError):
    """Too many refused tokens came from this address lately; it must wait."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many refused tokens from this address; try again later")
        self.retry_after = retry_after


def _refusals() -> BaseCache:
    """The shared cache (a database table): every process and server sees the same counts."""
    return caches["shared"]


def _refusals_key(ip: str | None) -> str:
    return f"headstart:token-refusals:{ip or 'unknown'}"


def _check_refusals(ip: str | None) -> None:
    """Raise TooManyRefusals while this address is over its limit of refused tokens."""
    count, _ = _refusals().get(_refusals_key(ip), (0, None))
    if count >= settings.HEADSTART_TOKEN_REFUSAL_LIMIT:
        raise TooManyRefusals(settings.HEADSTART_TOKEN_REFUSAL_MINUTES * 60)


def _note_refusal(ip: str | None) -> None:
    """Count a refused token; the count lasts HEADSTART_TOKEN_REFUSAL_MINUTES from the first one
    (from the last one, once the address is over the limit)."""
    key = _refusals_key(ip)
    window = settings.HEADSTART_TOKEN_REFUSAL_MINUTES * 60
    now = int(timezone.now().timestamp())
    # Read, then write: two refusals at the same instant may count once, which a throttle allows.
    count, started = _refusals().get(key, (0, now))
    count += 1
    if count >= settings.HEADSTART_TOKEN_REFUSAL_LIMIT:
        started = now
    _refusals().set(key, (count, started), timeout=max(1, started + window - now))


def user_for_token(token: str, *, ip: str | None = None) -> User | None:
    """The active user a token belongs to, or None (unknown, expired, revoked, or the user may not act).

    A real token that is refused (revoked, expired, or of a user who may no longer act, such
    as a suspended or expelled partner's) goes into the audit log with the reason: it may be
    evidence. Every refusal counts against the caller's address; over
    HEADSTART_TOKEN_REFUSAL_LIMIT, this raises TooManyRefusals, even for a good token, until
    the address has been quiet for a while."""
    _check_refusals(ip)
    record = _token_for(token)
    if record is None:
        _note_refusal(ip)
        return None
    reason = _refusal_reason(record)
    if reason:
        _note_refusal(ip)
        user = record.user
        partner = user.partner
        with transaction.atomic():
            audit_record(Actor(name=user.email, partner=partner.name if partner is not None else "", ip=ip),
                         "token.refused", user, prefix=record.prefix, reason=reason,
                         partner_status=partner.status if partner is not None else "")
        return None
    note_use(record)
    return record.user


def _refusal_reason(record: ApiToken) -> str:
    """Why this token is refused now ('' when it is not): revocation and expiry are final."""
    if record.revoked_at is not None:
        return "revoked"
    if record.expires_at <= timezone.now():
        return "expired"
    if not may_act(record.user):
        return "user may not act"
    return ""


def note_use(record: ApiToken) -> None:
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > LAST_USED_RESOLUTION:
        # At most one write per token per minute: every request is in the audit log anyway.
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)


def _token_for(token: str) -> ApiToken | None:
    """The token with this text (live or not), its user, partner and tier loaded in the same query."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    # The digest is unique: no ORDER BY (first() would add one, a sixth of this query's cost to build).
    found = list(ApiToken.objects.select_related("user__partner__tier").filter(digest=digest(token))[:1])
    return found[0] if found else None


def revoke(records: Iterable[ApiToken], *, actor: Actor, reason: str) -> list[ApiToken]:
    """Revoke these tokens for good, one audit event each, in the caller's transaction (or one of
    its own). Tokens already revoked are left as they are; returns the ones revoked now."""
    revoked = []
    with transaction.atomic():
        now = timezone.now()
        for token in records:
            # Only a live row changes: revocation is set once and never moved or cleared.
            if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
                token.revoked_at = now
                audit_record(actor, "token.revoke", token.user, token_id=token.pk, prefix=token.prefix,
                             reason=reason)
                revoked.append(token)
    return revoked


def unrevoked_of(users: Q) -> list[ApiToken]:
    """The tokens not yet revoked (expired ones included) of the users matching this filter."""
    return list(ApiToken.objects.select_related("user").filter(users, revoked_at__isnull=True).order_by("pk"))


def may_act(user: User) -> bool:
    """Staff may act while active; partner users only while their partner is active."""
    if not user.is_active:
        return False
    if user.is_psirt:
        return True
    return user.partner is not None and user.partner.status == "active"
