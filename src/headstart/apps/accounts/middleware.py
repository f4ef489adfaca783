"""Sessions: cut the moment their partner stops being active, and held to the second factor
(both checked on every request)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from headstart.apps.accounts import second_factor, signin
from headstart.apps.accounts.models import User
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


class SecondFactorMiddleware:
    """No page of the portal or the admin for a session that has not passed a second factor.

    A user with none yet may only enrol one (first sign-in); a session that skipped the second
    step (signed in another way) is signed out and sent to /login/. Django's admin sign-in form
    is not used: it checks the password only. The API's session authentication applies the same
    rule itself (faces.api.auth.ActiveSession) and answers 401 rather than redirecting; bearer
    tokens are a factor of their own and never meet this."""

    # Served to anyone: assets, the API (its own gate), the feeds (tokens only).
    UNGUARDED = ("/static/", "/api/", "/taxii2/", "/.well-known/")
    # What a signed-in user without a second factor may open: enrolment, and signing out.
    ENROLMENT = ("mfa_index", "mfa_activate_totp", "mfa_add_webauthn", "mfa_view_recovery_codes",
                 "account_reauthenticate", "mfa_reauthenticate", "account_logout", "portal:logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith(self.UNGUARDED):
            return self.get_response(request)
        if path == reverse("admin:login"):
            # The admin's own form would sign in with a password alone.
            return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_authenticated:
            if not second_factor.has_factor(user):
                if self._url_name(request) not in self.ENROLMENT:
                    return redirect("mfa_index")
            elif not second_factor.passed(request, user):
                signin.second_factor_missing(user, request)
                logout(request)
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _url_name(request: HttpRequest) -> str:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
        return str(match.view_name)
