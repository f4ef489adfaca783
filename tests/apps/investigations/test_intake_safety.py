"""Leaked material is unpacked in memory, safely: archive bombs and path traversal are refused."""

from __future__ import annotations

import gzip
import tarfile

import pytest
from investigation_helpers import tar_bytes, zip_bytes

from headstart.apps.investigations.intake import IntakeError, IntakeLimits, Submission, take_in
from headstart.errors import Invalid

ZEROS = b"\x00" * (5 * 1024 * 1024)


def pieces_of(name: str, data: bytes, limits: IntakeLimits | None = None) -> dict[str, bytes]:
    return {p.name: p.data for p in take_in([Submission(name, data)], limits)}


def refusal(name: str, data: bytes, limits: IntakeLimits | None = None) -> str:
    with pytest.raises(IntakeError) as caught:
        take_in([Submission(name, data)], limits)
    return caught.value.message


def test_a_zip_of_text_and_a_nested_tarball_is_unpacked_into_its_files():
    inner = tar_bytes({"src/poc.c": b"int main(void) { return 0; }\n"})
    data = zip_bytes({"notes/readme.txt": b"see attached\n", "bundle.tgz": inner})
    found = pieces_of("leak.zip", data)
    assert found["leak.zip/notes/readme.txt"] == b"see attached\n"
    assert found["leak.zip/bundle.tgz/src/poc.c"].startswith(b"int main")


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    assert "compression ratio" in refusal("bomb.zip", zip_bytes({"zeros.bin": ZEROS}))


def test_a_gzipped_tar_bomb_is_refused_before_it_is_inflated():
    message = refusal("bomb.tar.gz", tar_bytes({"a.bin": ZEROS, "b.bin": ZEROS}))
    assert "archive bomb" in message and "bomb.tar.gz" in message


def test_a_plain_gzip_bomb_is_refused():
    assert "archive bomb" in refusal("zeros.gz", gzip.compress(ZEROS))


def test_the_total_unpacked_size_is_capped():
    limits = IntakeLimits(max_total_bytes=100_000)
    data = zip_bytes({f"part{i}.txt": bytes(range(256)) * 100 for i in range(5)})  # 128 KB, barely compressible
    assert "more than 100,000 bytes in total" in refusal("big.zip", data, limits)


def test_a_member_larger_than_the_per_member_cap_is_refused():
    limits = IntakeLimits(max_member_bytes=1000)
    assert "allowed per member" in refusal("one.tar", tar_bytes({"big.txt": b"x" * 2000}, mode="w"), limits)


def test_too_many_members_are_refused():
    limits = IntakeLimits(max_members=10)
    data = zip_bytes({f"f{i}.txt": b"hello\n" for i in range(11)})
    assert "more than 10 archive members" in refusal("many.zip", data, limits)


def test_archives_nested_three_deep_are_refused_and_two_deep_accepted():
    level2 = zip_bytes({"inner.zip": zip_bytes({"poc.txt": b"payload\n"})})
    assert pieces_of("outer.zip", level2)["outer.zip/inner.zip/poc.txt"] == b"payload\n"
    level3 = zip_bytes({"middle.zip": level2})
    assert "nested more than 2 levels" in refusal("outer.zip", level3)


@pytest.mark.parametrize("member", ["../../etc/cron.d/evil", "docs/../../escape.txt", "/etc/passwd",
                                    "C:/Windows/evil.dll", "..\\..\\windows\\evil.txt"])
def test_path_traversal_in_a_zip_is_refused(member):
    message = refusal("traversal.zip", zip_bytes({member: b"x"}))
    assert "path traversal" in message and "traversal.zip" in message


def test_path_traversal_in_a_tar_is_refused():
    assert "path traversal" in refusal("traversal.tar", tar_bytes({"../outside.txt": b"x"}, mode="w"))


def test_links_and_devices_in_a_tar_are_refused():
    link = tarfile.TarInfo("shadow")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
    assert "is a link" in refusal("links.tar", tar_bytes({}, mode="w", extra=[link]))
    hard = tarfile.TarInfo("hard")
    hard.type, hard.linkname = tarfile.LNKTYPE, "shadow"
    assert "is a link" in refusal("hard.tar", tar_bytes({}, mode="w", extra=[hard]))
    device = tarfile.TarInfo("sda")
    device.type = tarfile.BLKTYPE
    assert "device" in refusal("dev.tar", tar_bytes({}, mode="w", extra=[device]))


def test_a_symlink_in_a_zip_is_refused():
    assert "symbolic link" in refusal("link.zip", zip_bytes({"a.txt": b"a"}, symlinks={"passwd": "/etc/passwd"}))


def test_a_damaged_archive_gets_a_clear_error():
    data = zip_bytes({"a.txt": b"hello world\n" * 50})
    assert "damaged or unsupported zip archive" in refusal("broken.zip", data[:60] + b"\x00" * 40 + data[100:])


def test_empty_input_and_no_input_are_refused():
    assert "empty" in refusal("empty.txt", b"")
    with pytest.raises(IntakeError, match="no leaked material"):
        take_in([])


def test_a_saved_page_gives_its_visible_text_and_each_code_block_as_pieces():
    page = ("<html><head><script>var secret = 1;</script><style>p{}</style></head><body><p>The decoder "
            "<code>tim_decode_rows()</code> overflows.</p><pre><code>int stride = w * 4;\nmemcpy(dst, src, n);\n"
            "</code></pre></body></html>")
    found = take_in([Submission("thread.html", page.encode())])
    by_origin = {p.origin: p for p in found}
    assert not by_origin["file"].readable  # the page itself: read through its parts
    assert "overflows" in by_origin["html-text"].data.decode() and "secret" not in by_origin["html-text"].data.decode()
    assert by_origin["html-code"].data.decode().startswith("int stride = w * 4;")


def test_intake_limits_come_from_the_settings(settings):
    settings.HEADSTART_INTAKE_MAX_MEMBERS = 7
    assert IntakeLimits.from_settings().max_members == 7
    settings.HEADSTART_INTAKE_MAX_MEMBERS = 0
    with pytest.raises(Invalid, match="max_members must be at least 1"):
        IntakeLimits.from_settings()


@pytest.mark.django_db
def test_a_refused_archive_changes_nothing(delivered, staff_actor, snapshot):
    from django.conf import settings

    from headstart.apps.investigations.services import investigate

    stored = settings.HOME / "investigations"
    files_before = sorted(stored.rglob("*")) if stored.exists() else []
    before = snapshot()
    with pytest.raises(IntakeError):
        investigate([Submission("traversal.zip", zip_bytes({"../../x": b"x"}))], actor=staff_actor)
    assert snapshot() == before
    assert (sorted(stored.rglob("*")) if stored.exists() else []) == files_before
