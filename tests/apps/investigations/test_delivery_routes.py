"""Every copy that left the program counts: an exported copy is considered and named like a
downloaded one, and the result and report show every route the accused copy left by."""

from __future__ import annotations

import hashlib

import pytest
from bs4 import BeautifulSoup
from investigation_helpers import accused

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify
from headstart.apps.delivery.services import export_copy
from headstart.apps.investigations.intake import Submission
from headstart.apps.investigations.services import investigate, report_html
from headstart.leaks.text import rewrap

pytestmark = pytest.mark.django_db
LEAKER = "Charlie EDR"
INSIDER = "insider@vendor.example"


@pytest.fixture
def exported_only(delivered, make_keyed_partner, tmp_path):  # type: ignore[no-untyped-def]
    """A seventh partner who never downloaded: staff exported its copy and handed it over."""
    keyed = make_keyed_partner("Golf Networks")
    written = export_copy(delivered.advisory, keyed.partner, tmp_path / "golf", actor=Actor(name=INSIDER))
    return {p.name: p.read_bytes() for p in written}


def test_investigation_of_an_exported_copy_names_the_partner(delivered, exported_only, investigate_leak):
    result = investigate_leak(("post.txt", rewrap(exported_only["writeup.md"].decode())))
    assert accused(result) == ["Golf Networks"]
    assert result["partners_considered"] == 7  # the six who downloaded and the one whose copy was exported
    [golf] = result["accused"]
    assert [(r["route"], r["by"]) for r in golf["routes"]] == [("export", INSIDER)]
    assert "writeup.md" in golf["routes"][0]["files"]


def test_the_exact_digest_match_covers_an_exported_copy(delivered, exported_only, investigate_leak):
    leaked = exported_only["poc_tim_overflow.py"]
    result = investigate_leak(("poc.py", leaked))
    assert result["exact_match"] == "Golf Networks"
    [exact] = result["exact_matches"]
    assert exact["sha256"] == hashlib.sha256(leaked).hexdigest()
    assert [(r["route"], r["by"]) for r in exact["routes"]] == [("export", INSIDER)]


def test_report_shows_every_route_the_accused_copy_left_by(delivered, staff_actor):
    export_copy(delivered.advisory, delivered.partners[LEAKER].partner, delivered.out / "insider",  # type: ignore[attr-defined]
                actor=Actor(name=INSIDER))
    leak = rewrap(delivered.text(LEAKER, "writeup.md"))  # the partner's copy, as downloaded and as exported
    inv = investigate([Submission("forum.txt", leak.encode())], actor=staff_actor)
    [charlie] = inv.result["accused"]
    assert charlie["partner"] == LEAKER
    analyst = delivered.partners[LEAKER].analyst.email  # type: ignore[attr-defined]
    download = AuditEvent.objects.get(action="package.download", actor=analyst)
    assert [(r["route"], r["by"]) for r in charlie["routes"]] == [("download", analyst), ("export", INSIDER)]
    assert charlie["routes"][0]["audit_seq"] == download.seq
    assert charlie["routes"][0]["at"] == download.at.isoformat()
    assert f"Staff also exported {LEAKER}'s copy by {INSIDER}" in inv.result["verdict"]
    page = BeautifulSoup(report_html(inv), "html.parser")
    table = page.find("h3", string="How the accused copies left the program").find_next("table")
    rows = [[td.get_text(" ", strip=True) for td in tr.find_all("td")] for tr in table.find_all("tr")[1:]]
    assert [(r[0], r[1], r[2]) for r in rows] == [(LEAKER, "download", analyst), (LEAKER, "export", INSIDER)]
    assert f"#{download.seq}" in rows[0][5] and "writeup.md" in rows[1][4]


def test_a_partner_whose_copy_only_staff_exported_shows_no_download(delivered, exported_only, staff_actor):
    inv = investigate([Submission("w.md", exported_only["guidance.md"])], actor=staff_actor)
    assert accused(inv.result) == ["Golf Networks"]
    assert {r["route"] for r in inv.result["accused"][0]["routes"]} == {"export"}
    assert "Staff also exported Golf Networks's copy" in inv.result["verdict"]
    assert verify().ok


def test_a_copy_only_downloaded_lists_its_download_and_no_export(delivered, staff_actor):
    inv = investigate([Submission("w.txt", rewrap(delivered.text(LEAKER, "writeup.md")).encode())], actor=staff_actor)
    [charlie] = inv.result["accused"]
    analyst = delivered.partners[LEAKER].analyst.email  # type: ignore[attr-defined]
    assert [(r["route"], r["by"]) for r in charlie["routes"]] == [("download", analyst)]
    assert "exported" not in inv.result["verdict"]
