"""Accounts follow sign-ins and partners: connected in AccountsConfig.ready()."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from headstart.apps.accounts import services, signin
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
