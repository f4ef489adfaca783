"""A command that meets a database held by a long write says so in one line and exits 1."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]

# End to end: `headstart init` and the command run as processes of their own, on a SQLite file.
pytestmark = pytest.mark.slow

BUSY = "headstart: error: the database is busy with another write for longer than HEADSTART_DB_LOCK_WAIT_MS; try again"


def test_a_command_under_a_long_write_gives_a_one_line_error_and_changes_nothing(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY")}
    env.update(HEADSTART_HOME=str(tmp_path / "home"), DJANGO_SETTINGS_MODULE="headstart.config.settings",
               PYTHONPATH=str(REPO / "src"), HEADSTART_DB_LOCK_WAIT_MS="200")

    def headstart(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", *args], env=env,
                              capture_output=True, text=True, timeout=120, check=False)

    assert headstart("init").returncode == 0
    holder = sqlite3.connect(tmp_path / "home" / "headstart.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = headstart("tier", "add", "gold", "--lead-time", "96h", "--entitles", "writeup")
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [BUSY], result.stderr
    assert "gold" not in headstart("tier", "list").stdout
