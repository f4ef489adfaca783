"""The home is private and checked before every command; help writes nothing; a closed pipe is quiet.

These run the installed `headstart` command in a subprocess on a fresh HEADSTART_HOME with
the embedded SQLite database, as a user would.
"""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from cli_process import HEADSTART, environment, headstart

pytestmark = pytest.mark.slow


def tree(home: Path) -> dict[str, int]:
    """Every path under the home with its permission bits."""
    return {str(p.relative_to(home)): stat.S_IMODE(p.stat().st_mode) for p in sorted(home.rglob("*"))}


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("private") / "home"
    assert headstart(home, "init").code == 0
    for name in ("Example AV", "Example IPS", "Example EDR"):
        assert headstart(home, "partner", "add", name, "--tier", "entry").code == 0
    return home


def test_init_makes_the_home_0700_and_every_file_in_it_0600(home):
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    modes = tree(home)
    assert {"headstart.sqlite3", "secret_key", "keys", "keys/marking.key", "keys/signing-key.asc"} <= set(modes)
    for path, mode in modes.items():
        assert mode == (0o700 if (home / path).is_dir() else 0o600), path


def test_the_sqlite_wal_and_shm_files_are_private_while_the_database_is_open(home):
    # SQLite deletes them when the last connection closes: hold one open (WAL mode, like headstart).
    import sqlite3

    connection = sqlite3.connect(home / "headstart.sqlite3")
    try:
        connection.execute("SELECT count(*) FROM partners_partner").fetchone()
        side_files = sorted(home.glob("headstart.sqlite3-*"))
        assert [p.name for p in side_files] == ["headstart.sqlite3-shm", "headstart.sqlite3-wal"]
        for path in side_files:  # SQLite gives them the database file's mode
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    finally:
        connection.close()


def test_init_tightens_a_database_made_readable_before(tmp_path):
    home = tmp_path / "home"
    assert headstart(home, "init").code == 0
    (home / "headstart.sqlite3").chmod(0o644)
    assert headstart(home, "init").code == 0
    assert stat.S_IMODE((home / "headstart.sqlite3").stat().st_mode) == 0o600


@pytest.mark.parametrize("mode", [0o755, 0o750, 0o704, 0o720])
def test_every_command_refuses_a_home_others_can_read_and_says_how_to_fix_it(home, mode):
    before = tree(home)
    home.chmod(mode)
    try:
        for argv in (["partner", "list"], ["init"], ["tier", "add", "gold", "--lead-time", "24h", "--entitles",
                                                      "writeup"]):
            result = headstart(home, *argv)
            assert result.code == 1 and result.out == ""
            assert result.err == (f"headstart: error: {home} is open to other users (mode {mode:04o}) and holds "
                                  f"the program's secrets; run: chmod 700 {home}\n")
    finally:
        home.chmod(0o700)
    assert tree(home) == before


def test_a_home_open_for_traversal_only_is_accepted(home):
    home.chmod(0o711)
    try:
        assert headstart(home, "partner", "list").code == 0
    finally:
        home.chmod(0o700)


@pytest.mark.parametrize("exists", [False, True], ids=["no home", "empty home"])
def test_a_command_on_a_home_without_a_program_says_so_in_one_line_and_writes_nothing(tmp_path, exists):
    home = tmp_path / "home"
    if exists:
        home.mkdir(mode=0o700)
    for argv in (["partner", "list"], ["tier", "list", "--json"], ["advisory", "show", "HS-2026-0001"],
                 ["worker", "--once"]):
        result = headstart(home, *argv)
        assert result.code == 1 and result.out == "", result.err
        assert result.err == f"headstart: error: no program in {home} (HEADSTART_HOME) yet: run `headstart init` first\n"
    assert home.exists() == exists
    assert not exists or tree(home) == {}


@pytest.mark.parametrize("argv", [["--help"], ["tier", "add", "--help"], ["advisory", "create", "--help"]])
def test_help_writes_nothing_to_the_home(tmp_path, argv):
    home = tmp_path / "home"
    result = headstart(home, *argv)
    assert result.code == 0 and "usage: headstart" in result.out
    assert not home.exists()


def test_a_reader_that_goes_away_ends_the_command_quietly(home):
    # Like `headstart partner list --json | head -1`, without the race: the pipe is closed
    # before the command writes anything, so its first write meets a closed pipe.
    err = home.parent / "stderr.txt"
    with err.open("w") as stderr:
        process = subprocess.Popen([str(HEADSTART), "partner", "list", "--json"], env=environment(home),
                                   stdout=subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        process.stdout.close()
        code = process.wait(timeout=300)
    assert code == 1
    assert err.read_text() == ""
