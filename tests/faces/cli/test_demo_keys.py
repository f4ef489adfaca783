"""The demo partners' keys: GnuPG makes them when gpg is on PATH; without it Headstart does, and says once
what decrypts the packages for those partners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from cli_process import compiler_only_bin

from headstart.crypto.openpgp import validate_certificate
from headstart.faces.cli.demo_keys import make_demo_partner_keys

HEADSTART = Path(sys.executable).parent / "headstart"
UIDS = ["Aegis Labs <psirt@aegis.example>", "Aegis Labs <psirt@aegis.example>", "Bastion IPS <psirt@bastion.example>"]


def list_packets(data: str, tmp_path: Path) -> str:
    home = tmp_path / "list-packets"
    home.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--list-packets"], input=data.encode(),
                          capture_output=True, timeout=60, check=True).stdout.decode()


def gnupg_homes() -> set[Path]:
    return set(Path("/tmp").glob("headstart-gnupg-*")) | set(Path(tempfile.gettempdir()).glob("headstart-gnupg-*"))


def test_with_gpg_every_user_id_gets_its_own_gnupg_key_advertising_only_seipd_v1(tmp_path):
    before = gnupg_homes()
    made = make_demo_partner_keys(UIDS)
    assert made.made_with == "gnupg" and made.note is None
    assert len(made.keys) == 3
    fingerprints = [validate_certificate(cert).fingerprint for _secret, cert in made.keys]
    assert len(set(fingerprints)) == 3  # the same user id twice still gets two keys
    for (secret, cert), uid in zip(made.keys, UIDS, strict=True):
        assert "PRIVATE KEY BLOCK" in secret and "PUBLIC KEY BLOCK" in cert
        assert uid in validate_certificate(cert).user_ids
        packets = list_packets(cert, tmp_path)
        assert "(features: 01)" in packets and "(features: 09)" not in packets
    assert gnupg_homes() <= before  # the private GnuPG home is gone


def test_a_long_temporary_directory_still_leaves_room_for_the_gpg_agent_socket(tmp_path, monkeypatch):
    long_dir = tmp_path / ("t" * 80)
    long_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(long_dir))  # a socket path there would exceed 107 bytes
    made = make_demo_partner_keys(UIDS[:1])
    assert made.made_with == "gnupg", made.note
    assert list(long_dir.iterdir()) == []


def test_without_gpg_on_path_headstart_makes_the_keys_and_says_what_decrypts_them(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no gpg
    made = make_demo_partner_keys(UIDS[:2])
    assert made.made_with == "headstart" and len(made.keys) == 2
    assert all(validate_certificate(cert).user_ids == (UIDS[0],) for _secret, cert in made.keys)
    assert made.note is not None
    assert "gpg is not on PATH" in made.note and "GnuPG cannot decrypt" in made.note and "Sequoia `sq`" in made.note


def headstart_without_gpg(home: Path, empty: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_AUDIT_KEY", "SECRET_KEY",
                        "HEADSTART_SIGNING_KEY_FILE"}}
    path = f"{empty}{os.pathsep}{compiler_only_bin(empty.parent / 'toolchain')}"  # no gpg; the C check's gcc
    done = subprocess.run([str(HEADSTART), *argv], env=env | {"HEADSTART_HOME": str(home), "PATH": path},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.slow
def test_seed_and_demo_without_gpg_say_once_that_gnupg_cannot_decrypt_their_partners_packages(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    home = tmp_path / "home"
    headstart_without_gpg(home, empty, "init")
    seeded = headstart_without_gpg(home, empty, "seed")
    assert (seeded.stdout + seeded.stderr).count("GnuPG cannot decrypt") == 1, seeded.stdout
    assert "gpg is not on PATH" in seeded.stdout

    demo = headstart_without_gpg(tmp_path / "demo", empty, "demo", "--partners", "2", "--seed", "1", "--json")
    result = json.loads(demo.stdout)
    assert result["ok"] is True
    assert result["partner_keys_made_with"] == "headstart"
    assert "GnuPG cannot decrypt" in result["partner_keys_note"] and "Sequoia `sq`" in result["partner_keys_note"]
    assert "GnuPG cannot decrypt" not in demo.stderr
