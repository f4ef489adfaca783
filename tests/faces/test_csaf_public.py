"""The public CSAF provider under /.well-known/csaf/: provider metadata, the ROLIE feed, and the
public editions with their hash files, for anyone without signing in, and only from the
advisory's patch time on."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from csaf_helpers import ACTOR, csaf_failures, patched, sample_advisory
from django.test import Client

from headstart.apps.advisories.services import withdraw_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.csaf.documents import public_document_url

pytestmark = pytest.mark.django_db

BASE = "https://psirt.example.com/"
WELL_KNOWN = "/.well-known/csaf/"


@pytest.fixture(autouse=True)
def _served_at(settings):  # type: ignore[no-untyped-def]
    settings.HEADSTART_PORTAL_URL = BASE  # a deployment's public address (TLS, as CSAF requires)


def _path(url: str) -> str:
    assert url.startswith(BASE), url
    return "/" + url[len(BASE):]


def _feed(client: Client) -> dict:  # type: ignore[type-arg]
    response = client.get(WELL_KNOWN + "feed-tlp-white.json")
    assert response.status_code == 200
    return response.json()["feed"]


def test_the_provider_metadata_names_the_publisher_and_the_white_rolie_feed(program):
    from csaf.csaf.v20._validator import _registry  # the csaf package's CSAF 2.0 schema and what it refers to
    from jsonschema import Draft202012Validator

    response = Client().get(WELL_KNOWN + "provider-metadata.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    metadata = response.json()
    # Requirement 7: the fields the provider metadata schema requires, with their CSAF 2.0 values.
    assert metadata["canonical_url"] == BASE + ".well-known/csaf/provider-metadata.json"
    assert metadata["metadata_version"] == "2.0"
    assert metadata["role"] == "csaf_trusted_provider"
    assert metadata["list_on_CSAF_aggregators"] is True and metadata["mirror_on_CSAF_aggregators"] is True
    assert dt.datetime.fromisoformat(metadata["last_updated"])
    [distribution] = metadata["distributions"]
    [feed] = distribution["rolie"]["feeds"]
    assert (feed["tlp_label"], feed["url"]) == ("WHITE", BASE + ".well-known/csaf/feed-tlp-white.json")
    # The publisher object is the one in the documents, valid under the CSAF 2.0 schema.
    publisher_schema = {"$ref": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
                                "#/properties/document/properties/publisher"}
    validator = Draft202012Validator(publisher_schema, registry=_registry())
    assert list(validator.iter_errors(metadata["publisher"])) == []
    assert list(validator.iter_errors({**metadata["publisher"], "category": "reseller"}))  # the check can fail
    assert metadata["publisher"] == {"category": "vendor", "name": "Test program",
                                     "namespace": "https://psirt.example.com"}


def test_before_the_patch_the_public_document_is_not_found_exactly_as_an_unknown_one(program):
    advisory = sample_advisory()
    client = Client()
    path = _path(public_document_url(advisory))
    embargoed = client.get(path)
    unknown = client.get(path.replace("hs-2026-0001", "hs-2026-9999"))
    assert embargoed.status_code == unknown.status_code == 404
    assert embargoed.content == unknown.content
    for suffix in (".sha256", ".sha512", ".asc"):
        assert client.get(path + suffix).status_code == 404
    assert _feed(client)["entry"] == []
    assert advisory.title not in client.get(WELL_KNOWN + "feed-tlp-white.json").content.decode()


def test_from_the_patch_on_anyone_gets_the_public_edition_and_its_hash_files(program):
    advisory = patched(sample_advisory())
    client = Client()
    response = client.get(_path(public_document_url(advisory)))
    assert response.status_code == 200
    document = response.json()
    assert document["document"]["distribution"]["tlp"]["label"] == "WHITE"
    assert csaf_failures(document) == []
    assert "no-cache" in response["Cache-Control"]
    for name, digest in (("sha256", hashlib.sha256), ("sha512", hashlib.sha512)):
        text = client.get(_path(public_document_url(advisory)) + f".{name}").content.decode()
        assert text == f"{digest(response.content).hexdigest()}  hs-2026-0001.json\n"
    # Public data: nothing confidential was read, so nothing goes into the audit log.
    assert not AuditEvent.objects.filter(action__startswith="csaf.").exists()


def test_the_rolie_feed_lists_only_the_public_editions_each_with_links_that_resolve(program):
    public = patched(sample_advisory("HS-2026-0001"))
    sample_advisory("HS-2026-0002")  # under embargo
    withdraw_advisory(sample_advisory("HS-2026-0003"), reason="fix pulled", actor=ACTOR)
    patched(sample_advisory("HS-2026-0004", products=[]))  # public, but no CSAF document without a product
    client = Client()
    feed = _feed(client)
    assert feed["category"] == [{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}]
    assert feed["link"] == [{"rel": "self", "href": BASE + ".well-known/csaf/feed-tlp-white.json"}]
    assert [entry["id"] for entry in feed["entry"]] == [public.ident]
    [entry] = feed["entry"]
    assert entry["format"] == {"schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
                               "version": "2.0"}
    assert entry["content"] == {"type": "application/json", "src": public_document_url(public)}
    assert entry["updated"] == feed["updated"] == public.patch_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    for link in entry["link"]:
        assert client.get(_path(link["href"])).status_code == 200, link
    assert sorted(link["rel"] for link in entry["link"]) == ["hash", "hash", "self", "signature"]
    text = json.dumps(feed)
    for hidden in ("HS-2026-0002", "HS-2026-0003", "HS-2026-0004"):
        assert hidden not in text


def test_a_public_document_has_one_address(program):
    advisory = patched(sample_advisory())
    path = _path(public_document_url(advisory))
    year = path.split("/")[-2]
    client = Client()
    assert client.get(path.replace(f"/{year}/", f"/{int(year) + 1}/")).status_code == 404
    assert client.get(path.replace("hs-2026-0001", "HS-2026-0001")).status_code == 404
    assert client.get(path.replace(".json", ".txt")).status_code == 404


def test_the_public_files_are_read_only(program):
    patched(sample_advisory())
    assert Client().post(WELL_KNOWN + "feed-tlp-white.json").status_code == 405
