"""A partner's day in the portal, in a real browser: the NDA, the open advisories, the package."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pysequoia
from playwright.sync_api import expect

from headstart.apps.delivery.models import Delivery, Route


def test_a_partner_admin_accepts_the_nda_and_downloads_its_package(page, sign_in, screenshot,
                                                                  make_keyed_partner, marked_advisory):
    keyed = make_keyed_partner("Browser AV", accept=False)
    advisory = marked_advisory()

    sign_in(page, keyed.admin)
    expect(page.get_by_text("has not accepted the current NDA")).to_be_visible()
    expect(page.get_by_role("link", name=advisory.ident)).to_have_count(0)
    screenshot(page, "partner-home-before-nda")

    page.get_by_role("link", name="Read and accept the NDA").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Non-disclosure agreement")
    screenshot(page, "partner-nda")
    page.get_by_role("button", name="Accept on behalf of Browser AV").click()

    page.get_by_role("link", name=advisory.ident).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(advisory.title)
    screenshot(page, "partner-advisory")
    with page.expect_download() as arriving:
        page.get_by_role("link", name="Download your package").click()
    download = arriving.value
    assert download.suggested_filename == f"{advisory.ident}.tar.pgp"
    encrypted = download.path().read_bytes()
    assert pysequoia.decrypt(encrypted, decryptor=keyed.secret.decryptor()).bytes  # a package for us alone
    assert list(Delivery.objects.filter(copy__partner=keyed.partner).values_list("route", "by").distinct()) == [
        (Route.PORTAL, keyed.admin.email)]
    assert page.console_errors == []


def test_a_partner_outside_the_window_gets_the_not_found_page(page, sign_in, screenshot,
                                                              make_partner, marked_advisory):
    _, _, analyst = make_partner("Entry AV", "entry")  # 24 h lead time: 48 h before the patch, not yet
    advisory = marked_advisory(patch_in=dt.timedelta(hours=48))

    sign_in(page, analyst)
    expect(page.get_by_text("No advisory is open to you right now.")).to_be_visible()
    response = page.goto(f"/advisories/{advisory.ident}/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_text(advisory.title)).to_have_count(0)
    screenshot(page, "not-found")
    page.get_by_role("link", name="Back to the advisories").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Advisories")


def test_staff_see_every_advisory_and_no_download(page, sign_in, screenshot, staff_user, make_advisory):
    draft = make_advisory("HS-2026-0007", schedule=False)
    later = make_advisory("HS-2026-0008", patch_in=dt.timedelta(days=30))

    sign_in(page, staff_user)
    for advisory in (draft, later):
        expect(page.get_by_role("link", name=advisory.ident)).to_be_visible()
    screenshot(page, "staff-home")
    page.get_by_role("link", name=later.ident).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(later.title)
    expect(page.get_by_role("link", name="Download your package")).to_have_count(0)


def test_times_are_shown_in_the_viewers_zone_with_its_name(page, sign_in, make_partner, make_advisory):
    _, _, analyst = make_partner("Paris AV")
    advisory = make_advisory(patch_in=dt.timedelta(hours=12))
    utc = advisory.patch_at.astimezone(dt.UTC)
    paris = advisory.patch_at.astimezone(ZoneInfo("Europe/Paris"))  # the browser's zone (conftest)

    sign_in(page, analyst)
    shown = page.get_by_role("row", name=advisory.ident).locator("time")
    expect(shown).to_have_attribute("datetime", re.compile("^" + re.escape(f"{utc:%Y-%m-%dT%H:%M}")))
    # "8 Dec 2026, 13:00 CET": the local hour and the zone's name, where the server wrote UTC.
    expect(shown).to_contain_text(f"{paris:%H:%M} {paris.tzname()}")
    expect(shown).to_have_attribute("title", f"{utc:%Y-%m-%d %H:%M} UTC (shown in Europe/Paris)")
