"""The partner's home page (countdowns, CVE and CVSS, what its tier receives) and the NDA page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from headstart.apps.partners.models import Tier
from headstart.faces.portal.templatetags.portal_countdown import relative, span_text

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_durations_read_in_their_two_largest_units():
    day, hour, minute = 86400, 3600, 60
    assert span_text(3 * day + 4 * hour + 59) == "3 days 4 hours"
    assert span_text(day) == "1 day"
    assert span_text(5 * hour + 10 * minute) == "5 hours 10 minutes"
    assert span_text(61) == "1 minute"
    assert span_text(30) == "less than a minute"
    now = dt.datetime(2026, 12, 8, tzinfo=dt.UTC)
    assert relative(now + dt.timedelta(hours=2), now) == "in 2 hours"
    assert relative(now - dt.timedelta(hours=2), now) == "2 hours ago"


def test_home_shows_the_countdowns_the_cvss_and_what_the_tier_receives(make_partner, make_advisory):
    make_advisory("HS-2026-0001", patch_in=dt.timedelta(hours=52, minutes=30))
    _, _, analyst = make_partner("Example AV", "advanced")
    advanced = Tier.objects.get(name="advanced")
    assert advanced.lead_time > dt.timedelta(hours=53), "the advanced tier gets this advisory now"
    page = signed_in(analyst).get("/").content.decode()
    assert "patch <span class=\"countdown\"" in page and ">in 2 days 4 hours</span>" in page
    assert "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H" in page and "8.8" in page
    assert "write-up, guidance, PoC source" in page
    nxt = max((t for t in Tier.objects.all() if t.lead_time < advanced.lead_time), key=lambda t: t.lead_time)
    assert f"{nxt.name} <span class=\"countdown\"" in page


def test_an_entry_tier_home_names_only_what_it_receives(make_partner, make_advisory):
    make_advisory("HS-2026-0001", patch_in=dt.timedelta(hours=12))
    _, _, analyst = make_partner("Contoso EDR", "entry")
    page = signed_in(analyst).get("/").content.decode()
    assert "write-up, guidance" in page and "PoC source" not in page


def _queries(client: Client) -> int:
    client.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_home_takes_as_many_queries_for_five_advisories_as_for_one(make_partner, make_advisory, staff_user):
    _, _, analyst = make_partner("Example AV", "advanced")
    make_advisory("HS-2026-0001", patch_in=dt.timedelta(hours=12))
    one = (_queries(signed_in(analyst)), _queries(signed_in(staff_user)))
    for n in range(2, 6):
        make_advisory(f"HS-2026-{n:04d}", patch_in=dt.timedelta(hours=12 + n))
    five = (_queries(signed_in(analyst)), _queries(signed_in(staff_user)))
    assert one == five
    assert "HS-2026-0005" in signed_in(analyst).get("/").content.decode()


def test_the_nda_page_shows_an_admin_the_accept_button_and_then_when_it_was_accepted(make_partner, program):
    _, admin, _ = make_partner("Example AV", accept=False)
    client = signed_in(admin)
    page = client.get("/nda/").content.decode()
    assert "has not accepted this version yet" in page and "Accept on behalf of Example AV" in page
    assert client.post("/nda/").status_code == 302
    page = client.get("/nda/").content.decode()
    assert "Example AV accepted this version on <time" in page and admin.email in page
    assert "Accept on behalf of" not in page


def test_an_analyst_is_told_who_can_accept_and_sees_no_button(make_partner, program):
    _, admin, analyst = make_partner("Example AV", accept=False)
    page = signed_in(analyst).get("/nda/").content.decode()
    assert "Accept on behalf of" not in page and "<button" not in page.split("</header>")[1]
    assert f"Only a partner admin can accept it for Example AV: {admin.email}" in page


def test_staff_see_no_accept_button(staff_user, program):
    page = signed_in(staff_user).get("/nda/").content.decode()
    assert "Accept on behalf of" not in page and "Each partner's admin accepts the NDA" in page
