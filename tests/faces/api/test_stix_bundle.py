"""GET /api/v1/advisories/{id}/stix: the caller's STIX 2.1 bundle, under the advisories' access rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import stix2
from django.test import Client
from factories import ACTOR

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.partners.services import set_status
from headstart.apps.stix import tlp

pytestmark = pytest.mark.django_db


def get_stix(user, ident: str):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/stix", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_a_partner_gets_a_bundle_that_stix2_parses_back(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = get_stix(analyst, advisory.ident)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/stix+json;version=2.1"
    assert response["Cache-Control"] == "no-store"
    bundle = stix2.parse(response.content.decode(), allow_custom=False)
    vulnerability = next(o for o in bundle.objects if o.type == "vulnerability")
    assert vulnerability.name == "CVE-2026-99001"
    assert {"source_name": "cve", "external_id": "CVE-2026-99001"}.items() <= dict(
        vulnerability.external_references[0]).items()
    assert "Heap overflow in Lumen Viewer's TIM decoder" in vulnerability.description
    assert vulnerability.object_marking_refs == [tlp.TLP_AMBER_STRICT.id]


def test_the_bundle_read_is_audited_with_what_it_held(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    bundle = json.loads(get_stix(analyst, advisory.ident).content)
    event = AuditEvent.objects.filter(action="stix.bundle").get()
    assert (event.actor, event.partner, event.object_id) == (analyst.email, "Alpha AV", advisory.ident)
    assert event.details["bundle"] == bundle["id"]
    assert event.details["objects"] == [o["id"] for o in bundle["objects"]]


def test_the_same_bundle_comes_out_twice(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    assert get_stix(analyst, advisory.ident).content == get_stix(analyst, advisory.ident).content


def test_another_partner_outside_its_window_is_refused_and_the_refusal_audited(make_partner, sample_advisory):
    _, _, early = make_partner("Alpha AV", "advanced")
    _, _, late = make_partner("Beta AV", "entry")  # a 24-hour lead time: its window opens in a day
    advisory = sample_advisory(patch_in=dt.timedelta(hours=48))
    assert get_stix(early, advisory.ident).status_code == 200
    response = get_stix(late, advisory.ident)
    assert response.status_code == 404
    assert json.loads(response.content) == {"detail": f"unknown advisory {advisory.ident!r}"}
    refusal = AuditEvent.objects.get(action="stix.bundle.refused")
    assert (refusal.partner, refusal.object_id) == ("Beta AV", advisory.ident)
    assert not AuditEvent.objects.filter(action="stix.bundle", partner="Beta AV").exists()


def test_a_partner_that_has_not_accepted_the_nda_gets_nothing(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV", accept=False)
    advisory = sample_advisory()
    assert get_stix(analyst, advisory.ident).status_code == 404


def test_an_expelled_partners_token_no_longer_opens_the_bundle(make_partner, sample_advisory):
    partner, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    _, token = issue(analyst)
    client = Client()
    url = f"/api/v1/advisories/{advisory.ident}/stix"
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    set_status(partner, "expelled", reason="leaked the PoC", actor=ACTOR)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert AuditEvent.objects.filter(action="token.refused", partner="Alpha AV").exists()


def test_staff_get_the_bundle_of_any_advisory_even_before_any_window(staff_user, sample_advisory):
    advisory = sample_advisory(patch_in=dt.timedelta(days=30))
    response = get_stix(staff_user, advisory.ident)
    assert response.status_code == 200
    assert any(o.type == "vulnerability" for o in stix2.parse(response.content.decode()).objects)


def test_after_the_patch_time_the_objects_are_tlp_amber_and_their_version_moves(make_partner, sample_advisory):
    from headstart.apps.advisories.models import Advisory
    from headstart.apps.stix.bundles import bundle_for

    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    before = stix2.parse(bundle_for(analyst, advisory.ident, actor=ACTOR))
    after_patch = Advisory.objects.get(pk=advisory.pk).patch_at + dt.timedelta(minutes=1)
    after = stix2.parse(bundle_for(analyst, advisory.ident, actor=ACTOR, now=after_patch))
    vuln_before = next(o for o in before.objects if o.type == "vulnerability")
    vuln_after = next(o for o in after.objects if o.type == "vulnerability")
    assert vuln_after.id == vuln_before.id
    assert vuln_after.object_marking_refs == [tlp.TLP_AMBER.id]
    assert vuln_after.modified > vuln_before.modified
    assert tlp.TLP_AMBER.id in {o.id for o in after.objects if o.type == "marking-definition"}


def test_each_generated_yara_rule_is_an_indicator_that_indicates_the_vulnerability(make_partner, sample_advisory):
    import yara_x

    from headstart.apps.detection.rules import rules_for_advisory
    from headstart.samples import SAMPLE_DIR

    _, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    bundle = stix2.parse(get_stix(analyst, advisory.ident).content.decode())
    vulnerability = next(o for o in bundle.objects if o.type == "vulnerability")
    indicators = [o for o in bundle.objects if o.type == "indicator"]
    rules = rules_for_advisory(advisory)
    assert rules and [(i.name, i.pattern) for i in indicators] == [(r.name, r.text) for r in rules]
    for indicator in indicators:
        assert indicator.pattern_type == "yara"
        assert indicator.object_marking_refs == [tlp.TLP_AMBER_STRICT.id]
        scanner = yara_x.Scanner(yara_x.compile(indicator.pattern))
        assert [r.identifier for r in scanner.scan((SAMPLE_DIR / "poc.tim").read_bytes()).matching_rules] \
            == [indicator.name]
    relations = {(r.source_ref, r.relationship_type, r.target_ref) for r in bundle.objects if r.type == "relationship"}
    assert relations == {(i.id, "indicates", vulnerability.id) for i in indicators}


def test_a_tier_without_the_proof_of_concept_gets_no_indicator(make_partner, sample_advisory):
    _, _, analyst = make_partner("Entry AV", "entry")  # entitled to the write-up and guidance only
    advisory = sample_advisory(patch_in=dt.timedelta(hours=12))
    bundle = stix2.parse(get_stix(analyst, advisory.ident).content.decode())
    assert {o.type for o in bundle.objects} == {"identity", "marking-definition", "vulnerability"}
