"""Writing a file whole or not at all."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from headstart.files import write_atomically


def test_a_written_file_is_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "package.tar.pgp"
    write_atomically(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["package.tar.pgp"]


def test_a_write_that_fails_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "package.tar.pgp"
    target.write_bytes(b"old")

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["package.tar.pgp"]
