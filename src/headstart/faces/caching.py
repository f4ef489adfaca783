"""Confidential responses are never stored by browsers or proxies (Cache-Control: no-store).

That is every API response under /api/ and every page shown to a signed-in user (the portal
and the admin), whatever the view said: a shared or back-button cache must not keep an
advisory, a package or a token listing. Public pages (the sign-in form, static files) keep
their own caching.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

API_PREFIX = "/api/"


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        response = self.get_response(request)
        # After the view too: a sign-in page that has just signed someone in, an API token's user.
        user = getattr(request, "user", None)
        if (signed_in or (user is not None and user.is_authenticated)
                or request.path_info.startswith(API_PREFIX)):
            patch_cache_control(response, no_store=True)
        return response
