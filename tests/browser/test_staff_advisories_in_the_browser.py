"""Staff manage an advisory in a real browser: create it with the sample's files (a wrong file is
refused in the page first), check it, schedule it, prepare the packages (queued, then run by the
real worker) and withdraw it. No console error on any page: a CSP violation would be one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from playwright.sync_api import expect
from readiness_worker import worker  # noqa: F401 - the fixture

from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery.models import PackageFile
from headstart.samples import SAMPLE_DIR

IDENT = "HS-2026-0042"
SLOW_MS = 180_000  # checking the write-up's excerpts runs while staff wait


def test_staff_create_check_schedule_prepare_and_withdraw_an_advisory(page: Any, sign_in, screenshot, staff_user,
                                                                      program, make_keyed_partner,
                                                                      worker):  # noqa: F811
    make_keyed_partner("Example AV")
    sign_in(page, staff_user)
    page.get_by_role("link", name="Manage advisories").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage advisories")
    page.get_by_role("link", name="Create an advisory").click()

    patch_at = (timezone.now() + dt.timedelta(days=3)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Identifier").fill(IDENT)
    page.get_by_label("Title").fill("Heap overflow in Lumen Viewer's TIM decoder")
    page.get_by_label("Patch time (UTC)").fill(patch_at)
    page.get_by_label("CVE (optional)").fill("CVE-2026-99001")
    page.get_by_label("CVSS vector (optional)").fill("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
    page.get_by_label("Affected products (optional)").fill("Lumen Viewer\nLumen Thumbnailer")
    # First the binary PoC chosen as the write-up by mistake: refused by name, nothing created.
    page.get_by_label("Write-up").set_input_files({"name": "writeup.md", "mimeType": "text/markdown",
                                                   "buffer": (SAMPLE_DIR / "poc.tim").read_bytes()})
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was created: write-up writeup.md is not UTF-8 text")
    screenshot(page, "staff-advisory-create-refused")
    assert not Advisory.objects.filter(ident=IDENT).exists()
    # The browser logged the refused form's 400; nothing else may be logged.
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()

    page.get_by_label("Write-up").set_input_files(str(SAMPLE_DIR / "writeup.md"))
    page.get_by_label("Detection guidance").set_input_files(str(SAMPLE_DIR / "guidance.md"))
    page.get_by_label("Binary PoCs").set_input_files(str(SAMPLE_DIR / "poc.tim"))
    page.get_by_label("Trigger specifications").set_input_files(str(SAMPLE_DIR / "tim.ksy.yaml"))
    screenshot(page, "staff-advisory-create")
    page.get_by_role("button", name="Create the draft").click()
    page.wait_for_url(f"**/staff/advisories/{IDENT}/")
    expect(page.get_by_text(f"Created {IDENT} as a draft")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"poc\.tim poc-binary 1"))).to_be_visible()

    page.get_by_role("link", name=f"Check {IDENT}").click(timeout=SLOW_MS)
    page.wait_for_url(f"**/staff/advisories/{IDENT}/check", timeout=SLOW_MS)
    expect(page.get_by_text("Ready to schedule")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"writeup\.md writeup"))).to_be_visible()
    screenshot(page, "staff-advisory-check")

    page.get_by_role("button", name=f"Schedule {IDENT}").click(timeout=SLOW_MS)
    page.wait_for_url(f"**/staff/advisories/{IDENT}/", timeout=SLOW_MS)
    expect(page.get_by_text(f"Scheduled {IDENT}")).to_be_visible()
    assert Advisory.objects.get(ident=IDENT).status == AdvisoryStatus.SCHEDULED

    page.get_by_role("button", name="Prepare 1 package").click(timeout=SLOW_MS)
    expect(page.get_by_text(f"Queued the preparation of {IDENT}")).to_be_visible()
    expect(page.get_by_text(re.compile("Preparation queued .* waiting for a worker"))).to_be_visible()
    expect(page.get_by_role("button", name="Prepare 1 package")).to_have_count(0)
    worker()  # the real worker, once: it prepares the package while the page waits
    page.get_by_role("link", name="Reload").click()
    expect(page.get_by_text("Prepared 1 package; skipped 0 partners")).to_be_visible(timeout=SLOW_MS)
    assert PackageFile.objects.filter(advisory__ident=IDENT).count() == 1
    screenshot(page, "staff-advisory")

    page.get_by_label("Reason to withdraw").fill("the vendor found it was a duplicate")
    page.get_by_label(re.compile("I confirm")).check()
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text(f"Withdrew {IDENT}")).to_be_visible()
    assert Advisory.objects.get(ident=IDENT).status == AdvisoryStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="advisory.withdraw", object_id=IDENT).count() == 1

    page.get_by_role("link", name="Manage advisories").click()
    expect(page.get_by_role("row", name=re.compile(f"{IDENT}.*withdrawn"))).to_be_visible()
    screenshot(page, "staff-advisories")
    assert page.console_errors == []
