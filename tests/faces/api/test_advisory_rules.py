"""GET /api/v1/advisories/{id}/rules: the YARA rules of the binary PoCs the caller is entitled to."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yara_x
from django.test import Client
from factories import ACTOR

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery import copies
from headstart.apps.delivery.services import _marking_key
from headstart.apps.partners.services import set_status

pytestmark = pytest.mark.django_db


def get_rules(user, ident: str):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/rules", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_partner_gets_yara_text_that_matches_its_own_copy_and_every_other_partners(make_partner, sample_advisory):
    partners = [make_partner(name) for name in ("Alpha AV", "Beta AV", "Gamma AV")]
    advisory = sample_advisory()
    response = get_rules(partners[0][2], advisory.ident)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    rules = yara_x.compile(response.content.decode())
    poc = next(d for d in copies.deliverables(advisory) if d.file_name == "poc.tim")
    marked = [copies.render(poc, _marking_key(), str(p.uid)) for p, _, _ in partners]
    assert len(set(marked)) == 3  # the copies differ, and the one rule matches each of them
    for data in [copies.original_bytes(poc.artifact), *marked]:
        assert [r.identifier for r in rules.scan(data).matching_rules] == ["HS_2026_0001_poc_tim"]


def test_the_read_is_audited_with_the_rules_it_gave(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    assert get_rules(analyst, advisory.ident).status_code == 200
    event = AuditEvent.objects.get(action="advisory.rules")
    assert (event.actor, event.partner, event.object_id) == (analyst.email, "Alpha AV", advisory.ident)
    assert event.details["rules"] == ["HS_2026_0001_poc_tim"]
    assert event.details["pocs"] == ["poc.tim"]


def test_a_tier_not_entitled_to_the_poc_gets_no_rules_and_the_refusal_is_audited(make_partner, sample_advisory):
    _, _, analyst = make_partner("Beta AV", "entry")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=12))  # inside the entry tier's 24-hour window
    response = get_rules(analyst, advisory.ident)
    assert response.status_code == 404
    assert "no binary proof-of-concept file open to you" in json.loads(response.content)["detail"]
    assert AuditEvent.objects.filter(action="advisory.rules.refused", partner="Beta AV").exists()
    assert not AuditEvent.objects.filter(action="advisory.rules").exists()


def test_a_partner_outside_its_window_is_refused_as_if_the_advisory_did_not_exist(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")  # advanced: a 72-hour lead time
    advisory = sample_advisory(patch_in=dt.timedelta(hours=100))
    response = get_rules(analyst, advisory.ident)
    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": f"unknown advisory {advisory.ident!r}"}
    refusal = AuditEvent.objects.get(action="advisory.rules.refused")
    assert (refusal.partner, refusal.object_id) == ("Alpha AV", advisory.ident)


def test_a_partner_that_has_not_accepted_the_nda_gets_nothing(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV", accept=False)
    advisory = sample_advisory()
    assert get_rules(analyst, advisory.ident).status_code == 404


def test_an_expelled_partners_token_no_longer_opens_the_rules(make_partner, sample_advisory):
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    _, token = issue(analyst)
    client = Client()
    url = f"/api/v1/advisories/{advisory.ident}/rules"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    set_status(partner, "expelled", reason="leaked the PoC", actor=ACTOR)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_staff_get_the_rules_of_any_advisory_even_before_any_window(staff_user, sample_advisory):
    advisory = sample_advisory(patch_in=dt.timedelta(days=30))
    response = get_rules(staff_user, advisory.ident)
    assert response.status_code == 200
    assert "rule HS_2026_0001_poc_tim : headstart" in response.content.decode()


def test_an_advisory_without_a_binary_poc_has_no_rules(staff_user, make_advisory):
    advisory = make_advisory("HS-2026-0042")
    response = get_rules(staff_user, advisory.ident)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="advisory.rules.refused", object_id="HS-2026-0042").exists()


def test_every_partner_gets_the_same_rules_and_each_read_is_audited_under_its_own_partner(make_partner,
                                                                                          sample_advisory):
    _, _, alpha = make_partner("Alpha AV")
    _, _, beta = make_partner("Beta AV")
    advisory = sample_advisory()
    assert get_rules(alpha, advisory.ident).content == get_rules(beta, advisory.ident).content
    events = AuditEvent.objects.filter(action="advisory.rules").order_by("seq")
    assert [(e.actor, e.partner) for e in events] == [(alpha.email, "Alpha AV"), (beta.email, "Beta AV")]
