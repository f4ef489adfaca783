"""Intake memory follows the text analysed at once, not the material: a long text is read in
parts (views of the input, no copies), a leak inside a long dump is still attributed, and
input over the limits is still refused with a clear message by the CLI and the API."""

from __future__ import annotations

import random

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from investigation_helpers import accused

from headstart.apps.investigations.intake import IntakeLimits, Submission, take_in

PART = 64 * 1024


def dump(size: int, *, seed: int = 3, inside: bytes = b"") -> bytes:
    """Forum-like filler text of about ``size`` bytes, with ``inside`` in the middle."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 9))) for _ in range(500)]
    lines: list[bytes] = []
    total = 0
    while total < size:
        if inside and total >= size // 2:
            lines.append(b"\n" + inside + b"\n")
            total += len(inside)
            inside = b""
        line = (" ".join(rng.choices(words, k=12)) + ".\n").encode()
        lines.append(line + (b"\n" if rng.random() < 0.1 else b""))
        total += len(line)
    return b"".join(lines)


def test_a_long_text_is_read_in_parts_no_larger_than_the_limit_without_copies():
    data = dump(10 * PART) + "é".encode() * PART  # ends without a line break: cut between characters
    whole, *parts = take_in([Submission("dump.txt", data)], IntakeLimits(max_text_bytes=PART))
    assert whole.data is data and not whole.readable and whole.is_file
    assert len(parts) > 10
    assert all(len(p.data) <= PART and p.readable and not p.is_file for p in parts)
    assert all(isinstance(p.data, memoryview) and p.data.obj is data for p in parts)  # views of the input
    assert b"".join(bytes(p.data) for p in parts) == data
    assert all(p.text() is not None and "\ufffd" not in p.text() for p in parts)  # no character cut in two
    assert [p.name for p in parts[:2]] == ["dump.txt#part-1", "dump.txt#part-2"]


def test_a_text_within_the_limit_is_one_piece():
    data = dump(PART // 2)
    pieces = take_in([Submission("post.txt", data)], IntakeLimits(max_text_bytes=PART))
    assert [(p.name, p.readable) for p in pieces] == [("post.txt", True)]


def test_a_long_page_is_read_as_text_parts_not_parsed():
    page = b"<!doctype html><html><body><pre>" + dump(4 * PART) + b"</pre></body></html>"
    whole, *parts = take_in([Submission("page.html", page)], IntakeLimits(max_text_bytes=PART))
    assert not whole.readable and {p.origin for p in parts} == {"text-part"}


@pytest.mark.django_db
def test_a_copy_inside_a_long_dump_is_still_attributed(delivered, investigate_leak, settings):
    settings.HEADSTART_INTAKE_MAX_TEXT_BYTES = PART
    leak = dump(6 * PART, inside=delivered.copy("Charlie EDR", "writeup.md"))
    result = investigate_leak(("dump.txt", leak))
    assert accused(result) == ["Charlie EDR"]


@pytest.mark.django_db
def test_the_cli_refuses_a_file_over_the_limit_with_one_line(program, run_cli, settings, tmp_path):
    settings.HEADSTART_INTAKE_MAX_BYTES = 1000
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 1001)
    result = run_cli("investigate", str(big))
    assert result.code != 0 and result.out == ""
    assert "big.txt is 1,001 bytes, more than the 1,000 an investigation takes (HEADSTART_INTAKE_MAX_BYTES)" \
        in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.django_db
def test_the_api_refuses_an_upload_over_the_limit_with_a_json_detail(staff_user, api_client, settings):
    settings.HEADSTART_INTAKE_MAX_BYTES = 1000
    response = api_client(staff_user).post("/api/v1/investigations",
                                           {"files": [SimpleUploadedFile("big.txt", b"x" * 1001)]})
    assert response.status_code == 400
    assert response.json() == {"detail": "big.txt is 1,001 bytes, more than the 1,000 an investigation takes"}


def test_a_member_over_the_member_limit_is_refused_while_reading():
    from investigation_helpers import zip_bytes

    from headstart.apps.investigations.intake import IntakeError

    archive = zip_bytes({"notes/dump.txt": dump(3 * PART)})
    with pytest.raises(IntakeError, match=r"member 'notes/dump.txt' is [\d,]+ bytes, more than the 65,536 allowed"):
        take_in([Submission("leak.zip", archive)], IntakeLimits(max_member_bytes=PART))
