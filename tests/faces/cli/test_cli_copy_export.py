"""`headstart copy export` on the command line: the export is a delivery recorded by export and
by the person at the command line, the audit chain stays intact, and an investigation of the
exported copy names the partner and shows how its copy left."""

from __future__ import annotations

import getpass
import json

import pytest

from headstart.apps.delivery.models import Delivery, Route

pytestmark = pytest.mark.django_db


def test_copy_export_is_recorded_by_export_and_the_chain_verifies(run_cli, make_keyed_partner, sample_advisory,
                                                                   tmp_path):
    make_keyed_partner("Cli Export AV")
    advisory = sample_advisory()
    out = run_cli("copy", "export", advisory.ident, "--partner", "Cli Export AV", "--out", str(tmp_path), "--json")
    assert out.code == 0, out.err
    exported = json.loads(out.out)
    by = f"cli:{getpass.getuser()}"
    assert (exported["route"], exported["by"]) == ("export", by)
    assert {(d.route, d.by, d.copy.partner.name) for d in Delivery.objects.select_related("copy__partner")} == {
        (Route.EXPORT, by, "Cli Export AV")}
    text = run_cli("copy", "export", advisory.ident, "--partner", "Cli Export AV", "--out", str(tmp_path / "again"))
    assert "Recorded as delivered to Cli Export AV by export" in text.out
    verified = run_cli("audit", "verify", "--json")
    assert verified.code == 0 and json.loads(verified.out)["ok"] is True


def test_investigate_names_the_partner_whose_copy_was_only_exported(run_cli, make_keyed_partner, sample_advisory,
                                                                     tmp_path):
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery.services import fetch_package

    downloaders = [make_keyed_partner(name) for name in ("Downloader One", "Downloader Two")]
    make_keyed_partner("Exported Only")
    advisory = sample_advisory()
    for keyed in downloaders:
        fetch_package(keyed.analyst, advisory.ident, actor=Actor(name=keyed.analyst.email))
    assert run_cli("copy", "export", advisory.ident, "--partner", "Exported Only", "--out", str(tmp_path)).code == 0
    out = run_cli("investigate", str(tmp_path / "writeup.md"), "--json")
    assert out.code == 0, out.err
    result = json.loads(out.out)
    assert result["partners_considered"] == 3 and result["exact_match"] == "Exported Only"
    [accused] = result["accused"]
    assert accused["partner"] == "Exported Only"
    assert [(r["route"], r["by"]) for r in accused["routes"]] == [("export", f"cli:{getpass.getuser()}")]
    text = run_cli("investigate", str(tmp_path / "writeup.md")).out
    routes = text.split("How the accused copies left the program:", 1)[1].splitlines()
    assert routes[1].split()[:2] == ["PARTNER", "ROUTE"]
    assert routes[3].split()[:4] == ["Exported", "Only", "export", f"cli:{getpass.getuser()}"]
