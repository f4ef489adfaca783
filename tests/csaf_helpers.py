"""The sample advisory as the CSAF tests make it, and the csaf package's CSAF 2.0 validator."""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from django.utils import timezone

from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.audit.services import Actor
from headstart.samples import SAMPLE_DIR

ACTOR = Actor(name="test:staff")
SAMPLE = yaml.safe_load((SAMPLE_DIR / "advisory.yaml").read_text())
PRODUCTS = [f"{p['vendor']} {p['name']} {p['affected']}" for p in SAMPLE["products"]]


def sample_advisory(ident: str = SAMPLE["id"], *, patch_in: dt.timedelta = dt.timedelta(hours=48),
                    products: list[str] | None = None, cve: str = SAMPLE["cve"], cvss: str = SAMPLE["cvss"],
                    schedule: bool = True) -> Advisory:
    """The shipped sample advisory (its write-up and guidance, its CVE, CVSS and products)."""
    items = [ArtifactInput("writeup", "writeup.md", (SAMPLE_DIR / "writeup.md").read_bytes()),
             ArtifactInput("guidance", "guidance.md", (SAMPLE_DIR / "guidance.md").read_bytes())]
    advisory = create_advisory(ident, title=SAMPLE["title"], patch_at=timezone.now() + patch_in, artifacts=items,
                               actor=ACTOR, cve=cve, cvss=cvss, products=PRODUCTS if products is None else products)
    return schedule_advisory(advisory, actor=ACTOR) if schedule else advisory


def patched(advisory: Advisory, ago: dt.timedelta = dt.timedelta(hours=1)) -> Advisory:
    """Time passes: the patch came out `ago`. The embargo is judged at read time."""
    Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() - ago)
    advisory.refresh_from_db()
    return advisory


def csaf_failures(document: dict[str, Any], preset: str = "basic") -> list[str]:
    """What the csaf package's CSAF 2.0 validator finds wrong: the JSON schema and, with the
    basic preset, every mandatory test (section 6.1); empty when the document is valid."""
    from csaf.csaf.v20 import validate

    report = validate(document, preset=preset)
    failures = [f"{r.id} {r.title}: {[e.message for e in r.errors]}"
                for r in report.results if not r.passed and not r.skipped and r.group != "informative"]
    assert report.overall_valid == (failures == [])
    return failures


def mandatory_tests_run(document: dict[str, Any]) -> set[str]:
    from csaf.csaf.v20 import validate

    return {r.id for r in validate(document, preset="basic").results if not r.skipped}
