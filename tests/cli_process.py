"""Running the installed `headstart` command in a process of its own, as a new user does: on a
home of the test's choosing, without the program secrets the test run itself keeps in its
environment (so the command makes and reads its own, on the embedded SQLite database)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HEADSTART = Path(sys.executable).parent / "headstart"
# The test run's own program and database: a user's shell has none of them.
_TEST_RUN_ONLY = {"DATABASE_URL", "HEADSTART_MARKING_KEY", "SECRET_KEY", "HEADSTART_SIGNING_KEY_FILE",
                  "HEADSTART_AUDIT_KEY"}


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.out)


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _TEST_RUN_ONLY}
    return env | {"HEADSTART_HOME": str(home), **extra}


def headstart(home: Path, *argv: str, **env: str) -> Run:
    done = subprocess.run([str(HEADSTART), *argv], env=environment(home, **env), capture_output=True, text=True,
                          timeout=300, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


def compiler_only_bin(directory: Path) -> Path:
    """A directory holding only the C toolchain (gcc, objdump and the assembler and linker gcc
    calls), for PATHs that hide everything else: Headstart needs gcc and objdump to check
    C PoC copies, so even a bare install has them."""
    import shutil

    directory.mkdir(parents=True, exist_ok=True)
    for tool in ("gcc", "objdump", "as", "ld"):
        found = shutil.which(tool)
        if found and not (directory / tool).exists():
            (directory / tool).symlink_to(found)
    return directory
