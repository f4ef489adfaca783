"""django-allauth's sign-in and second-factor forms, as Headstart needs them (settings ACCOUNT_FORMS
and MFA_FORMS).

The sign-in form keeps the field names scripts and the sign-in page have always used
(`username`, `password`). The second-factor forms refuse a TOTP code used before, across every
process and server (allauth remembers used codes in each process's own cache only), and say so;
after HEADSTART_LOGIN_FAILURE_LIMIT wrong codes in a row the user's second step is locked for
HEADSTART_LOGIN_LOCKOUT_MINUTES, like a password lockout.
The enrolment forms mark the session as having passed the factor they prove possession of (at
once: allauth's own signal comes only after the commit)."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.core import context
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.base.forms import AuthenticateForm as AllauthAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as AllauthReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import ActivateTOTPForm as AllauthActivateTOTPForm
from allauth.mfa.webauthn.forms import AddWebAuthnForm as AllauthAddWebAuthnForm
from django import forms
from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from headstart.apps.accounts import second_factor, signin
from headstart.apps.accounts.lockouts import second_factor_failures_key

REPLAYED = "That code has been used already. Wait for your authenticator app to show the next one."
TOO_MANY = ("Too many wrong codes for this account: the second step is locked for a while. Try again later, "
            "or ask the PSIRT if you have lost your authenticator app, key and recovery codes.")


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        data = kwargs.get("data", args[0] if args else None)
        if data is not None and "login" not in data and "username" in data:
            data = data.copy()
            data["login"] = data["username"]
            if args:
                args = (data, *args[1:])
            else:
                kwargs["data"] = data
        super().__init__(*args, **kwargs)


class ResetPasswordForm(AllauthResetPasswordForm):
    """Every request for a reset link is audited: for a known user (a link is mailed), or for an
    address that is no one's (nothing is mailed: Headstart does not write to strangers). The
    page says the same either way."""

    def save(self, request: HttpRequest, **kwargs: Any) -> str:
        email = str(super().save(request, **kwargs))
        for user in self.users or [None]:
            signin.password_reset_requested(user, email, request)
        return email


def _used_key(user_pk: Any, code: str) -> str:
    return f"headstart:totp-used:{user_pk}:{''.join(code.split())}"


def _used_timeout() -> int:
    # A code stays valid for every step in the tolerance window (and the step it is in): remember
    # it that long.
    return int(mfa_settings.TOTP_PERIOD * (2 * mfa_settings.TOTP_TOLERANCE + 2))


class _NoReplay(forms.Form):
    """Mixed into allauth's forms: a TOTP code is good once (in the shared cache, a table every
    process and server reads), and a replay is audited."""

    user: Any
    authenticator: Authenticator

    def clean_code(self) -> str:
        code = str(self.cleaned_data.get("code") or "")
        shared = caches["shared"]
        failures_key = second_factor_failures_key(self.user.pk)
        if shared.get(failures_key, 0) >= settings.HEADSTART_LOGIN_FAILURE_LIMIT:
            signin.second_factor_locked(self.user, context.request)
            raise ValidationError(TOO_MANY, code="locked")
        if shared.get(_used_key(self.user.pk, code)) is not None:
            signin.second_factor_replayed(self.user, context.request)
            raise ValidationError(REPLAYED, code="replayed")
        try:
            code = super().clean_code()  # type: ignore[misc]  # allauth's form, after this mixin
        except ValidationError:
            # Counted for the user from every address and server (the shared cache), for as long
            # as a password lockout lasts from the last wrong code.
            shared.set(failures_key, shared.get(failures_key, 0) + 1,
                       timeout=settings.HEADSTART_LOGIN_LOCKOUT_MINUTES * 60)
            raise
        shared.delete(failures_key)
        if self.authenticator.type == Authenticator.Type.TOTP and not shared.add(
                _used_key(self.user.pk, code), "used", timeout=_used_timeout()):
            # Another process took the same code at the same moment.
            signin.second_factor_replayed(self.user, context.request)
            raise ValidationError(REPLAYED, code="replayed")
        return code


class AuthenticateForm(_NoReplay, AllauthAuthenticateForm):
    pass


class ReauthenticateForm(_NoReplay, AllauthReauthenticateForm):
    pass


class ActivateTOTPForm(AllauthActivateTOTPForm):
    def clean_code(self) -> str:
        code = str(super().clean_code())
        # The enrolment code counts as used: it does not sign in a second time.
        caches["shared"].add(_used_key(self.user.pk, code), "used", timeout=_used_timeout())
        second_factor.mark_passed(context.request, self.user)
        second_factor.mark_enrolled(context.request)
        return code


class AddWebAuthnForm(AllauthAddWebAuthnForm):
    def clean(self) -> dict[str, Any]:
        cleaned = dict(super().clean() or {})
        if cleaned.get("credential") and not self.errors:
            second_factor.mark_passed(context.request, self.user)
            second_factor.mark_enrolled(context.request)
        return cleaned
