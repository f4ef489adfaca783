"""Staff's dashboard: partners by tier and status, each scheduled advisory's tier windows on a
timeline, who downloaded and who confirmed ready (readiness coverage), open questions; the same
queries however many advisories and partners; a partner's user gets 404."""

from __future__ import annotations

import datetime as dt

import pytest
from people_helpers import signed_in

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.services import fetch_package
from headstart.apps.partners.models import Tier
from headstart.apps.partners.services import set_status
from headstart.apps.questions.services import ask
from headstart.apps.readiness.services import confirm_ready
from headstart.faces.portal.staff_dashboard_views import timeline

pytestmark = pytest.mark.django_db


def test_partners_users_get_not_found(make_partner):
    _, admin, analyst = make_partner("Example AV")
    for user in (admin, analyst):
        assert signed_in(user).get("/staff/").status_code == 404


def test_staff_see_partners_by_tier_and_status(staff_user, make_partner):
    make_partner("Example AV")
    make_partner("Entry Co", "entry")
    late, _, _ = make_partner("Late Co")
    set_status(late, "suspended", reason="late payment", actor=Actor(name="test:staff"))
    response = signed_in(staff_user).get("/staff/")
    assert response.status_code == 200
    summary = {row["tier"]: row["counts"] for row in response.context["summary"]}
    assert summary["advanced"] == [0, 1, 1, 0] and summary["entry"] == [0, 1, 0, 0]  # applicant, active, ...
    assert response.context["totals"] == [0, 2, 1, 0]


def test_an_advisory_shows_each_tiers_window_and_its_coverage(staff_user, make_partner, partner_key,
                                                              sample_advisory):
    _, _, alpha = make_partner("Alpha AV", pgp_cert=partner_key("Alpha AV").certificate)
    _, _, bravo = make_partner("Bravo AV", pgp_cert=partner_key("Bravo AV").certificate)
    advisory = sample_advisory()
    confirm_ready(alpha, advisory.ident, note="signature 42", actor=Actor(name=alpha.email, partner="Alpha AV"))
    ask(alpha, advisory.ident, "Which versions?", actor=Actor(name=alpha.email, partner="Alpha AV"))
    fetch_package(bravo, advisory.ident, actor=Actor(name=bravo.email, partner="Bravo AV"))
    response = signed_in(staff_user).get("/staff/")
    (row,) = response.context["rows"]
    assert [w.tier for w in row.windows] == [t.name for t in Tier.objects.order_by("-lead_time", "name")]
    assert all(w.opens_at == advisory.patch_at - Tier.objects.get(name=w.tier).lead_time for w in row.windows)
    assert (row.downloaded, row.ready) == (["Bravo AV"], ["Alpha AV"])
    text = response.content.decode()
    assert "Downloaded</dt><dd>Bravo AV</dd>" in text and "Confirmed ready</dt><dd>Alpha AV</dd>" in text
    assert [t.partner.name for t in response.context["threads"]] == ["Alpha AV"]
    assert AuditEvent.objects.filter(action="readiness.coverage", actor=staff_user.email).exists()


def test_timeline_bars_run_from_each_window_to_the_patch_within_the_scale():
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    class Row:
        def __init__(self, patch_in: dt.timedelta) -> None:
            self.advisory = type("A", (), {"patch_at": now + patch_in})()
            self.partners = []

    wide = Tier(name="wide", lead_time=dt.timedelta(hours=100))
    narrow = Tier(name="narrow", lead_time=dt.timedelta(hours=10))
    rows, now_at = timeline([Row(dt.timedelta(hours=50)), Row(dt.timedelta(hours=100))], [wide, narrow], now)  # type: ignore[list-item]
    # The scale runs from the first window (50 h ago) to the last patch (in 100 h): 150 h in 50 steps.
    assert now_at == round(50 / 150 * 50)
    first_wide, first_narrow = rows[0].windows
    assert (first_wide.start, first_wide.length, first_wide.open_now) == (0, round(100 / 150 * 50), True)
    assert first_narrow.start + first_narrow.length == round(100 / 150 * 50) and not first_narrow.open_now
    assert all(w.start + w.length <= 50 for r in rows for w in r.windows)


def test_the_dashboard_makes_the_same_queries_for_one_advisory_or_five(
        staff_user, make_partner, make_advisory, django_assert_num_queries, django_assert_max_num_queries):
    _, _, analyst = make_partner("Partner 0 AV")
    make_advisory("HS-2026-0001")
    client = signed_in(staff_user)
    client.get("/staff/")  # the session and the like, loaded once
    with django_assert_max_num_queries(60) as one:
        assert client.get("/staff/").status_code == 200
    queries = len(one.captured_queries)
    for i in range(2, 6):
        make_advisory(f"HS-2026-{i:04d}")
        _, _, analyst = make_partner(f"Partner {i} AV")
        ask(analyst, f"HS-2026-{i:04d}", "When is the patch?", actor=Actor(name=analyst.email, partner=analyst.partner.name))
    with django_assert_num_queries(queries):
        response = client.get("/staff/")
    assert len(response.context["rows"]) == 5 and len(response.context["threads"]) == 4
