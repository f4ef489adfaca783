"""A partner sees nothing until its admin accepts the current NDA; a new version resets that."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from headstart.apps.advisories.access import open_advisories_for_partner
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor
from headstart.apps.partners.models import NdaAcceptance
from headstart.apps.partners.services import accept_nda, has_accepted_current_nda, publish_nda
from headstart.errors import Conflict, Forbidden, Invalid

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
NDA_V2 = "Version 2 of the NDA.\n\nNothing leaves the building.\n"


@pytest.fixture
def partner_seeing_an_advisory(make_partner, make_advisory):  # type: ignore[no-untyped-def]
    partner, admin, analyst = make_partner("Example AV", "advanced")
    advisory = make_advisory(patch_in=dt.timedelta(hours=12))
    assert list(open_advisories_for_partner(partner)) == [advisory]
    return partner, admin, analyst, advisory


def test_init_publishes_version_one_from_the_template(program):
    from headstart.apps.partners.services import current_nda

    nda = current_nda()
    assert nda.version == 1 and "Test program" in nda.text
    assert nda.sha256 == hashlib.sha256(nda.text.encode()).hexdigest()


def test_the_current_nda_can_be_read_without_its_text_which_loads_when_used(program, django_assert_num_queries):
    from headstart.apps.partners.services import current_nda

    publish_nda(NDA_V2 * 400, actor=ACTOR)  # a real NDA runs to many pages
    with django_assert_num_queries(1):
        reference = current_nda(without_text=True)
    full = current_nda()
    assert (reference.pk, reference.version, reference.sha256) == (full.pk, 2, full.sha256)
    assert "text" in reference.get_deferred_fields()
    with django_assert_num_queries(1):
        assert reference.text == full.text


def test_a_new_nda_version_hides_everything_until_the_partner_accepts_again(partner_seeing_an_advisory, api_client):
    partner, admin, analyst, advisory = partner_seeing_an_advisory
    analyst_api = api_client(analyst)
    assert analyst_api.get(f"/api/v1/advisories/{advisory.ident}").status_code == 200
    publish_nda(NDA_V2, actor=ACTOR)
    assert not has_accepted_current_nda(partner)
    assert not open_advisories_for_partner(partner).exists()
    assert analyst_api.get("/api/v1/advisories").json() == []
    assert analyst_api.get(f"/api/v1/advisories/{advisory.ident}").status_code == 404
    assert analyst_api.get(f"/api/v1/advisories/{advisory.ident}/artifacts").status_code == 404
    assert analyst_api.get("/api/v1/me").json()["nda_accepted"] is False

    accepted = api_client(admin).post("/api/v1/nda/accept")
    assert accepted.status_code == 200 and accepted.json()["version"] == 2
    assert [a["id"] for a in analyst_api.get("/api/v1/advisories").json()] == [advisory.ident]


def test_an_analyst_cannot_accept_the_nda(partner_seeing_an_advisory, api_client, snapshot):
    partner, _admin, analyst, _advisory = partner_seeing_an_advisory
    publish_nda(NDA_V2, actor=ACTOR)
    analyst_api = api_client(analyst)
    before = snapshot()
    with pytest.raises(Forbidden, match="only a partner admin"):
        accept_nda(partner, analyst, actor=ACTOR)
    response = analyst_api.post("/api/v1/nda/accept")
    assert response.status_code == 403 and "only a partner admin" in response.json()["detail"]
    assert snapshot() == before


def test_an_admin_cannot_accept_for_another_partner(make_partner):
    _example, example_admin, _ = make_partner("Example AV", accept=False)
    other, _other_admin, _ = make_partner("Other IPS", accept=False)
    with pytest.raises(Forbidden, match="does not belong"):
        accept_nda(other, example_admin, actor=ACTOR)
    assert not has_accepted_current_nda(other)


def test_acceptance_records_user_version_time_and_address(partner_seeing_an_advisory, api_client):
    partner, admin, _analyst, _advisory = partner_seeing_an_advisory
    nda = publish_nda(NDA_V2, actor=ACTOR)
    before = dt.datetime.now(dt.UTC)
    response = api_client(admin, REMOTE_ADDR="203.0.113.7").post("/api/v1/nda/accept")
    assert response.status_code == 200
    acceptance = NdaAcceptance.objects.get(partner=partner, nda=nda)
    assert (acceptance.user, acceptance.nda.version, acceptance.ip) == (admin, 2, "203.0.113.7")
    assert before <= acceptance.accepted_at <= dt.datetime.now(dt.UTC)
    body = response.json()
    assert (body["partner"], body["user"], body["version"], body["sha256"]) == (
        "Example AV", admin.email, 2, hashlib.sha256(NDA_V2.encode()).hexdigest())
    event = AuditEvent.objects.filter(action="nda.accept").last()
    assert (event.actor, event.partner, event.ip, event.object_id) == (admin.email, "Example AV", "203.0.113.7", "2")


def test_accepting_twice_keeps_the_first_acceptance(partner_seeing_an_advisory):
    partner, admin, _analyst, _advisory = partner_seeing_an_advisory
    first = NdaAcceptance.objects.get(partner=partner)
    again = accept_nda(partner, admin, actor=ACTOR, ip="198.51.100.1")
    assert again.pk == first.pk and NdaAcceptance.objects.filter(partner=partner).count() == 1


def test_republishing_the_same_text_is_refused(program):
    publish_nda(NDA_V2, actor=ACTOR)
    with pytest.raises(Conflict, match="already NDA version 2"):
        publish_nda(NDA_V2.replace("\n", "\r\n"), actor=ACTOR)


def test_an_empty_nda_is_refused(program):
    with pytest.raises(Invalid, match="empty"):
        publish_nda("  \n", actor=ACTOR)


def test_partner_without_the_nda_sees_nothing_even_after_the_patch(make_partner, make_advisory):
    partner, _admin, _analyst = make_partner("Late Signer", accept=False)
    advisory = make_advisory(patch_in=dt.timedelta(hours=1))
    assert not open_advisories_for_partner(partner, now=advisory.patch_at + dt.timedelta(days=1)).exists()
