"""Keys made with GnuPG, the way partners make theirs (the demo partners' keys).

GnuPG's keys advertise only SEIPD v1, so Sequoia encrypts to them in the classic format that
every OpenPGP tool reads, GnuPG 2.2 included; keys Sequoia makes advertise SEIPD v2 as well.
Each call works in a private temporary GnuPG home (mode 0700) and removes it afterwards:
no one's keyring is read or changed.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path


class GnuPGError(RuntimeError):
    """gpg failed or is missing; the message ends with gpg's last line of complaint."""


_KEY_CREATED = re.compile(r"^\[GNUPG:\] KEY_CREATED [BP] ([0-9A-F]{40})$", re.MULTILINE)
_TIMEOUT_SECONDS = 60


def available() -> bool:
    """Whether a `gpg` binary is on PATH."""
    return shutil.which("gpg") is not None


def _private_home() -> Path:
    # Without /run/user/UID, gpg-agent's socket lives in the home, and a Unix socket's path holds
    # at most 107 bytes: under a long TMPDIR, the home goes in /tmp.
    base = tempfile.gettempdir()
    if len(base) > 60 and os.path.isdir("/tmp"):
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix="headstart-gnupg-", dir=base))  # mode 0700


def _gpg(binary: str, home: Path, *argv: str) -> str:
    what = next(a for a in argv if a.startswith(("--quick", "--export")))  # for the message
    # No passphrase (loopback, empty): demo keys, written to files only their owner can read.
    command = [binary, "--homedir", str(home), "--batch", "--yes", "--no-tty", "--pinentry-mode", "loopback",
               "--passphrase", "", *argv]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GnuPGError(f"gpg {what} failed: {exc}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise GnuPGError(f"gpg {what} failed: {lines[-1] if lines else f'exit status {done.returncode}'}")
    return done.stdout


def generate_keys(user_ids: Sequence[str]) -> list[tuple[str, str]]:
    """One key per user id, in order: (armored secret key, armored public certificate).

    Each is an Ed25519 primary key for signing with a Curve25519 encryption subkey, never
    expiring, without a passphrase (fast, and what `gpg --quick-gen-key` users get)."""
    binary = shutil.which("gpg")
    if binary is None:
        raise GnuPGError("gpg is not on PATH")
    home = _private_home()
    try:
        keys = []
        for user_id in user_ids:
            status = _gpg(binary, home, "--status-fd", "1", "--quick-gen-key", user_id, "ed25519", "sign", "never")
            created = _KEY_CREATED.search(status)
            if created is None:
                raise GnuPGError(f"gpg --quick-gen-key reported no new key for {user_id!r}")
            fpr = created.group(1)
            _gpg(binary, home, "--quick-add-key", fpr, "cv25519", "encr", "never")
            keys.append((_gpg(binary, home, "--armor", "--export-secret-keys", fpr),
                         _gpg(binary, home, "--armor", "--export", fpr)))
        return keys
    finally:
        # The agent gpg started for this home holds a socket in it; stop it before removing it.
        gpgconf = shutil.which("gpgconf")
        if gpgconf is not None:
            # If this fails, the agent stops by itself once its socket is gone.
            with contextlib.suppress(OSError, subprocess.TimeoutExpired):
                subprocess.run([gpgconf, "--homedir", str(home), "--kill", "gpg-agent"], capture_output=True,
                               timeout=_TIMEOUT_SECONDS, check=False)
        shutil.rmtree(home, ignore_errors=True)
