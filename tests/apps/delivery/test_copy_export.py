"""A staff export is a delivery: its copies and its route (export, by whom) are recorded with its
audit event in one transaction, under the same entitlement as the partner's package."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.apps import apps

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify
from headstart.apps.delivery.models import Copy, Delivery, Route
from headstart.apps.delivery.services import export_copy, fetch_package
from headstart.errors import Invalid

pytestmark = pytest.mark.django_db
STAFF = Actor(name="psirt@vendor.example", ip="192.0.2.7")
MARKED = {"writeup.md", "guidance.md", "poc_tim_overflow.py", "poc_tim_overflow.c", "poc.tim", "tim-procedure.md"}


def test_export_is_recorded_as_a_delivery_by_the_staff_member(make_keyed_partner, sample_advisory, tmp_path):
    keyed = make_keyed_partner("Export AV")
    advisory = sample_advisory()
    written = export_copy(advisory, keyed.partner, tmp_path, actor=STAFF)
    digests = {p.relative_to(tmp_path).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in written}
    copies = Copy.objects.filter(partner=keyed.partner).select_related("artifact")
    assert {c.file_name: c.sha256 for c in copies} == {n: d for n, d in digests.items() if n in MARKED}
    assert all(c.artifact.advisory_id == advisory.pk and c.artifact.version == 1 for c in copies)
    event = AuditEvent.objects.get(action="copy.export")
    assert (event.actor, event.ip, event.object_id) == (STAFF.name, STAFF.ip, advisory.ident)
    assert event.details["partner_name"] == "Export AV"
    assert {f["name"]: f["sha256"] for f in event.details["files"]} == digests
    routes = Delivery.objects.filter(copy__partner=keyed.partner)
    assert {(d.copy.file_name, d.route, d.by, d.audit_seq) for d in routes} == {
        (name, Route.EXPORT, STAFF.name, event.seq) for name in MARKED}
    assert verify().ok


def test_export_writes_its_audit_event_in_the_same_transaction(make_keyed_partner, sample_advisory, tmp_path):
    keyed = make_keyed_partner("Blocked AV")
    advisory = sample_advisory()
    # The last file cannot be written (a directory stands where it goes): the copies, their export
    # and its audit event were recorded just before, and all of them roll back.
    (tmp_path / "manifest.json").mkdir()
    events_before = AuditEvent.objects.count()
    with pytest.raises(OSError):
        export_copy(advisory, keyed.partner, tmp_path, actor=STAFF)
    assert not Copy.objects.filter(partner=keyed.partner).exists()
    assert not Delivery.objects.exists()
    assert not AuditEvent.objects.filter(action="copy.export").exists()
    assert AuditEvent.objects.count() == events_before
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.json"]  # no file of the unrecorded export is left
    assert verify().ok
    (tmp_path / "manifest.json").rmdir()
    export_copy(advisory, keyed.partner, tmp_path, actor=STAFF)
    assert Delivery.objects.filter(route=Route.EXPORT).count() == len(MARKED) and verify().ok


def test_an_export_after_a_download_adds_its_route_to_the_same_copies(make_keyed_partner, sample_advisory, tmp_path):
    keyed = make_keyed_partner("Both Ways AV")
    advisory = sample_advisory()
    fetch_package(keyed.analyst, advisory.ident, actor=Actor(name=keyed.analyst.email, partner="Both Ways AV"))
    export_copy(advisory, keyed.partner, tmp_path / "one", actor=STAFF)
    export_copy(advisory, keyed.partner, tmp_path / "again", actor=STAFF)  # the same route and person: kept once
    export_copy(advisory, keyed.partner, tmp_path / "other", actor=Actor(name="other@vendor.example"))
    assert Copy.objects.filter(partner=keyed.partner).count() == len(MARKED)
    ways = {(d.route, d.by) for d in Delivery.objects.filter(copy__file_name="writeup.md")}
    assert ways == {(Route.DOWNLOAD, keyed.analyst.email), (Route.EXPORT, STAFF.name),
                    (Route.EXPORT, "other@vendor.example")}
    first_export = AuditEvent.objects.filter(action="copy.export").order_by("seq").first()
    assert Delivery.objects.get(copy__file_name="writeup.md", route=Route.EXPORT, by=STAFF.name).audit_seq == \
        first_export.seq


def test_a_portal_download_is_recorded_by_its_own_route(make_keyed_partner, sample_advisory):
    keyed = make_keyed_partner("Browser AV")
    advisory = sample_advisory()
    fetch_package(keyed.analyst, advisory.ident, actor=Actor(name=keyed.analyst.email), route=Route.PORTAL)
    assert {(d.route, d.by) for d in Delivery.objects.all()} == {(Route.PORTAL, keyed.analyst.email)}


def test_an_export_holds_only_the_files_the_partners_tier_is_entitled_to(make_keyed_partner, sample_advisory,
                                                                          tmp_path):
    keyed = make_keyed_partner("Entry Export", "entry")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=100))  # before the entry tier's window: staff may export
    written = export_copy(advisory, keyed.partner, tmp_path, actor=STAFF)
    assert {p.relative_to(tmp_path).as_posix() for p in written} == {"writeup.md", "guidance.md", "manifest.json",
                                                                      "stix/bundle.json"}
    assert set(Copy.objects.filter(partner=keyed.partner).values_list("file_name", flat=True)) == {
        "writeup.md", "guidance.md"}


def test_a_draft_is_not_exported_and_nothing_is_recorded(make_keyed_partner, program, tmp_path):
    from django.utils import timezone

    from headstart.apps.advisories.services import ArtifactInput, create_advisory
    from headstart.samples import SAMPLE_DIR

    keyed = make_keyed_partner("Draft AV")
    draft = create_advisory("HS-2026-0009", title="Draft", patch_at=timezone.now() + dt.timedelta(days=3),
                            artifacts=[ArtifactInput("writeup", "writeup.md", (SAMPLE_DIR / "writeup.md").read_bytes())],
                            actor=STAFF)
    with pytest.raises(Invalid, match="draft"):
        export_copy(draft, keyed.partner, tmp_path / "out", actor=STAFF)
    assert not Copy.objects.exists() and not AuditEvent.objects.filter(action="copy.export").exists()
    assert not (tmp_path / "out").exists()


def test_copies_delivered_before_routes_were_recorded_get_the_download_that_delivered_them(make_keyed_partner,
                                                                                            sample_advisory):
    from importlib import import_module

    backfill = import_module("headstart.apps.delivery.migrations.0006_delivery_routes").backfill
    keyed = make_keyed_partner("Early AV")
    advisory = sample_advisory()
    fetch_package(keyed.analyst, advisory.ident, actor=Actor(name=keyed.analyst.email, partner="Early AV"))
    download = AuditEvent.objects.get(action="package.download")
    Delivery.objects.all().delete()  # as delivered before routes were recorded
    backfill(apps, None)  # type: ignore[arg-type]
    assert {(d.route, d.by, d.audit_seq) for d in Delivery.objects.all()} == {
        (Route.DOWNLOAD, keyed.analyst.email, download.seq)}
    assert Delivery.objects.count() == len(MARKED)
