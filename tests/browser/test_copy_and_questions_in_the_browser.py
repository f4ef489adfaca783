"""A partner reads its marked copy, downloads its package and asks the PSIRT; staff answer. In a
real browser, under the portal's CSP."""

from __future__ import annotations

import hashlib
import io
import tarfile

import pysequoia
from django.core import mail
from playwright.sync_api import expect

from headstart.apps.delivery.models import Delivery, Route


def test_a_partner_reads_its_copy_downloads_and_asks_and_staff_answer(
        browser, live_server, page, sign_in, screenshot, make_keyed_partner, marked_advisory, staff_user):
    keyed = make_keyed_partner("Browser AV")
    advisory = marked_advisory()

    sign_in(page, keyed.analyst)
    row = page.get_by_role("row", name=advisory.ident)
    expect(row).to_contain_text("patch in 1 day 23 hours")
    expect(row).to_contain_text("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
    expect(row).to_contain_text("write-up, guidance")
    screenshot(page, "partner-home")

    page.get_by_role("link", name=advisory.ident).click()
    page.get_by_role("link", name="writeup.md").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("writeup.md")
    expect(page.get_by_text("This is your organisation's marked copy")).to_be_visible()
    shown_digest = page.locator("code").first.inner_text()
    screenshot(page, "partner-copy")

    page.get_by_role("link", name=advisory.ident).first.click()
    with page.expect_download() as arriving:
        page.get_by_role("link", name="Download your package").click()
    plain = pysequoia.decrypt(arriving.value.path().read_bytes(), decryptor=keyed.secret.decryptor()).bytes
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        packaged = tar.extractfile(f"{advisory.ident}/writeup.md").read()  # type: ignore[union-attr]
    assert hashlib.sha256(packaged).hexdigest() == shown_digest  # the page showed the package's copy

    page.get_by_role("link", name=f"Ask the PSIRT about {advisory.ident}").click()
    page.get_by_label("Your question").fill("Is the preview pane enough to trigger it?")
    page.get_by_role("button", name="Send to the PSIRT").click()
    expect(page.get_by_text("Your question is sent")).to_be_visible()
    expect(page.get_by_text("(waiting for the PSIRT)")).to_be_visible()
    screenshot(page, "partner-question")
    assert any(advisory.ident in m.subject and staff_user.email in m.bcc for m in mail.outbox)

    staff_context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Paris")
    staff_page = staff_context.new_page()
    sign_in(staff_page, staff_user)
    staff_page.get_by_role("link", name="Questions", exact=True).click()
    expect(staff_page.get_by_role("row", name="Browser AV")).to_contain_text(advisory.ident)
    screenshot(staff_page, "staff-open-questions")
    staff_page.get_by_role("link", name="Read and answer").click()
    expect(staff_page.get_by_text("Is the preview pane enough to trigger it?")).to_be_visible()
    staff_page.get_by_label("Answer Browser AV").fill("Yes: opening the folder is enough.")
    staff_page.get_by_role("button", name="Send the answer").click()
    expect(staff_page.get_by_text("(answered)")).to_be_visible()
    screenshot(staff_page, "staff-answer")
    staff_page.get_by_role("link", name="Questions", exact=True).click()
    expect(staff_page.get_by_text("Every question has an answer.")).to_be_visible()
    staff_context.close()

    page.reload()
    expect(page.get_by_text("Yes: opening the folder is enough.")).to_be_visible()
    routes = set(Delivery.objects.filter(copy__partner=keyed.partner, copy__file_name="writeup.md")
                 .values_list("route", "by"))
    assert routes == {(Route.READ, keyed.analyst.email), (Route.PORTAL, keyed.analyst.email)}
    assert page.console_errors == []
