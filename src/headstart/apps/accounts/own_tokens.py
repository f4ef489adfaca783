"""A user's own API tokens, as its owner manages them in the portal.

Creating goes through services.create_token and revoking through tokens.revoke, the same
functions `headstart token create | revoke` use, with the same audit events (token.create,
token.revoke). A user sees and revokes only its own tokens: another's token id is NotFound."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from headstart.apps.accounts import services, tokens
from headstart.apps.accounts.models import ApiToken, User
from headstart.apps.audit.services import Actor
from headstart.errors import Invalid, NotFound


def of(user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones included, to see what ended)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def state(token: ApiToken) -> str:
    """active, expired or revoked (the portal's list and `headstart token list`)."""
    if token.revoked_at is not None:
        return "revoked"
    return "expired" if token.expires_at <= timezone.now() else "active"


def create(user: User, name: str, *, actor: Actor) -> tuple[ApiToken, str]:
    """A new token of ``user`` named ``name``; the secret is returned once and never stored."""
    if not (name or "").strip():
        raise Invalid("give the token a name (which script or host uses it), to recognise it in the list")
    return services.create_token(user, actor=actor, name=name)


def revoke(user: User, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke one of the user's own tokens, for good."""
    token = ApiToken.objects.select_related("user").filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound(f"no token with id {token_id}")
    if token.revoked_at is not None:
        raise Invalid(f"token {token.prefix}... is already revoked")
    tokens.revoke([token], actor=actor, reason="revoked by its owner")
    token.refresh_from_db()
    return token
