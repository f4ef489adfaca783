"""The documents in standard formats in a partner's package: its YARA rules, the CSAF partner
edition and its STIX bundle. Each is valid, is what the API serves that partner, is no copy (no
Copy row, no leak matching), and keeps the package reproducible and its content key exact."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import stix2
import yara_x
from csaf_helpers import PRODUCTS, csaf_failures
from delivery_factories import sample_artifacts
from django.utils import timezone
from factories import ACTOR
from package_helpers import api_get, downloaded_package

from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.services import create_advisory
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.models import Copy, Delivery
from headstart.apps.delivery.services import _content_key, export_copy, render_package
from headstart.apps.program import checkpoints
from headstart.apps.program.models import Program

pytestmark = pytest.mark.django_db
IDENT = "HS-2026-0001"
RULES = f"detection/{IDENT}.yar"
CSAF = "csaf/hs-2026-0001.json"
STIX = "stix/bundle.json"


@pytest.fixture
def advisory(program):  # type: ignore[no-untyped-def]
    """The sample advisory with its affected products, scheduled, 48 hours before its patch."""
    from headstart.apps.delivery.services import schedule

    made = create_advisory(IDENT, title="Heap overflow in Lumen Viewer's TIM decoder", products=PRODUCTS,
                           patch_at=timezone.now() + dt.timedelta(hours=48), artifacts=sample_artifacts(),
                           actor=ACTOR, cve="CVE-2026-99001", cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
    schedule(made, actor=ACTOR)
    made.refresh_from_db()
    return made


def _api(user, path: str):  # type: ignore[no-untyped-def]
    return api_get(user, IDENT, path)


def _package(keyed) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return downloaded_package(keyed, IDENT)


def test_a_partner_package_holds_its_yara_rules_csaf_partner_edition_and_stix_bundle_each_valid(
        make_keyed_partner, advisory):
    keyed = make_keyed_partner("Example AV")
    files = _package(keyed)

    # The YARA rules compile with yara-x and match this partner's own marked copy of the PoC.
    rules = yara_x.compile(files[RULES].decode())
    assert [r.identifier for r in rules.scan(files["poc.tim"]).matching_rules] == ["HS_2026_0001_poc_tim"]
    # The CSAF partner edition passes the csaf package's CSAF 2.0 validator (schema and mandatory tests).
    csaf = json.loads(files[CSAF])
    assert csaf_failures(csaf) == []
    assert csaf["document"]["distribution"]["tlp"]["label"] == "AMBER"
    # The STIX bundle parses with stix2; its indicator is the same rule, marked TLP:AMBER+STRICT.
    bundle = stix2.parse(files[STIX], allow_custom=False)
    [indicator] = [o for o in bundle.objects if o.type == "indicator"]
    assert (indicator.pattern_type, indicator.pattern) == ("yara", files[RULES].decode().split("\n\n", 1)[1])
    assert indicator.object_marking_refs == ["marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"]

    # Each is exactly what the API serves this partner now.
    assert files[RULES] == _api(keyed.analyst, "rules").content
    assert files[CSAF] == _api(keyed.analyst, "csaf?edition=partner").content
    assert files[STIX] == _api(keyed.analyst, "stix").content

    # The manifest lists each as the document it is, with its digest.
    manifest = json.loads(files["manifest.json"])
    listed = {f["name"]: f for f in manifest["files"]}
    for name, kind in ((RULES, "yara-rules"), (CSAF, "csaf"), (STIX, "stix-bundle")):
        assert listed[name]["kind"] == kind
        assert listed[name]["sha256"] == hashlib.sha256(files[name]).hexdigest()
        assert listed[name]["document"]
    assert "document" not in listed["poc.tim"]


def test_the_documents_are_never_copies(make_keyed_partner, advisory, tmp_path):
    keyed = make_keyed_partner("Example AV")
    _package(keyed)
    export_copy(advisory, keyed.partner, tmp_path, actor=Actor(name="psirt@vendor.example"))
    names = set(Copy.objects.filter(partner=keyed.partner).values_list("file_name", flat=True))
    assert names == {"writeup.md", "guidance.md", "poc_tim_overflow.py", "poc_tim_overflow.c", "poc.tim",
                     "tim-procedure.md"}
    assert not Delivery.objects.filter(copy__file_name__in=[RULES, CSAF, STIX]).exists()
    # Every partner's documents of one entitlement are the same bytes: they name no one.
    other = make_keyed_partner("Other EDR")
    theirs = _package(other)
    mine = _package(keyed)
    assert all(mine[name] == theirs[name] for name in (RULES, CSAF, STIX))
    assert mine["poc.tim"] != theirs["poc.tim"]


def test_a_partner_not_entitled_to_the_binary_poc_gets_no_rules_file(make_keyed_partner, advisory):
    keyed = make_keyed_partner("Entry Co", "entry")
    Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() + dt.timedelta(hours=20))
    files = _package(keyed)
    assert "poc.tim" not in files and not any(name.startswith("detection/") for name in files)
    bundle = stix2.parse(files[STIX], allow_custom=False)
    assert [o for o in bundle.objects if o.type == "indicator"] == []
    assert json.loads(files[CSAF])["document"]["tracking"]["id"] == IDENT
    assert _api(keyed.analyst, "rules").status_code == 404  # the API agrees: no rules for this tier


def test_two_builds_of_the_same_package_have_the_same_plaintext_tar(make_keyed_partner, advisory):
    keyed = make_keyed_partner("Example AV")
    first = render_package(advisory, keyed.partner, actor=ACTOR)
    second = render_package(Advisory.objects.get(pk=advisory.pk), keyed.partner, actor=ACTOR)
    assert first.tar == second.tar
    assert {e.name for e in first.documents} == {RULES, CSAF, STIX}


def _key(advisory, keyed) -> str:  # type: ignore[no-untyped-def]
    package = render_package(advisory, keyed.partner, actor=ACTOR)
    return _content_key(advisory, keyed.partner, package.commitment, keyed.partner.pgp_certificate)


def test_a_change_to_a_document_changes_the_content_key_and_nothing_else_does(make_keyed_partner, advisory,
                                                                             settings):
    keyed = make_keyed_partner("Example AV")
    before = _key(advisory, keyed)
    # No document changes: a new audit checkpoint, the patch time passing (the package holds the
    # editions as released to partners under embargo).
    checkpoints.write_checkpoint()
    assert _key(advisory, keyed) == before
    Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() - dt.timedelta(minutes=1))
    patched = Advisory.objects.get(pk=advisory.pk)
    assert _key(patched, keyed) != before  # the patch time itself is in the manifest
    moved = _key(patched, keyed)
    # Only a document changes: the portal's public address (the CSAF publisher's namespace).
    csaf_before = render_package(patched, keyed.partner, actor=ACTOR).entries
    settings.HEADSTART_PORTAL_URL = "https://psirt.example.org/"
    csaf_after = render_package(patched, keyed.partner, actor=ACTOR).entries
    assert [e.sha256 for e in csaf_before if e.name == CSAF] != [e.sha256 for e in csaf_after if e.name == CSAF]
    assert _key(patched, keyed) != moved
    # And the program's name (the STIX identity, the CSAF publisher), which the manifest does not hold.
    renamed = _key(patched, keyed)
    Program.objects.update(name="Renamed program")
    assert _key(patched, keyed) != renamed


def test_leaked_documents_name_no_partner_while_the_leaked_poc_copy_does(make_keyed_partner, advisory):
    from headstart.apps.investigations.intake import Submission
    from headstart.apps.investigations.services import investigate

    leaker = make_keyed_partner("Example AV")
    make_keyed_partner("Other EDR")
    files = _package(leaker)  # the only download: a file recorded as its copy would name it
    staff = Actor(name="psirt@vendor.example")

    documents = investigate([Submission(name.replace("/", "-"), files[name]) for name in (RULES, CSAF, STIX)],
                            actor=staff, advisory=IDENT)
    result = json.loads(documents.result_json)
    assert (result["exact_matches"], result["accused"]) == ([], [])

    poc = json.loads(investigate([Submission("poc.tim", files["poc.tim"])], actor=staff, advisory=IDENT).result_json)
    assert [m["partner"] for m in poc["exact_matches"]] == ["Example AV"]
