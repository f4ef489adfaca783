"""Staff in a real browser: a partner confirms its protections ready on the advisory's page, and
the staff dashboard shows the advisory's tier windows, who downloaded it and who is ready; a
tier's window is changed and a new NDA version published from the settings pages. No console
error on any page (a CSP violation would be one): the timeline is drawn by a stylesheet alone."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from factories import ACTOR
from playwright.sync_api import expect

from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.services import ArtifactInput, create_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.services import fetch_package, schedule
from headstart.apps.partners.models import NdaVersion, Tier
from headstart.samples import SAMPLE_DIR


@pytest.fixture
def poc_advisory(program: Any) -> Advisory:
    """The sample advisory's write-up, guidance, binary PoC and its trigger specification (a
    readiness test needs the PoC; its C and Python PoCs would take long to mark), scheduled."""
    items = [ArtifactInput(kind, f"{kind}.md", (SAMPLE_DIR / f"{kind}.md").read_bytes()) for kind in ("writeup", "guidance")]
    items += [ArtifactInput("poc-binary", "poc.tim", (SAMPLE_DIR / "poc.tim").read_bytes()),
              ArtifactInput("trigger-spec", "tim.ksy.yaml", (SAMPLE_DIR / "tim.ksy.yaml").read_bytes())]
    advisory = create_advisory("HS-2026-0001", title="Heap overflow in Lumen Viewer's TIM decoder", artifacts=items,
                               patch_at=timezone.now() + dt.timedelta(hours=48), cve="CVE-2026-99001",
                               cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", actor=ACTOR)
    schedule(advisory, actor=ACTOR)
    advisory.refresh_from_db()
    return advisory


def test_staff_see_an_advisorys_coverage_change_a_tiers_window_and_publish_an_nda(
        page: Any, sign_in, screenshot, staff_user, poc_advisory, marked_advisory, make_keyed_partner):
    alpha = make_keyed_partner("Alpha AV")
    bravo = make_keyed_partner("Bravo IPS")
    make_keyed_partner("Entry Co", "entry")
    advisory = poc_advisory
    marked_advisory("HS-2026-0002", patch_in=dt.timedelta(hours=200))
    fetch_package(bravo.analyst, advisory.ident, actor=Actor(name=bravo.analyst.email, partner="Bravo IPS"))

    # A partner's analyst confirms its protections ready, with a note staff will read.
    sign_in(page, alpha.analyst)
    page.get_by_role("link", name=advisory.ident).click()
    page.get_by_label("Note (optional: which engine, which signature)").fill("Lumen IPS signature 31337")
    page.get_by_role("button", name="Our protections are ready").click()
    expect(page.get_by_text("Your protections for this advisory are marked ready.")).to_be_visible()
    screenshot(page, "partner-advisory-readiness")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, staff_user)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    section = page.get_by_role("region", name=f"{advisory.ident}: {advisory.title}")
    expect(section.get_by_role("row", name="advanced").first).to_be_visible()
    expect(section.locator("dd").first).to_have_text("Bravo IPS")  # downloaded
    expect(section.locator("dd").nth(1)).to_have_text("Alpha AV")  # confirmed ready
    bars = section.locator(".timeline .bar")
    expect(bars).to_have_count(Tier.objects.count())
    assert bars.first.evaluate("bar => bar.getBoundingClientRect().width") > 0  # drawn by the stylesheet
    screenshot(page, "staff-dashboard")

    page.get_by_role("link", name="Tiers").click()
    page.get_by_label("Window of entry (hours before the patch)").fill("36")
    page.get_by_role("button", name="Save tier entry").click()
    expect(page.get_by_text("Tier entry: the window opens 36 hours before the patch")).to_be_visible()
    assert Tier.objects.get(name="entry").lead_time == dt.timedelta(hours=36)
    entry = page.get_by_role("region", name="Change tier entry")
    for box in entry.get_by_role("checkbox").all():
        box.uncheck()
    entry.get_by_role("button", name="Save tier entry").click()
    expect(page.get_by_text("Nothing changed: a tier needs at least one entitlement")).to_be_visible()
    assert Tier.objects.get(name="entry").entitlements
    # The refused value's page comes with status 400, which the browser logs; nothing else may.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()
    screenshot(page, "staff-tiers")

    page.get_by_role("link", name="Dashboard").click()
    page.get_by_role("link", name="NDA versions").click()
    page.get_by_label("Text of the new version").fill("Version two.\n\nKeep every advisory secret until its patch.")
    page.get_by_role("button", name="Publish the new version").click()
    expect(page.get_by_text("Published NDA version 2.")).to_be_visible()
    expect(page.get_by_role("region", name="Partners that have not accepted the current version")
           .get_by_role("link", name="Bravo IPS")).to_be_visible()
    assert NdaVersion.objects.get(version=2).text.startswith("Version two.")
    assert AuditEvent.objects.filter(action="nda.publish", object_id="2", actor=staff_user.email).exists()
    screenshot(page, "staff-nda")
    assert page.console_errors == []
