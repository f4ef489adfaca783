"""What the staff pages share: the signed-in PSIRT staff member, or a 404 for anyone else.

The rule is access.require_staff, the one the API's staff routes call; a partner's user gets
the same answer as for a page that does not exist, so the staff pages' addresses say nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from headstart.apps.accounts.models import User
from headstart.apps.advisories.access import require_staff
from headstart.errors import Forbidden
from headstart.faces.portal.people import user_of

P = ParamSpec("P")


def staff_of(request: HttpRequest) -> User:
    user = user_of(request)
    try:
        require_staff(user)
    except Forbidden:
        raise Http404("no such page") from None
    return user


def staff_page(view: Callable[Concatenate[HttpRequest, P], HttpResponse]
               ) -> Callable[Concatenate[HttpRequest, P], HttpResponse]:
    """login_required, then staff only (404 for anyone else), before the view looks at anything."""
    @wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        staff_of(request)
        return view(request, *args, **kwargs)

    return login_required(wrapper)
