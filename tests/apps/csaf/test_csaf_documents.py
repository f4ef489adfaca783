"""Each advisory as a CSAF 2.0 document, checked by the csaf package's validator (the 2.0 JSON
schema and every mandatory test), in its partner and its public edition."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from csaf_helpers import ACTOR, PRODUCTS, SAMPLE, csaf_failures, mandatory_tests_run, patched, sample_advisory

from headstart.apps.advisories.services import withdraw_advisory
from headstart.apps.csaf.documents import (
    PARTNER,
    PUBLIC,
    build,
    dumps,
    filename,
    ident_for_filename,
    public_document_url,
)
from headstart.errors import Conflict
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(program):  # type: ignore[no-untyped-def]
    return sample_advisory()


@pytest.mark.parametrize("edition", [PARTNER, PUBLIC])
def test_the_sample_advisory_in_each_edition_passes_the_schema_and_every_mandatory_test(sample, edition):
    document = build(sample, edition)
    assert csaf_failures(document) == []
    # The validator did run the mandatory tests of section 6.1, not the schema alone.
    assert {"schema", "6.1.1", "6.1.8", "6.1.9", "6.1.10", "6.1.14", "6.1.16", "6.1.27"} <= mandatory_tests_run(document)


def test_the_sample_advisory_passes_the_recommended_tests_but_those_it_has_no_data_for(sample, settings):
    settings.HEADSTART_PORTAL_URL = "https://psirt.example.com/"  # a deployment serves over TLS
    missing_helper = "6.2.16 Missing Product Identification Helper"  # the advisory names no CPE or PURL
    public = csaf_failures(build(sample, PUBLIC), preset="extended")
    assert [f for f in public if not f.startswith(missing_helper)] == []
    # The partner edition has no public address to name as its canonical URL (6.2.11).
    partner = csaf_failures(build(sample, PARTNER), preset="extended")
    assert [f.split(":")[0] for f in partner] == ["6.2.11 Missing Canonical URL", missing_helper]


def test_the_validator_fails_a_document_whose_score_does_not_match_its_vector(sample):
    document = copy.deepcopy(build(sample, PARTNER))
    document["vulnerabilities"][0]["scores"][0]["cvss_v3"]["baseScore"] = 9.9
    assert any(failure.startswith("6.1.9 ") for failure in csaf_failures(document))


def test_the_partner_edition_is_amber_and_interim_the_public_one_white_final_and_newer(sample):
    partner = build(sample, PARTNER)["document"]
    public = build(sample, PUBLIC)["document"]
    assert partner["distribution"]["tlp"]["label"] == "AMBER"
    assert (partner["tracking"]["status"], partner["tracking"]["version"]) == ("interim", "1")
    assert public["distribution"]["tlp"]["label"] == "WHITE"
    assert (public["tracking"]["status"], public["tracking"]["version"]) == ("final", "2")
    assert partner["tracking"]["id"] == public["tracking"]["id"] == SAMPLE["id"]
    assert [r["number"] for r in public["tracking"]["revision_history"]] == ["1", "2"]
    assert public["tracking"]["current_release_date"] == sample.patch_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    # Only the public edition points at its public address.
    assert public["references"] == [{"category": "self", "summary": "This document (CSAF 2.0, JSON).",
                                     "url": public_document_url(sample)}]
    assert "references" not in partner


def test_a_draft_gives_a_draft_partner_edition_and_no_public_one(program):
    draft = sample_advisory(schedule=False)
    document = build(draft, PARTNER)
    assert document["document"]["tracking"]["status"] == "draft"
    assert csaf_failures(document) == []
    with pytest.raises(Conflict, match="draft"):
        build(draft, PUBLIC)


def test_the_document_holds_the_advisorys_cve_score_products_and_patch_time(sample):
    document = build(sample, PUBLIC)
    names = [p["name"] for p in document["product_tree"]["full_product_names"]]
    assert names == PRODUCTS
    ids = [p["product_id"] for p in document["product_tree"]["full_product_names"]]
    vulnerability = document["vulnerabilities"][0]
    assert vulnerability["cve"] == SAMPLE["cve"]
    assert vulnerability["product_status"] == {"known_affected": ids}
    cvss = vulnerability["scores"][0]["cvss_v3"]
    assert (cvss["vectorString"], cvss["baseScore"], cvss["baseSeverity"]) == (SAMPLE["cvss"], 8.8, "HIGH")
    assert vulnerability["scores"][0]["products"] == ids
    [fix] = vulnerability["remediations"]
    assert (fix["category"], fix["date"], fix["product_ids"]) == (
        "vendor_fix", sample.patch_at.strftime("%Y-%m-%dT%H:%M:%SZ"), ids)
    assert document["document"]["publisher"]["name"] == "Test program"


def test_no_text_of_the_write_up_goes_into_either_edition(sample):
    """The write-up reaches partners as marked copies; unmarked, here, it would name no leaker."""
    writeup = (SAMPLE_DIR / "writeup.md").read_text()
    sentences = [s.strip() for s in writeup.replace("\n", " ").split(".") if len(s.strip()) > 30]
    assert sentences
    for edition in (PARTNER, PUBLIC):
        text = json.dumps(build(sample, edition))
        assert [s for s in sentences if s in text] == []


def test_a_cvss_4_vector_goes_into_a_note_and_the_document_still_validates(program):
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    advisory = sample_advisory("HS-2026-0002", cvss=vector)
    for edition in (PARTNER, PUBLIC):
        document = build(advisory, edition)
        vulnerability = document["vulnerabilities"][0]
        assert "scores" not in vulnerability
        assert any(n["title"] == "CVSS v4.0" and n["text"].startswith(vector) for n in vulnerability["notes"])
        assert csaf_failures(document) == []


def test_an_advisory_without_cve_or_cvss_validates(program):
    advisory = sample_advisory("HS-2026-0003", cve="", cvss="")
    for edition in (PARTNER, PUBLIC):
        document = build(advisory, edition)
        assert "cve" not in document["vulnerabilities"][0]
        assert csaf_failures(document) == []


def test_an_advisory_naming_no_product_has_no_csaf_document(program):
    advisory = sample_advisory("HS-2026-0004", products=[])
    with pytest.raises(Conflict, match="names no affected product"):
        build(advisory, PARTNER)


def test_a_withdrawn_advisory_has_no_csaf_document(sample):
    withdrawn = withdraw_advisory(sample, reason="fix pulled", actor=ACTOR)
    with pytest.raises(Conflict, match="withdrawn"):
        build(withdrawn, PARTNER)


def test_the_same_advisory_gives_the_same_bytes(sample):
    assert dumps(build(sample, PUBLIC)) == dumps(build(sample, PUBLIC))
    assert dumps(build(sample, PARTNER)) != dumps(build(sample, PUBLIC))


def test_a_public_edition_stays_valid_when_its_patch_time_is_before_the_advisory_was_recorded(sample):
    # patch_at moved before created_at: the revision history must still be in order (6.1.14).
    assert csaf_failures(build(patched(sample, dt.timedelta(days=2)), PUBLIC)) == []


def test_the_file_name_follows_the_csaf_rules_and_names_the_advisory_back(sample):
    assert filename(sample) == "hs-2026-0001.json"
    assert ident_for_filename(filename(sample)) == sample.ident
    assert ident_for_filename("../hs-2026-0001.json") is None
    assert ident_for_filename("hs-2026-0001.json.sha512") is None
