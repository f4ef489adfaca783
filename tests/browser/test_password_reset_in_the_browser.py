"""Password reset in a real browser, through the mail backend: "Forgot your password?", the link
read from the sent mail, a weak password refused with the validator's message, the new one set,
then a sign-in with it and the second factor; the old password no longer works and the used link
gets the page that says so.

The mail: the live server answers from a thread of the test process, and the tests run with
Django's locmem e-mail backend (pytest-django sets it up for the whole process), so the reset
mail lands in django.core.mail.outbox, which this test reads; the console backend of development
would print the same message to standard output, which a thread's capture does not reliably get."""

from __future__ import annotations

import re
from typing import Any

from django.core import mail
from mfa_helpers import enrol_totp, totp
from playwright.sync_api import Page, expect

from headstart.apps.accounts.services import set_password
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor

ACTOR = Actor(name="test:staff")
OLD = "the old browser passphrase 3"
NEW = "a new browser passphrase for the reset 8"


def type_password(page: Page, email: str, password: str) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_password_reset_by_mail_link_then_a_sign_in_with_the_new_password_and_the_second_factor(
        page: Page, screenshot: Any, make_partner: Any, live_server: Any) -> None:
    analyst = make_partner("Browser AV")[2]
    set_password(analyst.email, OLD, actor=ACTOR)
    secret, _codes = enrol_totp(analyst)
    mail.outbox.clear()

    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/$"))
    screenshot(page, "password-reset-request")
    page.locator("input[name=email]").fill(analyst.email)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/done/$"))
    screenshot(page, "password-reset-sent")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [analyst.email]
    found = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[0].body)
    assert found, mail.outbox[0].body
    link = found.group(0)
    assert link.startswith(live_server.url)  # the link names the server the request came to

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.locator("input[name=password1]").fill("password1234")
    page.locator("input[name=password2]").fill("password1234")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("This password is too common.")).to_be_visible()
    screenshot(page, "password-reset-weak-refused")
    analyst.refresh_from_db()
    assert analyst.check_password(OLD)

    page.locator("input[name=password1]").fill(NEW)
    page.locator("input[name=password2]").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    expect(page).to_have_url(re.compile(r"/accounts/password/reset/key/done/$"))
    screenshot(page, "password-reset-done")
    assert AuditEvent.objects.filter(action="auth.password_reset", object_id=analyst.email).count() == 1

    page.goto(link)  # the link worked once
    expect(page.get_by_role("heading", level=1)).to_have_text("This reset link is no longer valid")
    expect(page.get_by_role("link", name="Send me a new link")).to_be_visible()
    screenshot(page, "password-reset-link-used")

    type_password(page, analyst.email, OLD)
    expect(page.get_by_text("Your e-mail address and password did not match.")).to_be_visible()

    type_password(page, analyst.email, NEW)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))  # a reset never skips the second factor
    page.locator("input[name=code]").fill(totp(secret))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")
    login = AuditEvent.objects.filter(action="auth.login", object_id=analyst.email).latest("seq")
    assert login.details["second_factor"] == "totp"
    assert page.console_errors == []  # type: ignore[attr-defined]
