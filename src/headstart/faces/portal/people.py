"""What the portal's people pages (team, invitations, tokens) share: the signed-in user and the
answer a service's refusal gets in a page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from headstart.apps.accounts.models import User
from headstart.apps.audit.services import Actor
from headstart.errors import Forbidden, HeadstartError, NotFound
from headstart.faces.requests import request_actor


def user_of(request: HttpRequest) -> User:
    """The signed-in user: every view using this is login_required, so never anonymous."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def actor_of(request: HttpRequest) -> Actor:
    return request_actor(request, user_of(request))


def refuse(exc: HeadstartError) -> None:
    """Turn NotFound into the 404 page and Forbidden into the 403 page; other errors are the
    caller's to show in its own page."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from None
    if isinstance(exc, Forbidden):
        raise PermissionDenied(exc.message) from None
