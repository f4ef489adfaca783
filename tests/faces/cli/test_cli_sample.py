"""`headstart sample` copies the sample advisory's files for a new user to try the commands on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from headstart.samples import SAMPLE_DIR

HEADSTART = Path(sys.executable).parent / "headstart"


def headstart(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"HEADSTART_HOME": str(home)}
    return subprocess.run([str(HEADSTART), *argv], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_sample_copies_every_file_of_the_sample_advisory_without_a_program(tmp_path):
    home = tmp_path / "home"
    done = headstart(home, "sample", "--out", str(tmp_path / "sample"))
    assert done.returncode == 0, done.stderr
    expected = sorted(p.name for p in SAMPLE_DIR.iterdir() if p.is_file())
    assert sorted(p.name for p in (tmp_path / "sample").iterdir()) == expected
    assert (tmp_path / "sample" / "poc.tim").read_bytes() == (SAMPLE_DIR / "poc.tim").read_bytes()
    assert not (home / "headstart.sqlite3").exists()


def test_sample_refuses_to_overwrite_a_file_in_one_line_and_copies_nothing(tmp_path):
    out = tmp_path / "sample"
    out.mkdir()
    (out / "writeup.md").write_text("my own notes\n")
    done = headstart(tmp_path / "home", "sample", "--out", str(out))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "already holds writeup.md" in done.stderr
    assert [p.name for p in out.iterdir()] == ["writeup.md"]
    assert (out / "writeup.md").read_text() == "my own notes\n"
