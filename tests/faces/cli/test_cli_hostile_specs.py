"""Hostile trigger specifications get one clear line (CLI) or a 400 JSON body (API), never a traceback.

The advisory holds the sample binary PoC and a specification made hostile (deep nesting,
a 5,000-digit integer, bytes that are not UTF-8, a second byte order mark). `advisory create`
refuses what is not even readable YAML; the rest, and a hostile file stored before create
checked it, are refused by `advisory schedule` and reported by `advisory check`.
A failed `advisory create --schedule` leaves neither rows nor files behind.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db

FUTURE_ISO = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0).isoformat()
SAMPLE_SPEC = (SAMPLE_DIR / "tim.ksy.yaml").read_bytes()

HOSTILE = {
    "deep nesting": b"meta: {id: x}\nseq: " + b"[" * 5000 + b"]" * 5000 + b"\n",
    "deep expression": SAMPLE_SPEC.replace(b"value: 0x3fff", b"value: " + b"(" * 3000 + b"1" + b")" * 3000, 1),
    "5,000-digit integer": SAMPLE_SPEC.replace(b"value: 0x3fff", b"value: " + b"9" * 5000, 1),
    "5,000-digit index": SAMPLE_SPEC.replace(b"field: chunks[0].kind", b"field: chunks[" + b"9" * 5000 + b"].kind", 1),
    "not UTF-8": b"meta: {id: x}\ndoc: \xff\xfe\nseq:\n  - {id: a, type: u1}\n",
    "byte order marks": b"\xef\xbb\xbf\xef\xbb\xbf" + SAMPLE_SPEC,
}
# What `advisory create` refuses already (text and YAML), with what it says.
UNREADABLE = {"deep nesting": "nested more than 64 levels deep", "5,000-digit integer": "a number of 5000 characters",
              "not UTF-8": "is not UTF-8 text"}


@pytest.fixture
def spec_file(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    path = tmp_path / "trigger.yaml"
    path.write_bytes(HOSTILE[request.param])
    return path


def create(run_cli, spec: Path, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli("advisory", "create", "HS-2026-0009", "--title", "Hostile", "--patch-at", FUTURE_ISO,
                   "--writeup", str(SAMPLE_DIR / "writeup.md"), "--poc", str(SAMPLE_DIR / "poc.tim"),
                   "--trigger-spec", str(spec), *extra)


def one_line_error(result) -> bool:  # type: ignore[no-untyped-def]
    return (result.code == 1 and result.err.startswith("headstart: error: ") and result.err.count("\n") == 1
            and "Traceback" not in result.err)


@pytest.fixture
def stored(make_advisory, run_cli, spec_file):  # type: ignore[no-untyped-def]
    """A draft whose stored specification is hostile (written over a good one, as if stored
    before `advisory create` checked specifications)."""
    from django.core.files.storage import default_storage

    from headstart.apps.advisories.models import Artifact

    make_advisory("HS-2026-0001")
    good = spec_file.with_name("good.yaml")
    good.write_bytes(SAMPLE_SPEC)
    assert create(run_cli, good).code == 0
    artifact = Artifact.objects.get(advisory__ident="HS-2026-0009", kind="trigger-spec")
    Path(default_storage.path(artifact.file.name)).write_bytes(spec_file.read_bytes())


@pytest.mark.parametrize("spec_file", list(UNREADABLE), indirect=True)
@pytest.mark.parametrize("schedule", [[], ["--schedule"]], ids=["create", "create --schedule"])
def test_create_refuses_an_unreadable_specification_in_one_line(make_advisory, run_cli, snapshot, spec_file,
                                                                schedule, request):
    make_advisory("HS-2026-0001")
    before = snapshot()
    result = create(run_cli, spec_file, *schedule)
    assert one_line_error(result), result.err
    assert "trigger specification trigger.yaml: " in result.err
    assert UNREADABLE[request.node.callspec.params["spec_file"]] in result.err
    assert snapshot() == before


@pytest.mark.parametrize("spec_file", sorted(set(HOSTILE) - set(UNREADABLE)), indirect=True)
def test_create_and_schedule_fails_in_one_line_and_leaves_no_row_and_no_file(make_advisory, run_cli, snapshot,
                                                                             spec_file):
    make_advisory("HS-2026-0001")  # the artifact storage's folders exist already, as in a running program
    before = snapshot()
    result = create(run_cli, spec_file, "--schedule")
    assert one_line_error(result), result.err
    assert "cannot be scheduled" in result.err and "specification" in result.err
    assert snapshot() == before  # "stored files" included: no artifact file without its row


@pytest.mark.parametrize("spec_file", list(HOSTILE), indirect=True)
def test_check_reports_the_problem_and_schedule_refuses_in_one_line(stored, run_cli, snapshot, spec_file):
    checked = run_cli("advisory", "check", "HS-2026-0009")
    assert checked.code == 1 and checked.err == ""
    assert "NOT READY" in checked.out and "problem: " in checked.out
    before = snapshot()
    scheduled = run_cli("advisory", "schedule", "HS-2026-0009")
    assert one_line_error(scheduled), scheduled.err
    assert snapshot() == before


@pytest.mark.parametrize("spec_file", list(HOSTILE), indirect=True)
def test_the_api_answers_400_with_a_json_detail(stored, staff_user, api_client, snapshot, spec_file):
    client = api_client(staff_user)
    before = snapshot()
    response = client.post("/api/v1/advisories/HS-2026-0009/schedule")
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert "cannot be scheduled" in detail and "\n" not in detail
    assert snapshot() == before
