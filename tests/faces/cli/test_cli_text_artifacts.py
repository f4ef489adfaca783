"""A write-up, detection guidance or source PoC must be UTF-8 text: `advisory create` and
`artifact replace` refuse a binary file or another encoding with one line naming the file, and
store nothing."""

from __future__ import annotations

import pytest

from headstart.apps.advisories.models import Advisory, Artifact

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01"


def _create(run_cli, tmp_path, **files: bytes):  # type: ignore[no-untyped-def]
    paths = {}
    for option, content in {"writeup": b"# Write-up\n\nThe parser overflows.\n", **files}.items():
        name = {"writeup": "writeup.md", "guidance": "guidance.md", "poc": "poc.c"}[option]
        (tmp_path / name).write_bytes(content)
        paths[option] = str(tmp_path / name)
    argv = ["advisory", "create", "HS-2026-0002", "--title", "New overflow", "--patch-at", "2099-01-01T00:00:00Z"]
    for option, path in paths.items():
        argv += [f"--{option}", path]
    return run_cli(*argv)


@pytest.mark.parametrize(("option", "content", "says"), [
    ("writeup", PNG, "write-up writeup.md is not UTF-8 text (byte 0 is 0x89)"),
    ("writeup", b"# Write-up\x00\x00\x00\x01", "write-up writeup.md is not text: it holds a NUL byte at offset 10"),
    ("guidance", "# Guidance\n".encode("utf-16"), "detection guidance guidance.md is not UTF-8 text (byte 0 is 0xff)"),
    ("poc", "/* café */\n".encode("latin-1"), "source PoC poc.c is not UTF-8 text (byte 6 is 0xe9)"),
])
def test_a_binary_or_non_utf8_text_artifact_is_refused_by_name(program, run_cli, tmp_path, option, content, says):
    result = _create(run_cli, tmp_path, **{option: content})

    assert result.code != 0 and result.out == ""
    [line] = result.err.strip().splitlines()
    assert line.startswith(f"headstart: error: {says}")
    assert not Advisory.objects.exists() and not Artifact.objects.exists()


def test_utf8_text_artifacts_beyond_ascii_are_accepted(program, run_cli, tmp_path):
    result = _create(run_cli, tmp_path, guidance="# Détection\n\nÉvénement 1000 — 注意\n".encode())

    assert result.code == 0, result.err
    assert Artifact.objects.filter(kind="guidance").exists()


def test_artifact_replace_refuses_a_binary_write_up(make_advisory, run_cli, tmp_path):
    advisory = make_advisory()
    (tmp_path / "writeup.md").write_bytes(PNG)

    result = run_cli("artifact", "replace", advisory.ident, str(tmp_path / "writeup.md"))

    assert result.code != 0
    assert result.err.strip().splitlines()[0].startswith("headstart: error: write-up writeup.md is not UTF-8 text")
    assert advisory.artifacts.filter(name="writeup.md").count() == 1
