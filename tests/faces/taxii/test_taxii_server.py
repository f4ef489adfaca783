"""The TAXII 2.1 server: each partner reads its own collection, only what is open to it, audited."""

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
from headstart.apps.taxii.collections import collection_id

pytestmark = pytest.mark.django_db

TAXII = "application/taxii+json;version=2.1"


def taxii_get(user, path: str, accept: str = TAXII, **params):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT=accept)


def objects_path(partner) -> str:  # type: ignore[no-untyped-def]
    return f"/taxii2/api/collections/{collection_id(partner)}/objects/"


def test_discovery_names_the_one_api_root(make_partner):
    _, _, analyst = make_partner("Alpha AV")
    response = taxii_get(analyst, "/taxii2/")
    assert response.status_code == 200
    assert response["Content-Type"] == TAXII
    body = json.loads(response.content)
    assert body["api_roots"] == ["http://testserver/taxii2/api/"] == [body["default"]]
    root = json.loads(taxii_get(analyst, "/taxii2/api/").content)
    assert root["versions"] == [TAXII]


def test_a_partner_lists_only_its_own_collection_and_staff_list_every_one(make_partner, staff_user):
    alpha, _, analyst = make_partner("Alpha AV")
    beta, _, _ = make_partner("Beta AV")
    mine = json.loads(taxii_get(analyst, "/taxii2/api/collections/").content)["collections"]
    assert [c["id"] for c in mine] == [collection_id(alpha)]
    assert mine[0]["can_read"] is True and mine[0]["can_write"] is False
    every = json.loads(taxii_get(staff_user, "/taxii2/api/collections/").content)["collections"]
    assert {c["id"] for c in every} == {collection_id(alpha), collection_id(beta)}


def test_a_collection_id_stays_the_same_when_the_partner_is_renamed(make_partner):
    from headstart.apps.partners.models import Partner

    alpha, _, _ = make_partner("Alpha AV")
    before = collection_id(alpha)
    Partner.objects.filter(pk=alpha.pk).update(name="Alpha Security")
    assert collection_id(Partner.objects.get(pk=alpha.pk)) == before
    assert collection_id(make_partner("Beta AV")[0]) != before


def test_a_partner_reads_the_objects_of_an_open_advisory_and_the_read_is_audited(make_partner, sample_advisory):
    alpha, _, analyst = make_partner("Alpha AV")
    advisory = sample_advisory()
    response = taxii_get(analyst, objects_path(alpha))
    assert response.status_code == 200
    envelope = json.loads(response.content)
    assert envelope["more"] is False
    parsed = [stix2.parse(o) for o in envelope["objects"]]
    assert {o.type for o in parsed} >= {"identity", "marking-definition", "vulnerability"}
    assert response["X-TAXII-Date-Added-First"] <= response["X-TAXII-Date-Added-Last"]
    event = AuditEvent.objects.get(action="taxii.objects")
    assert (event.partner, event.object_id) == ("Alpha AV", "Alpha AV")
    assert event.details == {"collection": collection_id(alpha), "advisories": [advisory.ident],
                             "objects": len(envelope["objects"])}


def test_another_partners_collection_is_not_found_and_the_refusal_is_audited(make_partner, sample_advisory):
    _, _, analyst = make_partner("Alpha AV")
    beta, _, _ = make_partner("Beta AV")
    sample_advisory()
    for path in (objects_path(beta), f"/taxii2/api/collections/{collection_id(beta)}/",
                 f"/taxii2/api/collections/{collection_id(beta)}/manifest/"):
        response = taxii_get(analyst, path)
        assert response.status_code == 404, path
        assert json.loads(response.content)["http_status"] == "404"
    refusals = AuditEvent.objects.filter(action__in=["taxii.objects.refused", "taxii.manifest.refused"])
    assert [(e.partner, e.object_id) for e in refusals] == [("Alpha AV", collection_id(beta))] * 2
    assert not AuditEvent.objects.filter(action__in=["taxii.objects", "taxii.manifest"]).exists()


def test_before_the_window_opens_the_collection_serves_nothing(make_partner, sample_advisory):
    alpha, _, analyst = make_partner("Alpha AV", "entry")  # a 24-hour lead time
    sample_advisory(patch_in=dt.timedelta(hours=48))
    envelope = json.loads(taxii_get(analyst, objects_path(alpha)).content)
    assert envelope == {"more": False}
    manifest = json.loads(taxii_get(analyst, f"/taxii2/api/collections/{collection_id(alpha)}/manifest/").content)
    assert manifest == {"more": False}


def test_the_window_opening_is_the_date_an_object_was_added(make_partner, sample_advisory):
    from headstart.apps.taxii.collections import collection_objects

    alpha, _, analyst = make_partner("Alpha AV", "entry")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=48))
    opens = advisory.patch_at - dt.timedelta(hours=24)
    assert collection_objects(alpha, analyst, opens - dt.timedelta(seconds=1)) == []
    found = collection_objects(alpha, analyst, opens)
    assert found and {o.date_added for o in found} == {opens}


def test_an_expelled_partner_is_refused_at_the_door(make_partner, sample_advisory):
    alpha, _, analyst = make_partner("Alpha AV")
    sample_advisory()
    _, token = issue(analyst)
    client = Client()
    assert client.get(objects_path(alpha), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    set_status(alpha, "expelled", reason="leaked the PoC", actor=ACTOR)
    response = client.get(objects_path(alpha), HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert AuditEvent.objects.filter(action="token.refused", partner="Alpha AV").exists()


def test_staff_read_a_partners_collection_as_the_partner_sees_it(make_partner, sample_advisory, staff_user):
    early, _, _ = make_partner("Alpha AV", "advanced")
    late, _, _ = make_partner("Beta AV", "entry")
    sample_advisory(patch_in=dt.timedelta(hours=48))
    assert "objects" in json.loads(taxii_get(staff_user, objects_path(early)).content)
    assert "objects" not in json.loads(taxii_get(staff_user, objects_path(late)).content)
    event = AuditEvent.objects.filter(action="taxii.objects", actor=staff_user.email).first()
    assert event is not None and event.object_id == "Alpha AV"


def test_staff_see_a_partners_indicators_only_when_its_tier_is_entitled_to_the_poc(make_partner, sample_advisory,
                                                                                 staff_user):
    advanced, _, _ = make_partner("Alpha AV", "advanced")
    entry, _, _ = make_partner("Entry AV", "entry")  # write-up and guidance only
    sample_advisory(patch_in=dt.timedelta(hours=12))  # open to both tiers

    def types(partner) -> set[str]:  # type: ignore[no-untyped-def]
        return {o["type"] for o in json.loads(taxii_get(staff_user, objects_path(partner)).content)["objects"]}

    assert "indicator" in types(advanced)
    assert types(entry) == {"identity", "marking-definition", "vulnerability"}


def test_staff_see_nothing_in_an_expelled_partners_collection(make_partner, sample_advisory, staff_user):
    alpha, _, _ = make_partner("Alpha AV")
    sample_advisory()
    assert "objects" in json.loads(taxii_get(staff_user, objects_path(alpha)).content)
    set_status(alpha, "expelled", reason="leaked the PoC", actor=ACTOR)
    assert json.loads(taxii_get(staff_user, objects_path(alpha)).content) == {"more": False}


def test_the_manifest_lists_each_objects_version_as_the_object_writes_it(make_partner, sample_advisory):
    alpha, _, analyst = make_partner("Alpha AV")
    sample_advisory()
    base = f"/taxii2/api/collections/{collection_id(alpha)}"
    manifest = json.loads(taxii_get(analyst, base + "/manifest/").content)["objects"]
    objects = {o["id"]: o for o in json.loads(taxii_get(analyst, base + "/objects/").content)["objects"]}
    assert {m["id"] for m in manifest} == set(objects)
    for entry in manifest:
        assert entry["version"] == objects[entry["id"]].get("modified", objects[entry["id"]]["created"])
        assert entry["media_type"] == "application/stix+json;version=2.1"


def test_filters_and_pages_select_objects(make_partner, sample_advisory):
    alpha, _, analyst = make_partner("Alpha AV")
    sample_advisory()
    sample_advisory(ident="HS-2026-0002")
    path = objects_path(alpha)
    vulns = json.loads(taxii_get(analyst, path, **{"match[type]": "vulnerability"}).content)["objects"]
    assert len(vulns) == 2 and {v["type"] for v in vulns} == {"vulnerability"}
    one = json.loads(taxii_get(analyst, path + vulns[1]["id"] + "/").content)["objects"]
    assert one == [vulns[1]]
    versions = json.loads(taxii_get(analyst, path + vulns[1]["id"] + "/versions/").content)
    assert versions == {"more": False, "versions": [vulns[1]["modified"]]}
    every = json.loads(taxii_get(analyst, path).content)["objects"]
    first = json.loads(taxii_get(analyst, path, limit="2").content)
    assert first["more"] is True and first["objects"] == every[:2]
    rest = json.loads(taxii_get(analyst, path, limit="1000", next=first["next"]).content)
    assert rest["more"] is False and rest["objects"] == every[2:]
    last_added = taxii_get(analyst, path)["X-TAXII-Date-Added-Last"]
    assert json.loads(taxii_get(analyst, path, added_after=last_added).content) == {"more": False}


def test_an_unknown_object_is_not_found(make_partner, sample_advisory):
    alpha, _, analyst = make_partner("Alpha AV")
    sample_advisory()
    response = taxii_get(analyst, objects_path(alpha) + "vulnerability--00000000-0000-5000-8000-000000000000/")
    assert response.status_code == 404


@pytest.mark.parametrize(("params", "detail"), [
    ({"added_after": "yesterday"}, "added_after: 'yesterday' is not an RFC 3339 timestamp"),
    ({"added_after": "2026-01-01T00:00:00"}, "added_after: '2026-01-01T00:00:00' has no time zone"),
    ({"limit": "0"}, "limit: '0' must be a whole number of at least 1"),
    ({"next": "-1"}, "next: '-1' must be a whole number of at least 0"),
    ({"limit": "\u00b2"}, "limit: '\u00b2' must be a whole number of at least 1"),
    ({"next": "9" * 5000}, f"next: '{'9' * 5000}' must be a whole number of at least 0"),
])
def test_a_bad_filter_is_a_clear_error_and_records_nothing(make_partner, params, detail):
    alpha, _, analyst = make_partner("Alpha AV")
    response = taxii_get(analyst, objects_path(alpha), **params)
    assert response.status_code == 400
    assert json.loads(response.content)["description"] == detail
    assert not AuditEvent.objects.filter(action="taxii.objects").exists()


def test_no_token_no_collections(make_partner):
    response = Client().get("/taxii2/api/collections/", HTTP_ACCEPT=TAXII)
    assert response.status_code == 401
    assert json.loads(response.content)["http_status"] == "401"


def test_writes_and_other_media_types_are_refused(make_partner):
    alpha, _, analyst = make_partner("Alpha AV")
    _, token = issue(analyst)
    post = Client().post(objects_path(alpha), "{}", content_type=TAXII, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert post.status_code == 405
    assert post["Allow"] == "GET"
    assert taxii_get(analyst, "/taxii2/", accept="text/html").status_code == 406
    assert taxii_get(analyst, "/taxii2/", accept="application/taxii+json;version=2.0").status_code == 406
