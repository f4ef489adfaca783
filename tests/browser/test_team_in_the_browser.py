"""A partner admin's team in a real browser: inviting through the mail link, the invitee setting
a password and signing in, a role change, a token created and shown once."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import expect

from headstart.apps.accounts.models import ApiToken, User

NEW_PASSWORD = "invited browser passphrase 8"


def test_an_invitation_by_mail_link_ends_in_a_first_sign_in(page, browser, live_server, sign_in, screenshot,
                                                            make_partner):
    _, admin, _ = make_partner("Browser AV")
    sign_in(page, admin)
    page.get_by_role("link", name="My team").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My team: Browser AV")
    page.get_by_role("link", name="Invite a user").click()
    page.get_by_label("E-mail address").fill("new.analyst@browser-av.example")
    page.get_by_label("Role").select_option("analyst")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("Invitation sent to new.analyst@browser-av.example")).to_be_visible()
    screenshot(page, "team")

    found = re.search(r"(/invitations/\S+/)", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    invitee = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    invitee.goto(found.group(1))
    expect(invitee.get_by_role("heading", level=1)).to_have_text("Welcome, new.analyst@browser-av.example")
    screenshot(invitee, "invitation")
    invitee.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    invitee.get_by_label("The same password again").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Set my password").click()
    expect(invitee.get_by_text("Your password is set.")).to_be_visible()
    assert invitee.url.endswith("/login/")
    invitee.get_by_label("E-mail").fill("new.analyst@browser-av.example")
    invitee.get_by_label("Password").fill(NEW_PASSWORD)
    invitee.get_by_role("button", name="Sign in").click()
    # The ordinary first sign-in: no page of the portal before a second factor is enrolled.
    invitee.wait_for_url("**/accounts/2fa/")
    invitee.goto("/team/")
    invitee.wait_for_url("**/accounts/2fa/")
    invitee.context.close()

    page.reload()
    page.get_by_label("Role of new.analyst@browser-av.example").select_option("admin")
    page.get_by_role("row", name=re.compile("new.analyst@browser-av.example")).get_by_role(
        "button", name="Change role").click()
    expect(page.get_by_text("new.analyst@browser-av.example is now partner admin.")).to_be_visible()
    assert User.objects.get(email="new.analyst@browser-av.example").role == "admin"
    assert page.console_errors == []


def test_a_token_is_shown_once_and_listed_by_its_name(page, sign_in, screenshot, make_partner):
    _, _, analyst = make_partner("Browser AV")
    sign_in(page, analyst)
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name (which script or host uses it)").fill("nightly sync")
    page.get_by_role("button", name="Create").click()
    secret = page.get_by_label("Token").input_value()
    assert secret.startswith("hs_") and ApiToken.objects.get(user=analyst).name == "nightly sync"
    screenshot(page, "token-created")
    page.get_by_role("link", name="Back to my tokens").click()
    expect(page.get_by_role("cell", name="nightly sync", exact=True)).to_be_visible()
    assert secret not in page.content()
    screenshot(page, "tokens")
    assert page.console_errors == []
