"""`headstart advisory prepare` on several processes: each partner's package holds exactly the
copies one process renders, and progress is counted as partners are done.

Forked workers need a database they can open, so this runs the installed command on a home of
its own (SQLite on disk), as a user does."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from cli_process import headstart

pytestmark = pytest.mark.slow

ADVISORY = "HS-2026-0001"


@pytest.fixture(scope="module")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("prepare") / "home"
    home.mkdir(mode=0o700)
    for argv in (("init", "--name", "Preparing test program"), ("seed",)):
        done = headstart(home, *argv)
        assert done.code == 0, done.err
    return home


def _prepared_copies(home: Path) -> dict[str, dict[str, str]]:
    """Partner name -> {file name: SHA-256} of the marked files its prepared package holds."""
    with sqlite3.connect(home / "headstart.sqlite3") as db:
        rows = db.execute("SELECT p.name, f.files FROM delivery_packagefile f "
                          "JOIN partners_partner p ON p.id = f.partner_id").fetchall()
    return {name: {f["name"]: f["sha256"] for f in json.loads(files) if f["kind"] != "manifest"}
            for name, files in rows}


def test_packages_prepared_on_two_processes_hold_the_copies_one_process_renders(seeded_home, tmp_path):
    done = headstart(seeded_home, "advisory", "prepare", ADVISORY, "--workers", "2", "--json")

    assert done.code == 0, done.err
    prepared = done.json()["prepared"]
    assert len(prepared) == 4 and done.json()["skipped"] == []
    packages = _prepared_copies(seeded_home)
    assert sorted(packages) == sorted(prepared)
    for name in prepared:  # `copy export` renders in its own single process
        out = tmp_path / name
        exported = headstart(seeded_home, "copy", "export", ADVISORY, "--partner", name, "--out", str(out))
        assert exported.code == 0, exported.err
        assert packages[name] == {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in packages[name]}
    assert len({tuple(sorted(p.values())) for p in packages.values()}) == 4  # every partner's own copies


def test_prepare_counts_partners_on_stderr_and_keeps_stdout_for_the_result(seeded_home):
    done = headstart(seeded_home, "advisory", "prepare", ADVISORY, "--workers", "2")

    assert done.code == 0, done.err
    assert done.out.strip() == "Prepared 4 packages; skipped 0"
    assert done.err.split() == ["1/4", "partners", "2/4", "partners", "3/4", "partners", "4/4", "partners"]


def test_prepare_refuses_a_worker_count_below_one(seeded_home):
    done = headstart(seeded_home, "advisory", "prepare", ADVISORY, "--workers", "0")

    assert done.code == 2
    assert "--workers: 0 is less than 1" in done.err
