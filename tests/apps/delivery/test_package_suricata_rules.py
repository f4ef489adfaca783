"""A network PoC's Suricata rules travel in the package like its YARA rules: the same file as the
rules API serves with engine=suricata, accepted by Suricata 7 and alerting on the partner's own
marked capture; a tier not entitled to the PoC gets none."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from factories import ACTOR
from package_helpers import api_get, downloaded_package

from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.services import ArtifactInput, create_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.samples import SAMPLE_DIR
from headstart.triggers.suricata_engine import Suricata

pytestmark = pytest.mark.django_db
IDENT = "HS-2026-0078"
FIXTURE = Path(__file__).parents[2] / "fixtures" / "pcap_ctrelay"
SURICATA_RULES = f"detection/{IDENT}.rules"


@pytest.fixture
def advisory(program):  # type: ignore[no-untyped-def]
    from headstart.apps.delivery.services import schedule

    made = create_advisory(
        IDENT, title="Batch overrun in Corvid Telemetry Relay", patch_at=timezone.now() + dt.timedelta(hours=48),
        artifacts=[ArtifactInput("writeup", "writeup.md", (SAMPLE_DIR / "writeup.md").read_bytes()),
                   ArtifactInput("poc-binary", "poc.pcap", (FIXTURE / "poc.pcap").read_bytes()),
                   ArtifactInput("trigger-spec", "ctrelay.ksy.yaml", (FIXTURE / "ctrelay.ksy.yaml").read_bytes())],
        actor=ACTOR, cve="CVE-2026-99078")
    schedule(made, actor=ACTOR)
    made.refresh_from_db()
    return made


def _api(user, path: str):  # type: ignore[no-untyped-def]
    return api_get(user, IDENT, path)


def _package(keyed) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    return downloaded_package(keyed, IDENT)


def test_the_package_holds_the_suricata_rules_the_api_serves_and_they_alert_on_the_partners_own_copy(
        make_keyed_partner, advisory):
    keyed = make_keyed_partner("Example IDS")
    files = _package(keyed)
    text = files[SURICATA_RULES].decode()
    served = _api(keyed.analyst, "rules?engine=suricata")
    assert served.status_code == 200 and served.content == files[SURICATA_RULES]
    assert served["Content-Disposition"] == f'attachment; filename="{IDENT}.rules"'
    manifest = {f["name"]: f for f in json.loads(files["manifest.json"])["files"]}
    assert manifest[SURICATA_RULES]["kind"] == "suricata-rules" and manifest[SURICATA_RULES]["document"]

    engine = Suricata()
    engine.check(text)
    original = (FIXTURE / "poc.pcap").read_bytes()
    assert files["poc.pcap"] != original  # the partner's copy is marked
    [on_copy, on_original] = engine.alerts(text, [files["poc.pcap"], original])
    assert on_copy and on_copy == on_original
    assert AuditEvent.objects.filter(action="advisory.rules", details__engine="suricata").count() == 1


def test_a_tier_not_entitled_to_the_network_poc_gets_no_suricata_rules(make_keyed_partner, advisory):
    keyed = make_keyed_partner("Entry Co", "entry")
    Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() + dt.timedelta(hours=20))
    files = _package(keyed)
    assert "poc.pcap" not in files and SURICATA_RULES not in files
    refused = _api(keyed.analyst, "rules?engine=suricata")
    assert refused.status_code == 404 and "network proof-of-concept" in refused.json()["detail"]


def test_an_advisory_without_a_capture_has_no_suricata_rules_and_an_unknown_engine_is_refused(
        make_keyed_partner, sample_advisory):
    keyed = make_keyed_partner("Example AV")
    sample_advisory(ident=IDENT)
    assert _api(keyed.analyst, "rules?engine=suricata").status_code == 404
    assert _api(keyed.analyst, "rules").status_code == 200
    bad = _api(keyed.analyst, "rules?engine=snort")
    assert bad.status_code in (400, 422) and "engine" in json.dumps(bad.json())
