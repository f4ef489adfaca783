"""Creating an advisory checks every input first; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings
from django.utils import timezone

from headstart.apps.advisories.services import (
    ArtifactInput,
    create_advisory,
    get_advisory,
    parse_cvss,
    schedule_advisory,
)
from headstart.apps.audit.services import Actor
from headstart.errors import Conflict, HeadstartError, Invalid, NotFound

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
WRITEUP = ArtifactInput("writeup", "writeup.md", b"# Write-up\n")


def create(**overrides):  # type: ignore[no-untyped-def]
    arguments = {"ident": "HS-2026-0001", "title": "Heap overflow", "patch_at": timezone.now() + dt.timedelta(days=2),
                 "artifacts": [WRITEUP], "actor": ACTOR}
    arguments.update(overrides)
    return create_advisory(arguments.pop("ident"), **arguments)


def refused(snapshot, error: type[HeadstartError] = Invalid, **overrides) -> str:  # type: ignore[no-untyped-def]
    before = snapshot()
    with pytest.raises(error) as caught:
        create(**overrides)
    assert snapshot() == before
    assert "\n" not in caught.value.message
    return caught.value.message


@pytest.mark.parametrize("vector, score, severity", [
    ("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", "8.8", "High"),
    ("CVSS:3.0/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", "1.8", "Low"),
    ("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "9.3", "Critical"),
])
def test_a_valid_cvss_vector_gets_its_score_and_severity(program, vector, score, severity):
    advisory = create(cvss=vector)
    assert (advisory.cvss_vector, advisory.cvss_score, advisory.cvss_severity) == (vector, Decimal(score), severity)


@pytest.mark.parametrize("vector", [
    "CVSS:3.1/AV:X/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N",
    "CVSS:4.0/AV:N/AC:L",
    "AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H",
    "CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P",
    "9.8",
])
def test_an_invalid_cvss_vector_is_refused(program, snapshot, vector):
    assert "invalid CVSS vector" in refused(snapshot, cvss=vector)
    with pytest.raises(Invalid):
        parse_cvss(vector)


@pytest.mark.parametrize("patch_at, reason", [
    ("2020-01-01T00:00:00Z", "in the past"),
    # A stable id: pytest-xdist's workers must collect the same test names.
    pytest.param((timezone.now() - dt.timedelta(seconds=1)).isoformat(), "in the past", id="a second ago-in the past"),
    ("2099-12-08T17:00:00", "no time zone"),
    ("2099-12-08", "no time zone"),
    ("next tuesday", "not an ISO 8601"),
    ("", "not an ISO 8601"),
])
def test_a_patch_time_in_the_past_or_without_time_zone_is_refused(program, snapshot, patch_at, reason):
    assert reason in refused(snapshot, patch_at=patch_at)


def test_a_naive_datetime_object_is_refused_too(program, snapshot):
    assert "no time zone" in refused(snapshot, patch_at=dt.datetime(2099, 12, 8, 17, 0))  # noqa: DTZ001 - the naive time is the case


def test_a_patch_time_with_an_offset_is_kept_as_that_instant(program):
    advisory = create(patch_at="2099-12-08T18:00:00+01:00")
    assert advisory.patch_at == dt.datetime(2099, 12, 8, 17, 0, tzinfo=dt.UTC)


def test_an_artifact_at_the_size_limit_is_accepted_and_one_byte_more_is_refused(program, snapshot):
    with override_settings(HEADSTART_MAX_ARTIFACT_BYTES=64):
        create(ident="HS-2026-0001", artifacts=[ArtifactInput("writeup", "writeup.md", b"w" * 64)])
        message = refused(snapshot, ident="HS-2026-0002", artifacts=[
            WRITEUP, ArtifactInput("poc-binary", "poc.bin", b"p" * 65)])
    assert message == "artifact poc.bin is 65 bytes; the limit is 64 bytes"


def test_the_default_size_limit_is_fifty_megabytes():
    from django.conf import settings

    assert settings.HEADSTART_MAX_ARTIFACT_BYTES == 50 * 1024 * 1024


def test_an_empty_artifact_is_refused(program, snapshot):
    message = refused(snapshot, artifacts=[WRITEUP, ArtifactInput("guidance", "guidance.md", b"")])
    assert message == "artifact guidance.md is empty"


@pytest.mark.parametrize("overrides, reason", [
    ({"ident": "advisory-1"}, "must look like HS-2026-0001"),
    ({"title": "  "}, "title must be 1-300 characters"),
    ({"cve": "CVE-26-1"}, "is not a CVE identifier"),
    ({"artifacts": [ArtifactInput("guidance", "guidance.md", b"g")]}, "needs a write-up"),
    ({"artifacts": [WRITEUP, ArtifactInput("exploit", "x.bin", b"x")]}, "unknown artifact kind 'exploit'"),
    ({"artifacts": [WRITEUP, ArtifactInput("guidance", "../etc/passwd", b"x")]}, "use letters, digits"),
    ({"artifacts": [WRITEUP, ArtifactInput("guidance", "writeup.md", b"x")]}, "two artifacts share the name"),
])
def test_other_malformed_advisory_input_is_refused(program, snapshot, overrides, reason):
    assert reason in refused(snapshot, **overrides)


def test_a_duplicate_advisory_is_refused(program, snapshot):
    create()
    assert "already exists" in refused(snapshot, error=Conflict)


def test_an_unknown_advisory_is_not_found(program):
    with pytest.raises(NotFound, match="unknown advisory 'HS-2099-0001'"):
        get_advisory("HS-2099-0001")


def test_only_a_draft_with_a_future_patch_time_can_be_scheduled(program, snapshot):
    advisory = schedule_advisory(create(), actor=ACTOR)
    before = snapshot()
    with pytest.raises(Invalid, match="only a draft can be scheduled"):
        schedule_advisory(advisory, actor=ACTOR)
    assert snapshot() == before
    draft = create(ident="HS-2026-0002")
    before = snapshot()
    with pytest.raises(Invalid, match="has passed"):
        schedule_advisory(draft, actor=ACTOR, now=draft.patch_at)
    assert snapshot() == before


def test_the_original_files_are_stored_with_their_digest_and_size(program):
    import hashlib

    content = b"#!/usr/bin/env python3\nprint('poc')\n"
    advisory = create(artifacts=[WRITEUP, ArtifactInput("poc-source", "poc.py", content)])
    poc = advisory.artifacts.get(name="poc.py")
    assert (poc.kind, poc.size, poc.sha256) == ("poc-source", len(content), hashlib.sha256(content).hexdigest())
    with poc.file.open("rb") as stored:
        assert stored.read() == content
