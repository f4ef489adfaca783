"""How django-allauth fits Headstart: no self sign-up, partners' status checked at sign-in,
django-axes alone throttling passwords, the last second factor kept, and second-factor secrets
sealed at rest (secret_box).

Named in settings (ACCOUNT_ADAPTER, MFA_ADAPTER)."""

from __future__ import annotations

from typing import Any, ClassVar

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from headstart.apps.accounts import second_factor, secret_box, signin
from headstart.apps.accounts.models import User
from headstart.apps.accounts.tokens import may_act


class AccountAdapter(DefaultAccountAdapter):
    error_messages: ClassVar[dict[str, Any]] = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "Your e-mail address and password did not match.",
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come from staff (`headstart user add`) and invitations only.
        return False

    def pre_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse | None:
        """After a correct password and before the second factor: a user who may not act (a
        suspended or expelled partner's, or a deactivated account) is told why and gets no
        session. Only someone who knows the password learns the partner's status."""
        if isinstance(user, User) and not may_act(user):
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return refused(request, user)
        return super().pre_login(request, user, **kwargs)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """The password step is throttled by django-axes alone (its lockout page, its counts in
        the database), not also by allauth's per-process counter, which would answer first with
        a message of its own. allauth's counter still limits wrong second-factor codes."""

    def is_reauthentication_required(self, *, app: str = "", **kwargs: Any) -> bool:
        """Changing a second factor asks for the password (or a factor) again, except the first
        enrolment, which the sign-in that just passed the password leads straight to, and seeing
        the recovery codes just after enrolling."""
        request = globals_request()
        user = getattr(request, "user", None)
        if app == "allauth.mfa" and isinstance(user, User) and (
                not second_factor.has_factor(user) or second_factor.recently_enrolled(request)):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def get_client_ip(self, request: HttpRequest) -> str:
        # The address every other part of Headstart uses: the WSGI server's REMOTE_ADDR.
        return str(request.META.get("REMOTE_ADDR") or "unknown")

    def respond_user_inactive(self, request: HttpRequest, user: Any) -> HttpResponse:
        return refused(request, user)


def globals_request() -> HttpRequest | None:
    from allauth.core import context

    return context.request


def refused(request: HttpRequest, user: Any) -> HttpResponse:
    """The page that says why this user cannot sign in (403), and its audit event."""
    partner = getattr(user, "partner", None)
    if not getattr(user, "is_active", False):
        why = "account-disabled"
    elif partner is not None:
        why = f"partner-{partner.status}"
    else:
        why = "may-not-act"
    signin.sign_in_refused(user, request, why)
    return render(request, "account/sign_in_refused.html", {"why": why, "partner": partner}, status=403)


class MFAAdapter(DefaultMFAAdapter):
    error_messages: ClassVar[dict[str, Any]] = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "This is your only second factor: add another one (an authenticator app "
                                       "or a security key) before you remove it.",
        "incorrect_code": "That code is not right. Enter the code your authenticator app shows now "
                          "(or, to sign in, one of your unused recovery codes).",
    }

    def encrypt(self, text: str) -> str:
        return secret_box.seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secret_box.open_sealed(encrypted_text)

    def get_totp_label(self, user: Any) -> str:
        return str(user.email)

    def get_totp_issuer(self) -> str:
        from django.conf import settings

        return str(settings.MFA_TOTP_ISSUER)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Every account keeps a second factor: the last TOTP app or key cannot be removed."""
        if authenticator.type not in second_factor.FACTOR_TYPES:
            return True
        others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=second_factor.FACTOR_TYPES)
        return others.exclude(pk=authenticator.pk).exists()
