"""GET /api/v1/advisories/{id}/csaf: the CSAF edition the caller may see, under the one access
rule (access.get_visible_advisory), every read and every refusal in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from csaf_helpers import ACTOR, csaf_failures, patched, sample_advisory

from headstart.apps.advisories.services import withdraw_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db

URL = "/api/v1/advisories/{}/csaf"


@pytest.fixture
def advanced(make_partner):  # type: ignore[no-untyped-def]
    """A partner of the advanced tier (72 h lead time): the sample advisory (patch in 48 h) is open to it."""
    return make_partner("Woodgrove AV", "advanced")


@pytest.fixture
def entry(make_partner):  # type: ignore[no-untyped-def]
    """A partner of the entry tier (24 h lead time): the same advisory is not open to it yet."""
    return make_partner("Tailspin EDR", "entry")


@pytest.fixture
def sample(program):  # type: ignore[no-untyped-def]
    return sample_advisory()


def _tlp(response) -> str:  # type: ignore[no-untyped-def]
    return response.json()["document"]["distribution"]["tlp"]["label"]


def test_a_partner_inside_its_window_gets_the_partner_edition_and_the_read_is_audited(api_client, advanced, sample):
    _partner, _admin, analyst = advanced
    client = api_client(analyst, REMOTE_ADDR="198.51.100.4")
    count = AuditEvent.objects.count()
    response = client.get(URL.format(sample.ident))
    assert response.status_code == 200
    assert AuditEvent.objects.count() == count + 1  # one read, one event
    assert response["Content-Type"] == "application/json"
    assert response["X-Headstart-CSAF-Edition"] == "partner"
    assert _tlp(response) == "AMBER"
    assert csaf_failures(response.json()) == []
    event = AuditEvent.objects.filter(action="csaf.view").latest("seq")
    assert (event.actor, event.partner, event.object_id, event.ip) == (analyst.email, "Woodgrove AV", sample.ident,
                                                                       "198.51.100.4")
    assert event.details == {"edition": "partner", "tlp": "AMBER"}


def test_a_partner_gets_the_public_edition_once_the_patch_is_out(api_client, advanced, sample):
    _partner, _admin, analyst = advanced
    patched(sample)
    client = api_client(analyst)
    response = client.get(URL.format(sample.ident))
    assert (response.status_code, _tlp(response)) == (200, "WHITE")
    assert response.json()["document"]["tracking"]["status"] == "final"
    assert csaf_failures(response.json()) == []
    # The partner edition it had is still its to read.
    assert _tlp(client.get(URL.format(sample.ident) + "?edition=partner")) == "AMBER"


def test_a_partner_asking_for_the_public_edition_before_the_patch_is_told_it_does_not_exist(api_client, advanced,
                                                                                             sample):
    _partner, _admin, analyst = advanced
    response = api_client(analyst).get(URL.format(sample.ident) + "?edition=public")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="csaf.view.refused", object_id=sample.ident).exists()


def test_a_partner_outside_its_tiers_window_gets_not_found_as_for_an_unknown_advisory(api_client, entry, sample):
    _partner, _admin, analyst = entry
    client = api_client(analyst)
    hidden = client.get(URL.format(sample.ident))
    unknown = client.get(URL.format("HS-2026-9999"))
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["detail"].replace(sample.ident, "X") == unknown.json()["detail"].replace("HS-2026-9999", "X")
    refusal = AuditEvent.objects.filter(action="csaf.view.refused", object_id=sample.ident).latest("seq")
    assert refusal.actor == analyst.email


def test_an_advisory_before_every_window_is_hidden_from_every_partner(api_client, advanced, program):
    _partner, _admin, analyst = advanced
    future = sample_advisory("HS-2026-0005", patch_in=dt.timedelta(days=30))
    assert api_client(analyst).get(URL.format(future.ident)).status_code == 404


def test_another_partners_open_advisory_is_refused_when_its_own_is_not_open(api_client, advanced, entry, sample):
    # The same advisory is open to the advanced partner and hidden from the entry one.
    assert api_client(advanced[2]).get(URL.format(sample.ident)).status_code == 200
    assert api_client(entry[2]).get(URL.format(sample.ident)).status_code == 404


@pytest.mark.parametrize("status", ["expelled", "suspended"])
def test_an_expelled_or_suspended_partner_is_refused_at_once(api_client, advanced, sample, status, token_for):
    partner, _admin, analyst = advanced
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(analyst)}")
    assert client.get(URL.format(sample.ident)).status_code == 200
    set_status(partner, status, reason="leaked HS-2025-0009", actor=ACTOR)
    response = client.get(URL.format(sample.ident))
    assert response.status_code == 401
    assert "document" not in response.json()


def test_a_partner_without_the_current_nda_sees_nothing(api_client, make_partner, sample):
    _partner, _admin, analyst = make_partner("Unsigned Co", "advanced", accept=False)
    assert api_client(analyst).get(URL.format(sample.ident)).status_code == 404


def test_anonymous_callers_get_no_csaf_document_from_the_api(api_client, sample):
    assert api_client().get(URL.format(sample.ident)).status_code == 401
    assert api_client().get(URL.format(patched(sample).ident)).status_code == 401


def test_staff_get_either_edition_at_any_time_and_each_read_is_audited(api_client, staff_user, sample):
    client = api_client(staff_user)
    assert _tlp(client.get(URL.format(sample.ident))) == "AMBER"
    public = client.get(URL.format(sample.ident) + "?edition=public")
    assert (public.status_code, _tlp(public)) == (200, "WHITE")
    editions = [e.details["edition"] for e in AuditEvent.objects.filter(action="csaf.view").order_by("seq")]
    assert editions == ["partner", "public"]


def test_an_unknown_edition_is_a_clear_error(api_client, staff_user, sample):
    response = api_client(staff_user).get(URL.format(sample.ident) + "?edition=amber")
    assert response.status_code == 400
    assert "partner or public" in response.json()["detail"]


def test_a_withdrawn_advisory_has_no_document_even_for_staff(api_client, staff_user, sample):
    withdraw_advisory(sample, reason="fix pulled", actor=ACTOR)
    response = api_client(staff_user).get(URL.format(sample.ident))
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]
