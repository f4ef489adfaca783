"""API authentication: bearer tokens for scripts, Django sessions (CSRF enforced) for browsers."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth

from headstart.apps.accounts import second_factor
from headstart.apps.accounts.models import User
from headstart.apps.accounts.tokens import may_act, user_for_token
from headstart.apps.audit.services import Actor
from headstart.faces.requests import client_ip, request_actor


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token, ip=client_ip(request))
        if user is not None:
            request.user = user  # the token's user is the caller for everything below
        return user


class ActiveSession(SessionAuth):
    """Django's session auth (which checks CSRF) for users who may still act, in a session that
    passed a second factor (a password alone is not enough: 401, like no session)."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is no session to ride on, so no CSRF to check: the
        # caller is anonymous (401), e.g. a script whose token was revoked, not forbidden (403).
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = super().authenticate(request, key)
        if user is None or not may_act(user) or not second_factor.passed(request, user):
            return None
        return user


def api_user(request: HttpRequest) -> User:
    """The caller ninja authenticated (request.auth): every route requires one of the auths above."""
    user = getattr(request, "auth", None)
    if not isinstance(user, User):
        raise AuthenticationError()
    return user


def actor_for(request: HttpRequest) -> Actor:
    return request_actor(request, api_user(request))
