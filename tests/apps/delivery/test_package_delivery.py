"""A partner's package through the API: window, encryption, signature, marks, audit."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from package_helpers import open_package

from headstart.apps.accounts.tokens import issue
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import verify
from headstart.apps.delivery.models import Copy
from headstart.apps.delivery.services import export_copy
from headstart.apps.program.models import Program
from headstart.samples import SAMPLE_DIR
from headstart.triggers import check, load_spec

pytestmark = pytest.mark.django_db
ACTOR_NAME = "test:staff"


def download(user, ident: str):  # type: ignore[no-untyped-def]
    _, token = issue(user)
    return Client().get(f"/api/v1/advisories/{ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_package_is_invisible_before_the_window_and_visible_after_for_each_tier(make_keyed_partner, sample_advisory):
    entry = make_keyed_partner("Entry Co", "entry")
    advanced = make_keyed_partner("Advanced Co", "advanced")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=48))  # advanced (72h) is open, entry (24h) is not
    assert download(entry.analyst, advisory.ident).status_code == 404
    assert download(advanced.analyst, advisory.ident).status_code == 200
    from headstart.apps.advisories.models import Advisory

    Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() + dt.timedelta(hours=23))
    assert download(entry.analyst, advisory.ident).status_code == 200


def test_package_decrypts_with_the_partner_key_and_carries_the_program_signature(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Example AV")
    advisory = sample_advisory()
    response = download(partner.analyst, advisory.ident)
    assert response.status_code == 200
    files, signed = open_package(response.getvalue(), partner.secret, Program.get().signing_certificate)
    assert signed
    assert {"writeup.md", "guidance.md", "poc_tim_overflow.py", "poc_tim_overflow.c", "poc.tim",
            "tim-procedure.md", "manifest.json"} <= set(files)
    assert "tim.ksy.yaml" not in files  # the raw spec names the mark-carrying fields; it never goes out


def test_gpg_decrypts_the_package_and_reports_a_good_signature(make_partner, sample_advisory):
    """The partner's key is made by GnuPG itself, the independent peer, as partners' keys are."""
    from headstart.apps.partners.models import Partner

    partner, _, analyst = make_partner("Gpg User AV")
    advisory = sample_advisory()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, GNUPGHOME=home)
        os.chmod(home, 0o700)
        gpg = ["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", ""]
        subprocess.run([*gpg, "--quick-gen-key", "Gpg User AV <sec@gpg-user.example>", "default", "default", "never"],
                       env=env, check=True, capture_output=True)
        cert = subprocess.run(["gpg", "--armor", "--export", "sec@gpg-user.example"], env=env, check=True,
                              capture_output=True).stdout.decode()
        Partner.objects.filter(pk=partner.pk).update(pgp_certificate=cert)
        data = download(analyst, advisory.ident).getvalue()
        subprocess.run(["gpg", "--batch", "--import"], input=Program.get().signing_certificate.encode(), env=env,
                       check=True, capture_output=True)
        out = subprocess.run([*gpg, "--status-fd", "2", "--decrypt"], input=data, env=env, capture_output=True)
    assert out.returncode == 0, out.stderr.decode()
    assert b"GOODSIG" in out.stderr
    assert out.stdout[257:262] == b"ustar"  # a tar archive came out


def test_decrypted_files_equal_copy_export_and_differ_between_partners(make_keyed_partner, sample_advisory, tmp_path):
    from headstart.apps.audit.services import Actor

    one, two = make_keyed_partner("One AV"), make_keyed_partner("Two IPS")
    advisory = sample_advisory()
    program_cert = Program.get().signing_certificate
    files_one, _ = open_package(download(one.analyst, advisory.ident).getvalue(), one.secret, program_cert)
    files_two, _ = open_package(download(two.analyst, advisory.ident).getvalue(), two.secret, program_cert)
    written = export_copy(advisory, one.partner, tmp_path, actor=Actor(name=ACTOR_NAME))
    assert {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in written} == files_one
    for name in ("writeup.md", "guidance.md", "poc_tim_overflow.py", "poc_tim_overflow.c", "poc.tim",
                 "tim-procedure.md"):
        assert files_one[name] != files_two[name], name


def test_binary_poc_copy_still_meets_its_trigger_specification(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Binary AV")
    advisory = sample_advisory()
    files, _ = open_package(download(partner.analyst, advisory.ident).getvalue(), partner.secret,
                            Program.get().signing_certificate)
    spec = load_spec((SAMPLE_DIR / "tim.ksy.yaml").read_text())
    check(spec, files["poc.tim"])  # raises TriggerNotMetError if any condition or checksum fails
    assert files["poc.tim"] != (SAMPLE_DIR / "poc.tim").read_bytes()


def test_entry_tier_package_holds_only_its_entitled_files(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Entry Only", "entry")
    advisory = sample_advisory(patch_in=dt.timedelta(hours=20))
    files, _ = open_package(download(partner.analyst, advisory.ident).getvalue(), partner.secret,
                            Program.get().signing_certificate)
    assert set(files) == {"writeup.md", "guidance.md", "manifest.json", "stix/bundle.json"}


def test_copy_digests_are_recorded_at_first_delivery_and_a_second_download_gives_the_same_copy(
        make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Twice AV")
    advisory = sample_advisory()
    cert = Program.get().signing_certificate
    first, _ = open_package(download(partner.analyst, advisory.ident).getvalue(), partner.secret, cert)
    second, _ = open_package(download(partner.admin, advisory.ident).getvalue(), partner.secret, cert)
    assert first == second
    recorded = {c.file_name: c.sha256 for c in Copy.objects.filter(partner=partner.partner)}
    documents = {"detection/HS-2026-0001.yar", "stix/bundle.json"}  # no copies: see test_package_documents.py
    assert recorded == {name: hashlib.sha256(data).hexdigest() for name, data in first.items()
                        if name != "manifest.json" and name not in documents}


def test_expelled_partner_is_refused_and_the_refusal_is_audited(make_keyed_partner, sample_advisory):
    from headstart.apps.audit.services import Actor
    from headstart.apps.partners.services import set_status

    partner = make_keyed_partner("Leaky AV")
    advisory = sample_advisory()
    _, token = issue(partner.analyst)
    set_status(partner.partner, "expelled", reason="leaked the PoC", actor=Actor(name=ACTOR_NAME))
    response = Client().get(f"/api/v1/advisories/{advisory.ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401  # the token itself stops working
    session = Client()
    session.force_login(partner.admin)
    assert session.get(f"/api/v1/advisories/{advisory.ident}/package").status_code == 401


def test_partner_without_an_accepted_nda_is_refused_with_an_audited_refusal(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("No NDA AV", accept=False)
    advisory = sample_advisory()
    response = download(partner.analyst, advisory.ident)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="package.download.refused", partner="No NDA AV").exists()


def test_partner_without_a_certificate_gets_a_clear_error_and_nothing_unencrypted(make_partner, sample_advisory):
    _partner, _, analyst = make_partner("Certless AV")
    advisory = sample_advisory()
    response = download(analyst, advisory.ident)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "no OpenPGP certificate" in response.json()["detail"]


def test_every_download_is_in_the_audit_chain_and_the_chain_verifies(make_keyed_partner, sample_advisory):
    partner = make_keyed_partner("Audited AV")
    advisory = sample_advisory()
    response = download(partner.analyst, advisory.ident)
    event = AuditEvent.objects.filter(action="package.download").latest("seq")
    assert event.partner == "Audited AV" and event.actor == partner.analyst.email
    assert event.object_id == advisory.ident and event.ip == "127.0.0.1"
    assert event.details["encrypted_sha256"] == hashlib.sha256(response.getvalue()).hexdigest()
    assert {f["name"] for f in event.details["files"]} >= {"writeup.md", "poc.tim"}
    assert verify().ok


def test_a_crash_while_writing_a_package_leaves_nothing_half_written_and_a_retry_gives_the_same_bytes(
        make_keyed_partner, sample_advisory, monkeypatch):
    from django.core.files.storage import storages

    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery import services
    from headstart.apps.delivery.models import PackageFile

    partner = make_keyed_partner("Crash AV")
    advisory = sample_advisory()

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(services.os, "replace", crash)
    with pytest.raises(OSError):
        services.prepare_package(advisory, partner.partner, actor=Actor(name=ACTOR_NAME))
    package_dir = Path(storages["packages"].path(advisory.ident))
    assert not PackageFile.objects.filter(partner=partner.partner).exists()
    assert not list(package_dir.glob(f"{partner.partner.uid}-*"))  # no package for this partner
    assert not list(package_dir.glob(".*"))  # and no half-written temporary file
    monkeypatch.undo()
    first, stored = services.prepare_package(advisory, partner.partner, actor=Actor(name=ACTOR_NAME))
    again = services.render_package(advisory, partner.partner, actor=Actor(name=ACTOR_NAME))
    assert first.tar == again.tar and stored.plaintext_sha256 == hashlib.sha256(again.tar).hexdigest()


def test_an_expelled_partners_download_attempt_with_its_old_token_is_audited(make_keyed_partner, sample_advisory):
    from headstart.apps.audit.services import Actor
    from headstart.apps.partners.services import set_status

    partner = make_keyed_partner("Refused AV")
    advisory = sample_advisory()
    _, token = issue(partner.analyst)
    set_status(partner.partner, "expelled", reason="leak", actor=Actor(name=ACTOR_NAME))
    response = Client().get(f"/api/v1/advisories/{advisory.ident}/package", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    event = AuditEvent.objects.filter(action="token.refused").latest("seq")
    assert event.partner == "Refused AV" and event.details["partner_status"] == "expelled"
    assert event.ip == "127.0.0.1" and verify().ok


def test_copies_recorded_first_by_a_concurrent_download_are_compared_not_duplicated(make_keyed_partner, sample_advisory):
    from factories import ACTOR

    from headstart.apps.audit.services import Actor, record
    from headstart.apps.delivery.models import Delivery, PackageFile, Route
    from headstart.apps.delivery.services import _record_deliveries, commitment_for, prepare_package
    from headstart.errors import Invalid

    keyed = make_keyed_partner("Racer")
    advisory = sample_advisory()
    _, stored = prepare_package(advisory, keyed.partner, actor=ACTOR)
    commitment = commitment_for(advisory, keyed.partner, actor=ACTOR)
    marked = [f for f in stored.files if f["artifact_id"] is not None]  # not the manifest, not the documents
    # Another worker's download of the same partner got in first with one of the copies.
    first = marked[0]
    Copy.objects.create(partner=keyed.partner, artifact_id=first["artifact_id"], file_name=first["name"],
                        sha256=first["sha256"], size=first["size"], commitment=commitment)
    first_download, second_download, third_download = (
        record(Actor(name=keyed.analyst.email), "package.download", advisory) for _ in range(3))
    _record_deliveries(keyed.partner, commitment, stored.files, route=Route.DOWNLOAD, event=first_download)
    _record_deliveries(keyed.partner, commitment, stored.files, route=Route.DOWNLOAD, event=second_download)
    assert Copy.objects.filter(partner=keyed.partner).count() == len(marked)
    routes = Delivery.objects.filter(copy__partner=keyed.partner)
    # Once per route and person: the first time it left that way.
    assert routes.count() == len(marked) and {d.audit_seq for d in routes} == {first_download.seq}
    # A copy recorded with other bytes is refused, not overwritten.
    Copy.objects.filter(partner=keyed.partner, file_name=marked[1]["name"]).update(sha256="0" * 64)
    Delivery.objects.filter(copy__partner=keyed.partner, copy__file_name=marked[2]["name"]).delete()
    Copy.objects.filter(partner=keyed.partner, file_name=marked[2]["name"]).delete()
    with pytest.raises(Invalid, match="no longer renders"):
        _record_deliveries(keyed.partner, commitment, stored.files, route=Route.DOWNLOAD, event=third_download)
    assert PackageFile.objects.filter(partner=keyed.partner).exists()
