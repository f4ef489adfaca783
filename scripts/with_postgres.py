#!/usr/bin/env python3
"""Run a command against a throwaway PostgreSQL server: start, export DATABASE_URL, run, stop.

The server lives in a temporary directory on a free loopback port and is always stopped,
even when the command fails. PostgreSQL refuses to run as root, so as root the server runs
as the `postgres` user. Usage: scripts/with_postgres.py -- COMMAND [ARGS...]
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_DIRS = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for d in PG_DIRS:
        if Path(d, name).exists():
            return str(Path(d, name))
    sys.exit(f"with_postgres: {name} not found; install PostgreSQL (apt-get install postgresql)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{c}'" for c in cmd)]


def main() -> int:
    args = sys.argv[1:]
    if args and args[0] == "--":
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    root = Path(tempfile.mkdtemp(prefix="headstart-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    os.chmod(root, 0o700)
    pg_ctl = pg_bin("pg_ctl")
    try:
        subprocess.run(as_server_user([pg_bin("initdb"), "-D", str(data), "-A", "trust", "-U", "hs", "-E", "UTF8"]),
                       check=True, stdout=subprocess.DEVNULL)
        # The port was free a moment ago; another program on the machine may take it before
        # the server binds it. Then the start fails, and the next free port is tried.
        for attempt in range(3):
            port = free_port()
            started = subprocess.run(as_server_user([pg_ctl, "-D", str(data), "-w", "-l", str(root / "log"),
                                                     "-o", f"-k {root} -p {port} -h 127.0.0.1 -F", "start"]),
                                     check=attempt == 2, stdout=subprocess.DEVNULL)
            if started.returncode == 0:
                break
        env = dict(os.environ, DATABASE_URL=f"postgres://hs@127.0.0.1:{port}/postgres")
        print(f"with_postgres: PostgreSQL on 127.0.0.1:{port} ({root})", file=sys.stderr, flush=True)
        return subprocess.call(args, env=env)
    finally:
        subprocess.run(as_server_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
