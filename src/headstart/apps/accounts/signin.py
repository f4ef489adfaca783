"""Sign-in events in the audit log, and the name django-axes counts failures under.

Every sign-in, failed sign-in, sign-out, lockout, refusal (a partner not active), second-factor
success, failure and replay, second-factor change, password change, reset request and reset is
one audit event, in its own transaction, with the client's address. No password and no code is
ever passed here: Django's signals carry the credentials with the password masked, and only the
e-mail address given is kept.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from headstart.apps.accounts.models import User
from headstart.apps.audit.services import Actor, record

# Longer "e-mail addresses" are cut: they are attacker input, kept only to tell attempts apart.
MAX_NAME = 254


def username_of(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """The e-mail address a sign-in names, as stored (lower case, trimmed), so that spelling it
    another way does not start a fresh count (django-axes' AXES_USERNAME_CALLABLE)."""
    credentials = credentials or {}
    # Django's admin form and scripts say "username", allauth's credentials say "email".
    name = credentials.get("username", credentials.get("email"))
    if name is None and request is not None:
        name = request.POST.get("username", request.POST.get("login"))
    return str(name or "").strip().lower()[:MAX_NAME]


def _ip(request: HttpRequest | None) -> str | None:
    # The same address as everywhere else (faces.requests.client_ip): the WSGI server's REMOTE_ADDR.
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def _where(request: HttpRequest | None) -> str:
    return request.path if request is not None else ""


def _user_actor(user: User, request: HttpRequest | None) -> Actor:
    return Actor(name=user.email, partner=user.partner.name if user.partner_id and user.partner else "",
                 ip=_ip(request), user_id=user.pk)


def signed_in(user: User, request: HttpRequest | None) -> None:
    """A completed sign-in, with the second factor that passed it ('' for a first sign-in, which
    enrols one next)."""
    with transaction.atomic():
        record(_user_actor(user, request), "auth.login", user, path=_where(request),
               second_factor=str(getattr(request, "headstart_second_factor", "")))


def sign_in_failed(credentials: dict[str, Any] | None, request: HttpRequest | None) -> None:
    name = username_of(request, credentials)
    with transaction.atomic():
        record(Actor(name=name or "anonymous", ip=_ip(request)), "auth.login_failed", object_type="user",
               object_id=name, path=_where(request))


def signed_out(user: User | None, request: HttpRequest | None) -> None:
    if user is None:
        return
    with transaction.atomic():
        record(_user_actor(user, request), "auth.logout", user, path=_where(request))


def locked_out(username: str | None, ip_address: str | None, request: HttpRequest | None) -> None:
    name = str(username or "")[:MAX_NAME]
    with transaction.atomic():
        record(Actor(name=name or "anonymous", ip=ip_address or _ip(request)), "auth.lockout", object_type="user",
               object_id=name, path=_where(request))


def sign_in_refused(user: User, request: HttpRequest | None, why: str) -> None:
    """A correct password from a user who may not act (its partner suspended or expelled)."""
    with transaction.atomic():
        record(_user_actor(user, request), "auth.login_refused", user, reason=why, path=_where(request))


def second_factor_missing(user: User, request: HttpRequest | None) -> None:
    """A session signed in without the second factor (e.g. through Django's own sign-in form)."""
    with transaction.atomic():
        record(_user_actor(user, request), "auth.mfa_missing", user, path=_where(request))


def second_factor_passed(user: User, request: HttpRequest | None, kind: str, *, reauthentication: bool) -> None:
    with transaction.atomic():
        record(_user_actor(user, request), "auth.mfa_passed", user, kind=kind, reauthentication=reauthentication,
               path=_where(request))


def second_factor_failed(user: User, request: HttpRequest | None, kind: str, *, reauthentication: bool) -> None:
    with transaction.atomic():
        record(_user_actor(user, request), "auth.mfa_failed", user, kind=kind, reauthentication=reauthentication,
               path=_where(request))


def second_factor_locked(user: User, request: HttpRequest | None) -> None:
    """A second-factor code refused unread: too many wrong codes for this user lately."""
    with transaction.atomic():
        record(_user_actor(user, request), "auth.mfa_lockout", user, path=_where(request))


def second_factor_replayed(user: User, request: HttpRequest | None) -> None:
    """A TOTP code offered again after it was used: someone may have watched it typed."""
    with transaction.atomic():
        record(_user_actor(user, request), "auth.mfa_replayed", user, path=_where(request))


def second_factor_changed(user: User, request: HttpRequest | None, action: str, kind: str, name: str = "") -> None:
    """auth.mfa_added, auth.mfa_removed, auth.mfa_recovery_codes_regenerated."""
    with transaction.atomic():
        record(_user_actor(user, request), action, user, kind=kind, name=name)


def password_changed(user: User, request: HttpRequest | None, how: str) -> None:
    """auth.password_changed (by the user, signed in) or auth.password_reset (by an e-mailed link)."""
    with transaction.atomic():
        record(_user_actor(user, request), f"auth.password_{how}", user)


def password_reset_requested(user: User | None, email: str, request: HttpRequest | None) -> None:
    """A reset link sent (user known) or a 'no account here' mail sent (user None)."""
    name = str(email or "").strip().lower()[:MAX_NAME]
    with transaction.atomic():
        if user is not None:
            record(_user_actor(user, request), "auth.password_reset_requested", user)
        else:
            record(Actor(name=name or "anonymous", ip=_ip(request)), "auth.password_reset_requested",
                   object_type="user", object_id=name, known=False)
