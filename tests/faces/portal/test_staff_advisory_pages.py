"""Staff's advisory pages: the list, create with uploads (all or nothing), check, schedule (refused
with the check's reasons), prepare, withdraw, replace a file and allow one unmarked, each through
the service the CLI uses and audited by it; partners' users get 404 on every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from delivery_factories import sample_artifacts
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from factories import ACTOR, database_state
from people_helpers import post, signed_in
from readiness_worker import worker  # noqa: F401 - the fixture

from headstart.apps.advisories.models import Advisory, AdvisoryStatus
from headstart.apps.advisories.services import ArtifactInput, create_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.delivery.models import PackageFile, Preparation, PreparationStatus
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db

CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"
# Two slots at most: no copy of this names anyone among two partners at 1e-6.
THIN = b"# Note\n\nThe parser doesn't check the width. The error path frees the buffer twice.\n"


@pytest.fixture
def staff(staff_user):  # type: ignore[no-untyped-def]
    return signed_in(staff_user)


def _patch_in(hours: int = 48) -> str:
    """The form's datetime-local value, in UTC."""
    return (timezone.now() + dt.timedelta(hours=hours)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M")


def _draft(ident: str = "HS-2026-0001", kinds: tuple[str, ...] = ("writeup", "guidance")) -> Advisory:
    return create_advisory(ident, title=f"Overflow {ident}", patch_at=timezone.now() + dt.timedelta(hours=48),
                           artifacts=[a for a in sample_artifacts() if a.kind in kinds], actor=ACTOR)


def _untraceable(ident: str = "HS-2026-0009") -> Advisory:
    """A two-sentence write-up: too few places to carry a mark a leaked copy keeps."""
    return create_advisory(ident, title="Tiny", patch_at=timezone.now() + dt.timedelta(hours=48),
                           artifacts=[ArtifactInput("writeup", "tiny.md", THIN)], actor=ACTOR)


def _form(**files: SimpleUploadedFile | list[SimpleUploadedFile]) -> dict:
    return {"ident": "HS-2026-0001", "title": "Heap overflow in the TIM decoder", "patch_at": _patch_in(),
            "cve": "CVE-2026-99001", "cvss": CVSS, "products": "Lumen Viewer\nLumen Thumbnailer", **files}


def _sample(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (SAMPLE_DIR / name).read_bytes())


def test_a_partner_user_gets_404_on_every_advisory_page(make_partner, program):
    advisory = _draft()
    _, admin, _ = make_partner("Example AV")
    client = signed_in(admin)
    base = f"/staff/advisories/{advisory.ident}/"
    for url in ("/staff/advisories/", "/staff/advisories/new", base, base + "check"):
        assert client.get(url).status_code == 404, url
    before = database_state()
    for url in ("/staff/advisories/new", base + "schedule", base + "prepare", base + "withdraw", base + "replace",
                base + "allow-unmarked"):
        assert post(client, url, {"reason": "r", "confirm": "yes", "name": "writeup.md"}).status_code == 404, url
    assert database_state() == before


def test_the_list_shows_status_patch_time_windows_and_counts(staff, program):
    _draft()
    page = staff.get("/staff/advisories/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "HS-2026-0001" in text and "draft" in text and "Window: advanced" in text
    assert page.context["items"][0]["a"].files == 2


def test_the_list_costs_the_same_queries_for_any_number_of_advisories(staff, program):
    _draft("HS-2026-0001")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get("/staff/advisories/").status_code == 200
        return len(queries)

    few = count()
    for n in range(2, 6):
        _draft(f"HS-2026-000{n}")
    assert count() == few


def test_staff_create_an_advisory_with_uploads_as_a_draft_and_it_is_audited(staff, program):
    response = post(staff, "/staff/advisories/new", _form(
        writeup=_sample("writeup.md"), guidance=_sample("guidance.md"),
        **{"poc-binary": [_sample("poc.tim")], "trigger-spec": [_sample("tim.ksy.yaml")]}))
    assert response.status_code == 302 and response["Location"] == "/staff/advisories/HS-2026-0001/"
    advisory = Advisory.objects.get(ident="HS-2026-0001")
    assert advisory.status == AdvisoryStatus.DRAFT and advisory.cvss_severity == "High"
    assert advisory.products == ["Lumen Viewer", "Lumen Thumbnailer"]
    assert sorted(advisory.artifacts.values_list("name", "kind")) == [
        ("guidance.md", "guidance"), ("poc.tim", "poc-binary"), ("tim.ksy.yaml", "trigger-spec"),
        ("writeup.md", "writeup")]
    assert AuditEvent.objects.filter(action="advisory.create", object_id="HS-2026-0001").count() == 1


def test_the_patch_time_is_read_as_utc(staff, program):
    when = (timezone.now() + dt.timedelta(days=3)).astimezone(dt.UTC).replace(second=0, microsecond=0)
    post(staff, "/staff/advisories/new", _form(writeup=_sample("writeup.md"), patch_at=when.strftime("%Y-%m-%dT%H:%M")))
    assert Advisory.objects.get(ident="HS-2026-0001").patch_at == when


def _upload(name: str, content: bytes) -> Callable[[], SimpleUploadedFile]:
    return lambda: SimpleUploadedFile(name, content)


@pytest.mark.parametrize(("change", "says"), [
    ({"writeup": _upload("writeup.md", (SAMPLE_DIR / "poc.tim").read_bytes())}, "is not UTF-8 text"),
    ({"guidance": _upload("guidance.md", b"\xff\xfe not text")}, "is not UTF-8 text"),
    ({"trigger-spec": _upload("tim.ksy.yaml", b"a: [unclosed")}, "trigger specification tim.ksy.yaml"),
    ({"patch_at": "2020-01-01T10:00"}, "is in the past"),
    ({"cvss": "CVSS:3.1/AV:X"}, "invalid CVSS vector"),
    ({"writeup": None}, "needs a write-up"),
    ({"writeup": _upload("my writeup.md", b"# Hello\n")}, "use letters, digits"),
])
def test_a_bad_upload_or_field_is_a_clear_message_and_nothing_is_created(staff, program, change, says):
    before = database_state()
    form = _form(writeup=_sample("writeup.md"), **{"poc-binary": [_sample("poc.tim")]})
    form |= {k: v() if callable(v) else v for k, v in change.items()}
    response = post(staff, "/staff/advisories/new", {k: v for k, v in form.items() if v is not None})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was created" in text and says in text
    assert database_state() == before


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_created(staff, program, settings):
    settings.HEADSTART_MAX_ARTIFACT_BYTES = 1000
    before = database_state()
    response = post(staff, "/staff/advisories/new", _form(writeup=SimpleUploadedFile("writeup.md", b"a" * 1001)))
    assert response.status_code == 400 and "the limit is 1,000 bytes" in response.content.decode()
    assert database_state() == before


def test_an_advisory_that_exists_already_is_refused(staff, program):
    _draft()
    response = post(staff, "/staff/advisories/new", _form(writeup=_sample("writeup.md")))
    assert response.status_code == 409 and "already exists" in response.content.decode()


def test_the_check_page_shows_slots_bits_and_the_verdict(staff, program, make_partner):
    make_partner("Example AV")
    advisory = _draft(kinds=("writeup",))
    page = staff.get(f"/staff/advisories/{advisory.ident}/check")
    assert page.status_code == 200
    report = page.context["report"]
    assert report.ok and report.artifacts[0].slots > 0
    assert "Ready to schedule" in page.content.decode()


def test_an_untraceable_advisory_is_refused_scheduling_with_the_checks_reasons(staff, program, make_partner):
    make_partner("Example AV")
    advisory = _untraceable()
    before = AuditEvent.objects.count()
    check = staff.get(f"/staff/advisories/{advisory.ident}/check")
    shown = check.content.decode()
    assert "Not ready to schedule" in shown and "Untraceable" in shown
    assert "Proposed alternatives for tiny.md" in shown  # suggest_alternatives' proposals
    response = post(staff, f"/staff/advisories/{advisory.ident}/schedule")
    assert response.status_code == 302
    text = staff.get(response["Location"]).content.decode()
    assert "Not scheduled" in text and "cannot be scheduled" in text and "tiny.md" in text
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.DRAFT and AuditEvent.objects.count() == before


def _scheduled(staff, ident: str = "HS-2026-0001") -> Advisory:  # type: ignore[no-untyped-def]
    advisory = _draft(ident, kinds=("writeup",))
    post(staff, f"/staff/advisories/{advisory.ident}/schedule")
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.SCHEDULED
    return advisory


def _prepare_section(staff, advisory: Advisory) -> str:  # type: ignore[no-untyped-def]
    text = staff.get(f"/staff/advisories/{advisory.ident}/").content.decode()
    return text[text.index('id="prepare"'):text.index('id="artifacts"')]


def test_staff_schedule_and_prepare_and_each_writes_its_event(staff, program, make_keyed_partner, worker):  # noqa: F811
    make_keyed_partner("Example AV")
    make_keyed_partner("Contoso EDR")
    advisory = _scheduled(staff)
    assert AuditEvent.objects.filter(action="advisory.schedule").count() == 1

    response = post(staff, f"/staff/advisories/{advisory.ident}/prepare")
    assert "Queued the preparation of HS-2026-0001" in staff.get(response["Location"]).content.decode()
    preparation = Preparation.objects.get()
    assert preparation.status == PreparationStatus.QUEUED and not PackageFile.objects.exists()
    assert DBTaskResult.objects.count() == 1
    assert AuditEvent.objects.filter(action="package.prepare.queue").count() == 1
    section = _prepare_section(staff, advisory)
    assert "Preparation queued" in section and "Reload" in section and "data-reload-seconds" in section
    assert "<button" not in section  # no second request while one is queued

    worker()

    preparation.refresh_from_db()
    assert preparation.status == PreparationStatus.DONE
    assert (preparation.partners_done, preparation.partners_total, preparation.prepared) == (2, 2, 2)
    assert sorted(PackageFile.objects.filter(advisory=advisory).values_list("partner__name", flat=True)) == [
        "Contoso EDR", "Example AV"]
    assert AuditEvent.objects.filter(action="package.prepare").count() == 1
    section = _prepare_section(staff, advisory)
    assert "Prepared 2 packages; skipped 0 partners" in section
    assert "data-reload-seconds" not in section and "<button" in section  # done: it may be prepared again


def test_a_second_request_while_one_is_queued_changes_nothing(staff, program, make_keyed_partner):
    make_keyed_partner("Example AV")
    advisory = _scheduled(staff)
    post(staff, f"/staff/advisories/{advisory.ident}/prepare")
    before = database_state()
    tasks = DBTaskResult.objects.count()

    response = post(staff, f"/staff/advisories/{advisory.ident}/prepare")

    assert "Nothing queued: a preparation of HS-2026-0001 is already queued" in staff.get(
        response["Location"]).content.decode()
    assert database_state() == before and DBTaskResult.objects.count() == tasks == 1
    assert Preparation.objects.count() == 1


def test_a_partner_that_gets_no_package_is_named_with_the_reason(staff, program, make_keyed_partner, pgp,
                                                                  worker):  # noqa: F811
    from headstart.apps.partners.models import Partner

    make_keyed_partner("Example AV")
    expired = make_keyed_partner("Expired Co").partner
    Partner.objects.filter(pk=expired.pk).update(pgp_certificate=pgp.expired_certificate)
    advisory = _scheduled(staff)
    post(staff, f"/staff/advisories/{advisory.ident}/prepare")

    worker()

    section = _prepare_section(staff, advisory)
    assert "Prepared 1 package; skipped 1 partner" in section
    assert "Expired Co" in section and "no longer usable" in section
    assert list(PackageFile.objects.values_list("partner__name", flat=True)) == ["Example AV"]


def test_a_preparation_the_worker_cannot_run_shows_why(staff, program, make_keyed_partner, worker):  # noqa: F811
    make_keyed_partner("Example AV")
    advisory = _scheduled(staff)
    post(staff, f"/staff/advisories/{advisory.ident}/prepare")
    # Withdrawn while it waited for the worker: prepare_all refuses it.
    post(staff, f"/staff/advisories/{advisory.ident}/withdraw", {"reason": "duplicate", "confirm": "yes"})

    worker()

    assert Preparation.objects.get().status == PreparationStatus.FAILED
    section = _prepare_section(staff, advisory)
    assert "Preparation failed" in section and "only a scheduled advisory is prepared" in section
    assert "<button" not in section
    assert AuditEvent.objects.filter(action="package.prepare.failed").count() == 1
    assert not PackageFile.objects.exists()


def test_a_running_preparation_shows_its_progress_written_now_and_then(staff, program, make_keyed_partner,
                                                                       monkeypatch):
    from headstart.apps.delivery import preparation_jobs

    make_keyed_partner("Example AV")
    advisory = _scheduled(staff)
    post(staff, f"/staff/advisories/{advisory.ident}/prepare")
    preparation = preparation_jobs._claim(Preparation.objects.get().pk)
    assert preparation is not None and preparation.status == PreparationStatus.RUNNING
    monkeypatch.setattr(preparation_jobs, "PROGRESS_EVERY_SECONDS", 3600.0)
    monkeypatch.setattr(preparation_jobs, "PROGRESS_EVERY_PARTNERS", 10)
    progress = preparation_jobs._Progress(preparation.pk)

    with CaptureQueriesContext(connection) as queries:
        progress(1, 30)  # the first is written
        progress(2, 30)  # then not before ten more partners
        progress(11, 30)
    assert len(queries) == 2
    section = _prepare_section(staff, advisory)
    assert "11 of 30 active partners done" in section and "data-reload-seconds" in section
    assert "<button" not in section


def test_preparing_a_draft_is_refused_and_queues_nothing(staff, program, make_keyed_partner):
    make_keyed_partner("Example AV")
    advisory = _draft(kinds=("writeup",))
    before = database_state()
    response = post(staff, f"/staff/advisories/{advisory.ident}/prepare")
    assert "Nothing queued" in staff.get(response["Location"]).content.decode()
    assert database_state() == before and not DBTaskResult.objects.exists()
    assert not PackageFile.objects.exists() and not Preparation.objects.exists()


def test_withdraw_needs_a_reason_and_the_confirmation_and_writes_one_event(staff, program):
    advisory = _draft()
    url = f"/staff/advisories/{advisory.ident}/withdraw"
    before = database_state()
    no_confirm = post(staff, url, {"reason": "duplicate"})
    assert "tick the confirmation" in staff.get(no_confirm["Location"]).content.decode()
    no_reason = post(staff, url, {"confirm": "yes"})
    assert "a reason is required" in staff.get(no_reason["Location"]).content.decode()
    assert database_state() == before
    post(staff, url, {"reason": "duplicate of HS-2026-0002", "confirm": "yes"})
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.WITHDRAWN
    events = AuditEvent.objects.filter(action="advisory.withdraw")
    assert events.count() == 1 and events.get().details["reason"] == "duplicate of HS-2026-0002"


def test_replace_stores_a_new_version_and_refuses_the_same_file(staff, program):
    advisory = _draft()
    url = f"/staff/advisories/{advisory.ident}/replace"
    changed = (SAMPLE_DIR / "writeup.md").read_bytes() + b"\nOne more line.\n"
    post(staff, url, {"name": "writeup.md", "file": SimpleUploadedFile("anything.md", changed)})
    assert list(advisory.artifacts.filter(name="writeup.md").values_list("version", flat=True)) == [1, 2]
    assert AuditEvent.objects.filter(action="artifact.replace").count() == 1
    same = post(staff, url, {"name": "writeup.md", "file": SimpleUploadedFile("writeup.md", changed)})
    assert "is unchanged" in staff.get(same["Location"]).content.decode()
    binary = post(staff, url, {"name": "guidance.md", "file": _sample("poc.tim")})
    assert "is not UTF-8 text" in staff.get(binary["Location"]).content.decode()
    assert advisory.artifacts.count() == 3


def test_allow_unmarked_records_the_reason(staff, program):
    advisory = _untraceable()
    url = f"/staff/advisories/{advisory.ident}/allow-unmarked"
    refused = post(staff, url, {"name": "tiny.md", "reason": " "})
    assert "a reason is required" in staff.get(refused["Location"]).content.decode()
    post(staff, url, {"name": "tiny.md", "reason": "a one-line note, public soon anyway"})
    assert advisory.artifacts.get().unmarked_reason == "a one-line note, public soon anyway"
    assert AuditEvent.objects.filter(action="artifact.allow-unmarked").count() == 1


def test_an_unknown_advisory_is_not_found(staff, program):
    assert staff.get("/staff/advisories/HS-2026-0404/").status_code == 404
    assert post(staff, "/staff/advisories/HS-2026-0404/withdraw", {"reason": "x", "confirm": "yes"}).status_code == 404
