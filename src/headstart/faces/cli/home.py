"""What every command checks about $HEADSTART_HOME before it runs.

The home holds the program's secrets (keys, the SQLite database, artifacts), so other users
must not read it; and a command other than `init` on a home without a program would fail
deep inside (or create an empty database file), so it is refused in one line instead.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import DatabaseError

from headstart.errors import HeadstartError

# Read or write by group or others; execute alone (traversal, e.g. for a front server) is allowed.
_OPEN_BITS = 0o066
# Commands that set a program up, or never touch the program's data.
NEEDS_NO_PROGRAM = {"init", "demo", "remote", "sample"}


class HomeError(HeadstartError):
    """The home is unsafe or not set up; nothing was done."""


def check_home(command: str) -> None:
    home = Path(settings.HOME)
    if home.exists():
        mode = home.stat().st_mode & 0o777
        if mode & _OPEN_BITS:
            raise HomeError(f"{home} is open to other users (mode {mode:04o}) and holds the program's secrets; "
                            f"run: chmod 700 {home}")
    if command not in NEEDS_NO_PROGRAM and not _has_program(home):
        raise HomeError(f"no program in {home} (HEADSTART_HOME) yet: run `headstart init` first")


def _has_program(home: Path) -> bool:
    from headstart.apps.program.models import Program

    database = settings.DATABASES["default"]
    name = str(database.get("NAME", ""))
    on_disk = database["ENGINE"].endswith("sqlite3") and name != ":memory:" and not name.startswith("file:")
    if on_disk and not Path(name).is_file():
        return False  # connecting would create an empty database file in the home
    try:
        return Program.objects.filter(pk=1).exists()
    except DatabaseError:  # no tables: migrate (init) never ran on this database
        return False
