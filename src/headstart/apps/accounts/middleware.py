"""Cuts a session the moment its partner stops being active (checked on every request)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from headstart.apps.accounts.tokens import may_act


class PartnerStatusMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Re-read the partner row: the status may have changed since the session began.
            partner = getattr(user, "partner", None)
            if partner is not None:
                partner.refresh_from_db(fields=["status"])
            if not may_act(user):
                logout(request)
        return self.get_response(request)
