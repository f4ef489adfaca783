"""Staff in a real browser: upload a leak and read its report (verdict, p-values, the plot image,
the report in its frame), expel the accused partner from it; browse and filter the audit log and
check the chain. No console error on any page: a CSP violation would be one."""

from __future__ import annotations

import re
from typing import Any

import pytest
from apps.investigations.investigation_helpers import Delivered
from factories import ACTOR
from playwright.sync_api import expect

from headstart.apps.audit.services import Actor
from headstart.apps.delivery.services import fetch_package
from headstart.apps.partners.models import Partner
from headstart.leaks.text import rewrap

PARTNERS = ("Alpha AV", "Bravo IPS", "Charlie EDR", "Delta Labs")
LEAKER = "Charlie EDR"


@pytest.fixture
def delivered(marked_advisory, make_keyed_partner, tmp_path) -> Delivered:  # type: ignore[no-untyped-def]
    """The marked write-up and guidance, downloaded by four partners."""
    partners = {name: make_keyed_partner(name) for name in PARTNERS}
    advisory = marked_advisory()
    for name, keyed in partners.items():
        fetch_package(keyed.analyst, advisory.ident, actor=Actor(name=keyed.analyst.email, partner=name))
    return Delivered(advisory, partners, tmp_path)


def test_staff_upload_a_leak_read_its_report_and_expel_the_partner_it_names(
        page: Any, sign_in, screenshot, staff_user, delivered):
    leak = rewrap(delivered.text(LEAKER, "writeup.md")).encode()
    sign_in(page, staff_user)
    page.get_by_role("link", name="Investigations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Investigations")
    page.get_by_label("Leaked files").set_input_files({"name": "forum-post.txt", "mimeType": "text/plain",
                                                       "buffer": leak})
    page.get_by_role("button", name="Investigate").click()
    page.wait_for_url(re.compile(r"/staff/investigations/INV-\d+/$"), timeout=120_000)  # the analysis runs while staff wait
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Investigation INV-\d+"))
    expect(page.get_by_text(f"identify the copy delivered to {LEAKER}")).to_be_visible()
    accused = page.get_by_role("region", name="Accused").get_by_role("row", name=re.compile(LEAKER))
    expect(accused).to_be_visible()
    # The plot is an image the project serves; the report's own page in its sandboxed frame.
    plot = page.get_by_role("img", name=re.compile("Evidence against each partner"))
    expect(plot).to_be_visible()
    # Visible as soon as laid out (it has a width and height): wait until its bytes have loaded.
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=plot.element_handle())
    report = page.frame_locator("iframe.report")
    expect(report.get_by_role("heading", level=1)).to_be_visible()
    expect(report.get_by_text(LEAKER).first).to_be_visible()
    shot = screenshot(page, "staff-investigation")
    page.locator("iframe.report").screenshot(path=str(shot.with_name("staff-investigation-report.png")))

    accused.get_by_label(f"Reason for expelling {LEAKER}").fill("published the write-up on a forum")
    accused.get_by_label(re.compile("I confirm")).check()
    accused.get_by_role("button", name=f"Expel {LEAKER}").click()
    expect(page.get_by_text(f"{LEAKER} is expelled")).to_be_visible()
    assert Partner.objects.get(name=LEAKER).status == "expelled"
    assert page.console_errors == []
    page.unroute_all(behavior="ignoreErrors")  # the plot and frame of the page after the expulsion may still load


def test_staff_browse_and_filter_the_audit_log_and_check_the_chain(page: Any, sign_in, screenshot, staff_user,
                                                                   make_partner):
    from headstart.apps.partners.services import set_status

    partner, _, _ = make_partner("Example AV")
    make_partner("Contoso EDR")
    set_status(partner, "suspended", reason="late payment", actor=ACTOR)
    sign_in(page, staff_user)
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    page.get_by_label("Partner").fill("Example AV")
    page.get_by_label("Action").fill("partner.")
    page.get_by_role("button", name="Show events").click()
    rows = page.locator("table.audit tbody tr:not(.details)")
    expect(rows).to_have_count(2)  # partner.suspend, then partner.add
    expect(rows.first).to_contain_text("partner.suspend")
    page.get_by_text(re.compile(r"Details of #\d+")).first.click()
    expect(page.get_by_text('"reason": "late payment"')).to_be_visible()
    screenshot(page, "staff-audit-log")

    page.get_by_label("Action").fill("Not An Action")
    page.get_by_role("button", name="Show events").click()
    expect(page.get_by_text("An action is lower-case letters")).to_be_visible()
    # The refused filter's page comes with status 400, which the browser logs; nothing else may.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()

    page.get_by_role("button", name="Check the chain").click()
    expect(page.get_by_text(re.compile(r"Intact: \d+ events, every link verified"))).to_be_visible()
    screenshot(page, "staff-audit-chain")
    assert page.console_errors == []


def test_staff_see_partners_by_tier_and_suspend_one_with_a_reason(page: Any, sign_in, screenshot, staff_user,
                                                                  make_partner):
    make_partner("Example AV")
    make_partner("Entry Co", "entry")
    sign_in(page, staff_user)
    page.get_by_role("link", name="Partners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Partners")
    screenshot(page, "staff-partners")
    page.get_by_role("link", name="Example AV").click()
    page.get_by_label("Reason to suspend").fill("late payment")
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_text("Example AV is now suspended")).to_be_visible()
    expect(page.get_by_role("cell", name="late payment")).to_be_visible()
    screenshot(page, "staff-partner")
    assert Partner.objects.get(name="Example AV").status == "suspended"
    assert page.console_errors == []
