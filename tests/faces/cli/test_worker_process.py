"""`headstart worker` as a real process on its own database: it sends, stops cleanly on SIGTERM
or Ctrl-C, and a worker killed right after a mail left never sends that mail again.

The database is a fresh SQLite file, or, when the suite runs on PostgreSQL (DATABASE_URL set),
a fresh database on that server, so both engines' locking is exercised.

The mail backend below stores each message as a file, so mails can be counted across
processes; when told to, it kills the process (os._exit) just after a message is stored,
the worst moment: the mail left, and the worker never got to record it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.mail.backends.base import BaseEmailBackend

# End to end: `headstart init` and the worker run as processes of their own.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]
VICTIM = "admin@acme.example"
CONTACTS = {
    f"{who}@{slug}.example" for who in ("security", "admin", "analyst") for slug in ("acme", "globex")
}

SETUP = """
import datetime as dt
import django
django.setup()
from django.utils import timezone
from headstart.apps.accounts.services import add_user
from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.audit.services import Actor
from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner
actor = Actor(name="test-setup")
for name in ("Acme", "Globex"):
    slug = name.lower()
    partner = add_partner(PartnerInput(name, "advanced", f"security@{slug}.example"), actor=actor)
    admin = add_user(f"admin@{slug}.example", actor=actor, partner=partner, role="admin")
    add_user(f"analyst@{slug}.example", actor=actor, partner=partner, role="analyst")
    accept_nda(partner, admin, actor=actor)
advisory = create_advisory("HS-2026-0001", title="Heap overflow in the TIM parser", actor=actor,
                           patch_at=timezone.now() + dt.timedelta(hours=48),
                           artifacts=[ArtifactInput("writeup", "writeup.md", b"# Write-up\\n")])
schedule_advisory(advisory, actor=actor)
"""


class FileMailbox(BaseEmailBackend):
    """Stores each message in $HEADSTART_TEST_MAILDIR; dies after storing one to $HEADSTART_TEST_DIE_AFTER."""

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        maildir = Path(os.environ["HEADSTART_TEST_MAILDIR"])
        for message in email_messages:
            name = f"{time.time_ns()}-{os.getpid()}-{message.to[0]}.eml"
            with open(maildir / name, "wb") as fh:
                fh.write(message.message().as_bytes())
                fh.flush()
                os.fsync(fh.fileno())
            if message.to[0] == os.environ.get("HEADSTART_TEST_DIE_AFTER"):
                os._exit(70)
        return len(email_messages)


class Home:
    """A throwaway HEADSTART_HOME with an initialised program: two advanced partners of three
    contacts each, and an advisory whose advanced window is open."""

    def __init__(self, root: Path, database_url: str | None) -> None:
        self.maildir = root / "mail"
        self.maildir.mkdir()
        self.env = {
            k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "HEADSTART_TEST_DIE_AFTER")
        }
        if database_url:
            self.env["DATABASE_URL"] = database_url
        self.env.update(
            HEADSTART_HOME=str(root / "home"),
            DJANGO_SETTINGS_MODULE="headstart.config.settings",
            PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(Path(__file__).parent)]),
            EMAIL_BACKEND=f"{Path(__file__).stem}.FileMailbox",
            HEADSTART_TEST_MAILDIR=str(self.maildir),
        )

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "headstart.faces.cli.main", *args]

    def run(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args), env=self.env | env, capture_output=True, text=True, timeout=120, check=False
        )

    def mails_to(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for path in self.maildir.iterdir():
            address = path.name.split("-", 2)[2].removesuffix(".eml")
            counts[address] = counts.get(address, 0) + 1
        return counts

    def status(self) -> dict:
        return json.loads(self.run("worker", "--status", "--json").stdout)


@pytest.fixture
def database_url() -> Iterator[str | None]:
    # Imported here: worker subprocesses import this module (FileMailbox) without tests/ on their path.
    from factories import fresh_database_url

    with fresh_database_url("hs_worker") as url:
        yield url


@pytest.fixture
def home(tmp_path, database_url) -> Home:  # type: ignore[no-untyped-def]
    home = Home(tmp_path, database_url)
    init = home.run("init")
    assert init.returncode == 0, init.stderr
    subprocess.run([sys.executable, "-c", SETUP], env=home.env, check=True, timeout=120)
    return home


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_worker_process_sends_then_stops_cleanly_on_a_signal(home, stop_signal):
    worker = subprocess.Popen(
        home.command("worker", "--interval", "0.2"),
        env=home.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(home.mails_to()) < len(CONTACTS) and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.1)
        time.sleep(0.5)  # a few more passes: nothing more must be sent
        worker.send_signal(stop_signal)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()

    assert worker.returncode == 0, err
    assert f"{stop_signal.name} received" in err and "worker: stopped" in err
    assert f"{len(CONTACTS)} sent" in out  # the closing summary on stdout
    assert home.mails_to() == dict.fromkeys(CONTACTS, 1)
    assert home.status()["notifications"]["sent"] == len(CONTACTS)


def test_a_worker_killed_just_after_a_mail_left_never_sends_that_mail_again(home):
    killed = home.run("worker", "--once", HEADSTART_TEST_DIE_AFTER=VICTIM)
    restarted = home.run("worker", "--once")
    again = home.run("worker", "--once")

    assert killed.returncode == 70
    assert restarted.returncode == again.returncode == 0
    assert home.mails_to() == dict.fromkeys(CONTACTS, 1)
    status = home.status()
    assert status["notifications"] == {
        "pending": 0,
        "sending": 1,
        "sent": len(CONTACTS) - 1,
        "cancelled": 0,
        "failed": 0,
    }
    assert [(a["email"], a["status"]) for a in status["attention"]] == [(VICTIM, "sending")]


def test_worker_once_catches_up_on_a_program_whose_worker_never_ran(home):
    result = home.run("worker", "--once", "--json")

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["totals"]["sent"] == len(CONTACTS)
    assert home.mails_to() == dict.fromkeys(CONTACTS, 1)


def test_two_workers_started_together_send_each_mail_once(home):
    workers = [
        subprocess.Popen(
            home.command("worker", "--once", "--json"),
            env=home.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    reports = [json.loads(w.communicate(timeout=120)[0]) for w in workers]

    assert [w.returncode for w in workers] == [0, 0]
    assert sum(r["totals"].get("sent", 0) for r in reports) == len(CONTACTS)
    assert home.mails_to() == dict.fromkeys(CONTACTS, 1)
