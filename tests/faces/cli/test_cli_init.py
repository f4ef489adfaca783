"""`headstart init` sets a program up once, keeps its secrets in private files, and is idempotent.

These run the installed `headstart` command in a fresh HEADSTART_HOME on the embedded
SQLite database, as a new user would.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from cli_process import headstart

# End to end: each test runs the installed command in a subprocess.
pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Initialised:
    home: Path
    first: dict  # type: ignore[type-arg]
    second: dict  # type: ignore[type-arg]
    keys_after_first: dict[str, bytes]


def key_files(home: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((home / "keys").iterdir())}


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Initialised:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("init") / "home"
    first = headstart(home, "init", "--name", "Example PSIRT", "--json")
    assert first.code == 0, first.err
    keys_after_first = key_files(home)
    second = headstart(home, "init", "--name", "Another name", "--json")
    assert second.code == 0, second.err
    return Initialised(home, first.json(), second.json(), keys_after_first)


def test_first_init_creates_the_program_default_tiers_and_nda(initialised):
    first = initialised.first
    assert (first["program"], first["created"]) == ("Example PSIRT", True)
    assert first["tiers_created"] == ["entry", "advanced"] and first["nda_published"] == 1
    tiers = json.loads(headstart(initialised.home, "tier", "list", "--json").out)
    assert tiers == [{"name": "advanced", "lead_time": "72h", "entitlements": ["writeup", "guidance", "poc",
                                                                             "trigger-spec"]},
                     {"name": "entry", "lead_time": "24h", "entitlements": ["writeup", "guidance"]}]
    nda = json.loads(headstart(initialised.home, "nda", "show", "--json").out)
    assert nda["version"] == 1 and "Example PSIRT" in nda["text"]


def test_a_second_init_changes_nothing(initialised):
    first, second = initialised.first, initialised.second
    assert (second["program"], second["created"]) == ("Example PSIRT", False)
    assert second["tiers_created"] == [] and second["nda_published"] is None
    assert (second["marking_key_id"], second["signing_fingerprint"]) == (first["marking_key_id"],
                                                                         first["signing_fingerprint"])
    assert key_files(initialised.home) == initialised.keys_after_first
    verified = json.loads(headstart(initialised.home, "audit", "verify", "--json").out)
    assert verified["ok"] and verified["events"] == 4  # program.init, two tiers, NDA v1: nothing from run two


def test_key_files_are_private_in_a_private_directory(initialised):
    keys = initialised.home / "keys"
    assert keys.stat().st_mode & 0o777 == 0o700
    assert sorted(initialised.keys_after_first) == ["audit.key", "marking.key", "signing-key.asc"]
    for name in initialised.keys_after_first:
        assert (keys / name).stat().st_mode & 0o777 == 0o600, name
    assert (initialised.home / "secret_key").stat().st_mode & 0o777 == 0o600


def test_the_secret_keys_never_reach_the_database(initialised):
    marking_hex = (initialised.home / "keys" / "marking.key").read_text().strip()
    signing_secret = (initialised.home / "keys" / "signing-key.asc").read_text()
    audit_hex = (initialised.home / "keys" / "audit.key").read_text().strip()
    assert len(bytes.fromhex(marking_hex)) == 32 and "PRIVATE KEY BLOCK" in signing_secret
    assert len(bytes.fromhex(audit_hex)) == 32
    database = initialised.home / "headstart.sqlite3"
    raw = b"".join(p.read_bytes() for p in initialised.home.glob("headstart.sqlite3*"))
    for secret in (marking_hex.encode(), marking_hex.upper().encode(), bytes.fromhex(marking_hex),
                   audit_hex.encode(), bytes.fromhex(audit_hex), b"PRIVATE KEY BLOCK"):
        assert secret not in raw
    with sqlite3.connect(database) as db:
        (certificate,) = db.execute("SELECT signing_certificate FROM program_program").fetchone()
    assert "PUBLIC KEY BLOCK" in certificate


def test_a_wrong_marking_key_is_refused(initialised):
    wrong = secrets.token_hex(32)
    result = headstart(initialised.home, "init", HEADSTART_MARKING_KEY=wrong)
    assert result.code == 1
    assert result.err.strip().splitlines()[-1] == (
        "headstart: error: the marking key does not match this program's database (wrong HEADSTART_HOME or "
        "HEADSTART_MARKING_KEY?); refusing to continue")


@pytest.mark.parametrize("malformed", ["not-hex", "00" * 33])
def test_a_malformed_marking_key_is_refused_in_one_line(initialised, malformed):
    result = headstart(initialised.home, "init", HEADSTART_MARKING_KEY=malformed)
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("headstart: error: the marking key must be") and "Traceback" not in result.err


def test_the_marking_key_may_come_from_the_environment_instead_of_a_file(tmp_path):
    key = secrets.token_hex(32)
    result = headstart(tmp_path / "home", "init", "--json", HEADSTART_MARKING_KEY=key)
    assert result.code == 0, result.err
    assert result.json()["marking_key"] == "HEADSTART_MARKING_KEY"
    assert not (tmp_path / "home" / "keys" / "marking.key").exists()
    assert headstart(tmp_path / "home", "init", HEADSTART_MARKING_KEY=key).code == 0
    assert headstart(tmp_path / "home", "init").code == 1  # the file-less program needs its key


def test_the_audit_key_is_named_by_init_and_may_come_from_the_environment(initialised, tmp_path):
    assert initialised.first["audit_key"] == str(initialised.home / "keys" / "audit.key")
    key = secrets.token_hex(32)
    result = headstart(tmp_path / "home", "init", "--json", HEADSTART_AUDIT_KEY=key)
    assert result.code == 0, result.err
    assert result.json()["audit_key"] == "HEADSTART_AUDIT_KEY"
    assert not (tmp_path / "home" / "keys" / "audit.key").exists()
    assert headstart(tmp_path / "home", "audit", "verify", HEADSTART_AUDIT_KEY=key).code == 0
    # With another key, the keyed events no longer check.
    other = headstart(tmp_path / "home", "audit", "verify", HEADSTART_AUDIT_KEY=secrets.token_hex(32))
    assert other.code == 1 and "edited" in other.out
