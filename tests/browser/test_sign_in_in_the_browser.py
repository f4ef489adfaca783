"""Signing in, in a real browser: first sign-in with enrolment of a second factor (an
authenticator app, or a security key through chromium's virtual WebAuthn authenticator), then
sign-in with a TOTP code and with a recovery code, and the lockout after wrong passwords.

Codes are computed from the secret the enrolment page shows (tests/mfa_helpers.py). Every page
must load without a console error: a script the CSP blocks is one."""

from __future__ import annotations

import re
from typing import Any

from allauth.mfa.models import Authenticator
from mfa_helpers import enrol_totp, totp
from playwright.sync_api import Page, expect

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor

ACTOR = Actor(name="test:staff")
PASSWORD = "browser sign-in passphrase 9"


def with_password(user: Any) -> Any:
    set_password(user.email, PASSWORD, actor=ACTOR)
    return user


def type_password(page: Page, email: str, password: str = PASSWORD) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_first_sign_in_enrols_an_authenticator_app_and_shows_the_recovery_codes(page, screenshot, make_partner):
    analyst = with_password(make_partner("Browser AV")[2])
    type_password(page, analyst.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    screenshot(page, "mfa-enrol-choice")
    page.goto("/")  # no other page until then
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your second factor")
    page.get_by_role("link", name="Use an authenticator app").click()
    expect(page.get_by_role("img", name="QR code of your authenticator secret")).to_be_visible()
    screenshot(page, "mfa-enrol-totp")
    secret = page.locator("#authenticator_secret").inner_text()
    page.get_by_label("Authenticator code").fill(totp(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10
    screenshot(page, "mfa-recovery-codes")
    page.get_by_role("link", name="I have saved my recovery codes: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")
    assert Authenticator.objects.filter(user=analyst, type="totp").exists()
    assert page.console_errors == []


def test_sign_in_with_a_totp_code(page, screenshot, make_partner):
    analyst = with_password(make_partner("Browser AV")[2])
    secret, _codes = enrol_totp(analyst)
    type_password(page, analyst.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-Factor Authentication")
    screenshot(page, "mfa-authenticate")
    page.locator("input[name=code]").fill("000000" if totp(secret) != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    page.locator("input[name=code]").fill(totp(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")
    assert page.console_errors == []


def test_sign_in_with_a_recovery_code_works_once(page, make_partner):
    analyst = with_password(make_partner("Browser AV")[2])
    _secret, codes = enrol_totp(analyst)
    type_password(page, analyst.email)
    page.locator("input[name=code]").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")
    page.get_by_role("button", name="Sign out").click()
    type_password(page, analyst.email)
    page.locator("input[name=code]").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("That code is not right")).to_be_visible()
    assert page.console_errors == []


def test_five_wrong_passwords_lock_the_sign_in(page, screenshot, make_partner):
    analyst = with_password(make_partner("Browser AV")[2])
    for _ in range(4):
        type_password(page, analyst.email, "not the passphrase at all")
        expect(page.get_by_text("Your e-mail address and password did not match.")).to_be_visible()
    type_password(page, analyst.email, "not the passphrase at all")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    type_password(page, analyst.email)  # the right one, now refused too
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in locked")
    screenshot(page, "sign-in-locked")
    assert AuditEvent.objects.filter(action="auth.lockout", object_id=analyst.email).exists()


def test_first_sign_in_enrols_a_security_key(page, screenshot, make_partner):
    """chromium's virtual authenticator (DevTools WebAuthn domain) answers the browser's WebAuthn
    calls as a USB key would: allauth's scripts, served by the portal, run the real ceremony."""
    analyst = with_password(make_partner("Browser AV")[2])
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True, "automaticPresenceSimulation": True}})
    type_password(page, analyst.email)
    page.get_by_role("link", name="Use a security key or passkey").click()
    screenshot(page, "mfa-enrol-key")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery Codes")
    assert Authenticator.objects.filter(user=analyst, type="webauthn").exists()
    added = AuditEvent.objects.filter(action="auth.mfa_added", object_id=analyst.email)
    assert sorted(added.values_list("details__kind", flat=True)) == ["recovery_codes", "webauthn"]
    page.get_by_role("link", name="I have saved my recovery codes: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")
    page.get_by_role("button", name="Sign out").click()

    type_password(page, analyst.email)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.get_by_role("button", name="Use a security key").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")
    login = AuditEvent.objects.filter(action="auth.login", object_id=analyst.email).latest("seq")
    assert login.details["second_factor"] == "webauthn"
    assert page.console_errors == []
