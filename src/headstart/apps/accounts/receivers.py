"""Accounts follow sign-ins and partners: connected in AccountsConfig.ready()."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
    authenticator_used,
)
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from headstart.apps.accounts import second_factor, services, signin
from headstart.apps.partners.models import PartnerStatus
from headstart.apps.partners.signals import partner_status_changed


@receiver(partner_status_changed, dispatch_uid="accounts.revoke_tokens_of_partner")
def revoke_on_suspension(sender: Any, *, partner: Any, new_status: str, actor: Any, **kwargs: Any) -> None:
    """Suspension and expulsion revoke the partner's tokens and end its users' sessions for good:
    reinstatement revives neither (in the status change's transaction)."""
    if new_status in (PartnerStatus.SUSPENDED, PartnerStatus.EXPELLED):
        services.revoke_partner_tokens(partner, actor=actor, reason=f"partner-{new_status}")
        services.end_partner_sessions(partner, actor=actor, reason=f"partner-{new_status}")


@receiver(user_logged_in, dispatch_uid="accounts.audit_sign_in")
def on_sign_in(sender: Any, *, request: Any = None, user: Any, **kwargs: Any) -> None:
    signin.signed_in(user, request)


@receiver(user_login_failed, dispatch_uid="accounts.audit_failed_sign_in")
def on_failed_sign_in(sender: Any, *, credentials: Any = None, request: Any = None, **kwargs: Any) -> None:
    signin.sign_in_failed(credentials, request)


@receiver(user_logged_out, dispatch_uid="accounts.audit_sign_out")
def on_sign_out(sender: Any, *, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    signin.signed_out(user, request)


@receiver(user_locked_out, dispatch_uid="accounts.audit_lockout")
def on_lockout(sender: Any, *, request: Any = None, username: Any = None, ip_address: Any = None,
               **kwargs: Any) -> None:
    signin.locked_out(username, ip_address, request)


@receiver(authenticator_used, dispatch_uid="accounts.second_factor_passed")
def on_second_factor(sender: Any, *, request: Any = None, user: Any, authenticator: Any, reauthenticated: bool = False,
                     **kwargs: Any) -> None:
    second_factor.mark_passed(request, user)
    if request is not None:
        request.headstart_second_factor = authenticator.type  # named in the auth.login event that follows
    signin.second_factor_passed(user, request, authenticator.type, reauthentication=reauthenticated)


@receiver(authentication_failed, dispatch_uid="accounts.second_factor_failed")
def on_second_factor_failed(sender: Any, *, request: Any = None, user: Any, authenticator: Any,
                            reauthentication: bool = False, **kwargs: Any) -> None:
    signin.second_factor_failed(user, request, authenticator.type, reauthentication=reauthentication)


@receiver(authenticator_added, dispatch_uid="accounts.second_factor_added")
def on_second_factor_added(sender: Any, *, request: Any = None, user: Any, authenticator: Any, **kwargs: Any) -> None:
    # The session was marked as having passed the factor by the enrolment form (forms.py).
    signin.second_factor_changed(user, request, "auth.mfa_added", authenticator.type,
                                 str((authenticator.data or {}).get("name", "")))


@receiver(authenticator_removed, dispatch_uid="accounts.second_factor_removed")
def on_second_factor_removed(sender: Any, *, request: Any = None, user: Any, authenticator: Any,
                             **kwargs: Any) -> None:
    signin.second_factor_changed(user, request, "auth.mfa_removed", authenticator.type,
                                 str((authenticator.data or {}).get("name", "")))


@receiver(authenticator_reset, dispatch_uid="accounts.recovery_codes_regenerated")
def on_second_factor_reset(sender: Any, *, request: Any = None, user: Any, authenticator: Any, **kwargs: Any) -> None:
    signin.second_factor_changed(user, request, "auth.mfa_recovery_codes_regenerated", authenticator.type)


@receiver(password_changed, dispatch_uid="accounts.password_changed")
def on_password_changed(sender: Any, *, request: Any = None, user: Any, **kwargs: Any) -> None:
    signin.password_changed(user, request, "changed")


@receiver(password_reset, dispatch_uid="accounts.password_reset")
def on_password_reset(sender: Any, *, request: Any = None, user: Any, **kwargs: Any) -> None:
    signin.password_changed(user, request, "reset")
