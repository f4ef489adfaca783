"""Every key `init` and `seed` make is an RFC 4880 (v4) key, and GnuPG 2.2 reads the packages.

`init` makes the program key (pysequoia, RFC 4880 profile); `seed` has GnuPG make the demo
partners' keys, as partners make theirs (`demo` makes its partners' the same way). GnuPG, with
a keyring of the test's own, decrypts and verifies the packages `advisory prepare` renders for
the seeded partners, as a partner on Debian would; so does the program's own decrypt path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from headstart.crypto.openpgp import decrypt_and_verify, public_certificate

HEADSTART = Path(sys.executable).parent / "headstart"
SRC = Path(__file__).resolve().parents[3] / "src" / "headstart"

pytestmark = pytest.mark.slow


def headstart(home: Path, *argv: str) -> str:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_AUDIT_KEY", "SECRET_KEY",
                        "HEADSTART_SIGNING_KEY_FILE"}}
    done = subprocess.run([str(HEADSTART), *argv], env=env | {"HEADSTART_HOME": str(home)}, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def gpg(gnupghome: Path, *argv: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["gpg", "--homedir", str(gnupghome), "--batch", "--pinentry-mode", "loopback",
                           "--passphrase", "", *argv], input=data, capture_output=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("keys") / "home"
    headstart(home, "init")
    headstart(home, "seed")
    headstart(home, "advisory", "prepare", "HS-2026-0001")
    return home


def key_files(home: Path) -> list[Path]:
    return [home / "keys" / "signing-key.asc", *sorted((home / "demo-partner-keys").glob("*.asc"))]


def test_every_key_init_and_seed_make_is_a_version_4_key(seeded, tmp_path):
    files = key_files(seeded)
    assert len(files) == 5  # the program's and the four seeded partners'
    for path in files:
        listed = gpg(tmp_path, "--list-packets", str(path))
        assert listed.returncode == 0, listed.stderr.decode()
        versions = set(re.findall(r"\bversion (\d+)", listed.stdout.decode()))
        assert versions == {"4"}, (path.name, versions)


def test_the_seeded_partners_keys_are_gnupg_keys_that_advertise_only_seipd_v1(seeded, tmp_path):
    for path in key_files(seeded)[1:]:
        listed = gpg(tmp_path, "--list-packets", str(path)).stdout.decode()
        assert set(re.findall(r"\(features: ([0-9A-F]+)\)", listed)) == {"01"}, path.name


@pytest.fixture
def keyring(tmp_path):  # type: ignore[no-untyped-def]
    """A GnuPG home of the test's own; the agent that importing secret keys starts is stopped after."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    yield home
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True, timeout=60,
                   check=False)


def test_gnupg_decrypts_and_verifies_every_seeded_partners_package(seeded, keyring):
    certificate = public_certificate((seeded / "keys" / "signing-key.asc").read_text())
    assert gpg(keyring, "--import", data=certificate.encode()).returncode == 0
    for path in key_files(seeded)[1:]:
        imported = gpg(keyring, "--import", str(path))
        assert imported.returncode == 0, imported.stderr.decode()
    packages = sorted((seeded / "packages" / "HS-2026-0001").glob("*.pgp"))
    assert len(packages) == 4
    for package in packages:
        done = gpg(keyring, "--status-fd", "2", "--decrypt", str(package))
        status = done.stderr.decode(errors="replace")  # Sequoia's salt notation is binary
        assert done.returncode == 0, status
        assert "[GNUPG:] GOODSIG" in status and "[GNUPG:] DECRYPTION_OKAY" in status, status
        assert done.stdout[257:262] == b"ustar"  # a tar archive, as `remote download` unpacks


def test_the_program_decrypts_and_verifies_every_seeded_partners_package_with_its_gnupg_key(seeded):
    certificate = public_certificate((seeded / "keys" / "signing-key.asc").read_text())
    keys = {path.stem: path.read_bytes() for path in key_files(seeded)[1:]}
    packages = sorted((seeded / "packages" / "HS-2026-0001").glob("*.pgp"))
    assert len(packages) == 4
    for package in packages:
        opened = [decrypt_and_verify(package.read_bytes(), secret_key=key, signer_cert=certificate)
                  for key in keys.values() if _opens(package, key, certificate)]
        assert len(opened) == 1 and opened[0][257:262] == b"ustar", package.name


def _opens(package: Path, key: bytes, certificate: str) -> bool:
    try:
        decrypt_and_verify(package.read_bytes(), secret_key=key, signer_cert=certificate)
    except ValueError:
        return False
    return True


def sources_with(text: str) -> list[str]:
    return sorted(p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if text in p.read_text())


def test_keys_are_made_in_one_place_each_program_keys_by_pysequoia_demo_partner_keys_by_gnupg():
    # Headstart's own keys: pysequoia with the RFC 4880 profile, in one function.
    assert sources_with("Tsk.generate(") == ["crypto/openpgp.py"]
    assert "Tsk.generate(user_id=user_id, profile=pgp.Profile.RFC4880)" in (SRC / "crypto" / "openpgp.py").read_text()
    # It makes the program key, and the demo partners' keys only when gpg is missing.
    assert sources_with("generate_signing_key(") == ["apps/program/keys.py", "crypto/openpgp.py",
                                                     "faces/cli/demo_keys.py"]
    # Demo partners' keys: GnuPG, run in one module, for seed and demo through one helper.
    assert sources_with("--quick-gen-key") == ["crypto/gnupg.py"]
    assert sources_with("gnupg.generate_keys(") == ["faces/cli/demo_keys.py"]
    assert sources_with("make_demo_partner_keys(") == ["faces/cli/commands/demo.py", "faces/cli/commands/seed.py",
                                                       "faces/cli/demo_keys.py"]
