"""Second factors in tests: enrol a TOTP app as a person would have, compute its codes (RFC 6238,
independently of the library under test), and sign in through the real pages.

`pass_second_factor(client, user)` is what `Client.force_login` adds in these tests (see
conftest.py): force_login stands for a complete sign-in, password and second factor."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

from django.test import Client

PERIOD = 30


def totp(secret: str, at: float | None = None) -> str:
    """The six-digit TOTP code of a base32 secret (HMAC-SHA1, 30 s steps) at a moment (now)."""
    counter = int((time.time() if at is None else at) // PERIOD)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def enrol_totp(user: Any) -> tuple[str, list[str]]:
    """Give the user a TOTP authenticator and recovery codes (allauth's records, as its enrolment
    makes them); returns the secret and the recovery codes."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user)
    return secret, codes.get_unused_codes()


def pass_second_factor(client: Client, user: Any) -> None:
    """Mark the client's signed-in session as having passed a second factor (enrolling a TOTP
    authenticator first if the user has none)."""
    from headstart.apps.accounts import second_factor

    if not second_factor.has_factor(user):
        enrol_totp(user)
    session = client.session
    session[second_factor.SESSION_KEY] = user.pk
    session.save()


def sign_in_with_password(client: Client, email: str, password: str, next_url: str = "/") -> Any:
    return client.post("/login/", {"username": email, "password": password, "next": next_url})


def sign_in(client: Client, email: str, password: str, secret: str, next_url: str = "/") -> Any:
    """The whole sign-in: password, then the current TOTP code. Returns the last response."""
    first = sign_in_with_password(client, email, password, next_url)
    assert first.status_code == 302 and first["Location"] == "/accounts/2fa/authenticate/", first
    return client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})


def fresh_recovery_code(user: Any) -> str:
    """A recovery code never used (the user's codes are made anew, enrolling TOTP if needed):
    signs a user in any number of times in a test, where a TOTP code works once per 30 s."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    from headstart.apps.accounts import second_factor

    if not second_factor.has_factor(user):
        enrol_totp(user)
    Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.RECOVERY_CODES).delete()
    return str(RecoveryCodes.activate(user).get_unused_codes()[0])


def sign_in_fully(client: Client, user: Any, password: str, next_url: str = "/") -> Any:
    """Password, then a fresh recovery code as the second factor. Returns the last response."""
    code = fresh_recovery_code(user)
    first = sign_in_with_password(client, user.email, password, next_url)
    assert first.status_code == 302 and first["Location"] == "/accounts/2fa/authenticate/", first
    return client.post("/accounts/2fa/authenticate/", {"code": code})


def secret_from_enrolment_page(html: str) -> str:
    """The TOTP secret shown on the enrolment page (the otpauth:// URI's secret)."""
    match = re.search(r"secret=([A-Z2-7]+)", html)
    assert match, "no otpauth secret on the page"
    return match.group(1)
