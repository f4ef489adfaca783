"""The README's command sequence runs as written, from top to bottom, on a fresh home.

The block after the `<!-- readme-sequence` marker in "Using the command line" is split into
commands (a trailing backslash continues a line) and each runs in order, in one empty
directory, through the shell, with the project's own `headstart` first on PATH and a
keyring of the test's own for `gpg`. Every command must exit 0 without a traceback.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

README = Path(__file__).resolve().parents[1] / "README.md"
BIN = Path(sys.executable).parent
MARKER = "<!-- readme-sequence"
# Settings the test run sets for itself (tests/early_home.py): a reader's shell has none of them.
TEST_ONLY = {"DATABASE_URL", "HEADSTART_HOME", "HEADSTART_MARKING_KEY", "HEADSTART_AUDIT_KEY", "SECRET_KEY",
             "HEADSTART_SIGNING_KEY_FILE", "DJANGO_SETTINGS_MODULE"}


@dataclass(frozen=True)
class Ran:
    command: str
    out: str


def sequence(readme: str) -> list[str]:
    """The commands of the marked block: continuation lines joined, comments and blanks dropped."""
    section = readme.split("\n## Using the command line\n", 1)[1].split("\n## ", 1)[0]
    after = section.split(MARKER, 1)[1]
    block = re.search(r"```sh\n(.*?)\n```", after, re.DOTALL)
    assert block is not None, "no ```sh block after the marker"
    commands, pending = [], ""
    for line in block.group(1).splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        commands.append((pending + line).strip())
        pending = ""
    assert not pending, "the block ends in a continuation"
    return commands


def run_sequence(workdir: Path, commands: list[str]) -> list[Ran]:
    (workdir / "gnupg").mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    env |= {"PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}", "GNUPGHOME": str(workdir / "gnupg"), "PWD": str(workdir)}
    ran = []
    for command in commands:
        if command.startswith("export "):  # a shell of its own per command: keep what the reader's shell keeps
            name, value = command.removeprefix("export ").split("=", 1)
            env[name] = value.replace("$PWD", str(workdir))
            continue
        done = subprocess.run(["bash", "-c", command], cwd=workdir, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        assert done.returncode == 0, f"`{command}` exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, f"`{command}`:\n{done.stderr}"
        ran.append(Ran(command, done.stdout))
    return ran


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> Iterator[list[Ran]]:  # type: ignore[no-untyped-def]
    workdir = tmp_path_factory.mktemp("readme")
    try:
        yield run_sequence(workdir, sequence(README.read_text()))
    finally:  # the reader's gpg started an agent for the test's keyring: stop it
        subprocess.run(["gpgconf", "--homedir", str(workdir / "gnupg"), "--kill", "gpg-agent"], check=False,
                       capture_output=True)


def output_of(ran: list[Ran], start: str) -> str:
    matches = [r.out for r in ran if r.command.startswith(start)]
    assert matches, f"the README sequence has no `{start}`"
    return matches[0]


def test_the_marked_block_walks_a_program_from_init_to_the_audit_check():
    commands = sequence(README.read_text())
    assert commands[0] == "export HEADSTART_HOME=$PWD/var"
    for start in ("headstart init", "headstart tier add", "headstart partner add", "headstart partner import",
                  "headstart user add", "headstart token create", "headstart nda publish", "headstart nda accept",
                  "headstart advisory create", "headstart advisory check", "headstart advisory schedule",
                  "headstart advisory prepare", "headstart copy export", "headstart investigate",
                  "headstart partner expel", "headstart audit verify", "headstart seed"):
        assert any(c.startswith(start) for c in commands), start


def test_every_command_of_the_readme_sequence_exits_0_on_a_fresh_home(ran):
    assert len(ran) >= 40


def test_the_sequence_sets_up_the_program_its_partner_and_the_partner_admin_who_accepts_the_nda(ran):
    assert "Created program" in output_of(ran, "headstart init")
    assert "Woodgrove AV" in output_of(ran, "headstart partner list")
    assert "Woodgrove AV accepted NDA version 2" in output_of(ran, "headstart nda accept")


def test_the_advisory_is_ready_and_its_investigation_is_the_one_the_expulsion_names(ran):
    assert "OK: ready to schedule" in output_of(ran, "headstart advisory check")
    investigation = re.search(r"Investigation (INV-\d+)", output_of(ran, "headstart investigate"))
    expel = next(r.command for r in ran if r.command.startswith("headstart partner expel"))
    assert investigation is not None and f"--investigation {investigation.group(1)}" in expel


def test_the_audit_chain_is_intact_and_seed_loads_the_sample_beside_the_readme_advisory(ran):
    assert "intact" in output_of(ran, "headstart audit verify").lower()
    assert "Demo data loaded" in output_of(ran, "headstart seed")
