"""Several Headstart processes on one program, as several machines run it: `headstart serve`
app servers and a `headstart worker`, each a process of its own, against one database
(PostgreSQL, or SQLite in the home), sharing one HEADSTART_HOME (keys, audit checkpoints,
investigation inputs) and the storage directories of artifacts and packages.

Tests import it (tests/ is on pytest's path); a benchmark puts tests/ on sys.path first:

    program = Program.create(home, database_url)       # headstart init
    program.headstart("seed", "--json")                # any command, on the program's home
    with program.app_servers(2) as (a, b), program.worker():
        a.get("/api/v1/advisories", token=...)         # (status, headers, body)

Requests go to 127.0.0.1 only, never through a proxy the environment names.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

REPO = Path(__file__).resolve().parents[1]
# The test run's own program and database: a process of the program under test uses its own.
_FOREIGN = ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "HEADSTART_AUDIT_KEY",
            "SECRET_KEY", "HEADSTART_URL", "HEADSTART_TOKEN", "HEADSTART_ARTIFACTS_STORAGE",
            "HEADSTART_ARTIFACTS_STORAGE_OPTIONS", "HEADSTART_PACKAGES_STORAGE", "HEADSTART_PACKAGES_STORAGE_OPTIONS",
            "HEADSTART_SENDFILE")
_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):  # type: ignore[no-untyped-def]
        return json.loads(self.body)


@dataclass
class Process:
    """A long-running headstart command in a session of its own; stop() ends it and its children."""

    process: subprocess.Popen
    log_path: Path
    log: IO[bytes]

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers
                try:
                    self.process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(self.process.pid, signal.SIGKILL)  # the session started here
                    self.process.wait(timeout=10)
        finally:
            self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@dataclass
class AppServer(Process):
    url: str = ""

    def request(self, method: str, path: str, *, token: str | None = None, form: dict[str, str] | None = None,
                body: dict | None = None, timeout: float = 120) -> Answer:  # type: ignore[type-arg]
        """``form``: sent urlencoded; ``body``: sent as JSON."""
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.url + urllib.parse.quote(path), data=data, method=method)
        if body is not None:
            request.data = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with _LOOPBACK.open(request, timeout=timeout) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def get(self, path: str, *, token: str | None = None, timeout: float = 120) -> Answer:
        return self.request("GET", path, token=token, timeout=timeout)

    def post(self, path: str, *, form: dict[str, str] | None = None, body: dict | None = None,  # type: ignore[type-arg]
             token: str | None = None, timeout: float = 120) -> Answer:
        return self.request("POST", path, token=token, form=form, body=body, timeout=timeout)

    def wait_ready(self, timeout: float = 60) -> None:
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            if self.process.poll() is not None:
                raise AssertionError(f"headstart serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                self.get("/api/v1/program", timeout=2)  # any answer will do (401 without a token)
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"headstart serve did not answer within {timeout:.0f} s:\n{self.output()}")


@dataclass
class Program:
    """One program: its home, its database and the environment every process of it gets."""

    home: Path
    database_url: str | None  # PostgreSQL's; None: SQLite in the home
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def create(cls, home: Path, database_url: str | None, **extra_env: str) -> Program:
        """`headstart init` on a new home (the database must be empty)."""
        program = cls(home, database_url, extra_env)
        done = program.headstart("init", "--json")
        assert done.returncode == 0, done.stderr
        return program

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in _FOREIGN}
        env.update(HEADSTART_HOME=str(self.home), DJANGO_SETTINGS_MODULE="headstart.config.settings",
                   PYTHONPATH=os.pathsep.join(filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])))
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        return env | self.extra_env

    def headstart(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", *args], env=self.env(),
                              capture_output=True, text=True, timeout=timeout, check=False)

    def _start(self, name: str, *args: str) -> tuple[subprocess.Popen, Path, IO[bytes]]:
        log_path = self.home / f"{name}.log"
        log = open(log_path, "wb")  # noqa: SIM115 - closed by Process.stop
        process = subprocess.Popen([sys.executable, "-m", "headstart.faces.cli.main", *args], env=self.env(),
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        return process, log_path, log

    def start_server(self, name: str, *, workers: int = 1, threads: int = 4) -> AppServer:
        port = free_port()
        process, log_path, log = self._start(name, "serve", "--host", "127.0.0.1", "--port", str(port),
                                             "--workers", str(workers), "--threads", str(threads))
        return AppServer(process, log_path, log, url=f"http://127.0.0.1:{port}")

    @contextmanager
    def app_servers(self, n: int, *, workers: int = 1, threads: int = 4) -> Iterator[list[AppServer]]:
        """``n`` app servers on free loopback ports, ready; all stopped on leaving."""
        with ExitStack() as stack:
            servers = []
            for i in range(n):
                server = self.start_server(f"serve-{i + 1}", workers=workers, threads=threads)
                stack.callback(server.stop)
                servers.append(server)
            for server in servers:
                server.wait_ready()
            yield servers

    @contextmanager
    def worker(self, interval: float = 1.0) -> Iterator[Process]:
        """`headstart worker` running passes every ``interval`` seconds; stopped on leaving."""
        process, log_path, log = self._start("worker", "worker", "--interval", str(interval))
        worker = Process(process, log_path, log)
        try:
            yield worker
        finally:
            worker.stop()
