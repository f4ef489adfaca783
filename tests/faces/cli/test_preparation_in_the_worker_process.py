"""A preparation queued from the staff advisory page, run by `headstart worker` as a real process
on its own database with two preparing processes forked inside the worker (as the CLI forks them):
every partner's package is prepared, the row is done with its counts, and the worker exits cleanly.

The database is a fresh SQLite file, or a fresh PostgreSQL database when the suite runs there.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]

SETUP = """
import datetime as dt
import django
django.setup()
import pysequoia
from django.utils import timezone
from headstart.apps.accounts.services import add_user
from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.audit.services import Actor
from headstart.apps.delivery import preparation_jobs
from headstart.apps.partners.services import PartnerInput, add_partner
from headstart.samples import SAMPLE_DIR
actor = Actor(name="test-setup")
for name in ("Acme", "Globex", "Initech"):
    secret = pysequoia.Tsk.generate(user_id=f"{name} <sec@example.com>", profile=pysequoia.Profile.RFC4880)
    add_partner(PartnerInput(name, "advanced", f"security@{name.lower()}.example",
                             str(secret.extract_certificate())), actor=actor)
staff = add_user("psirt@vendor.example", actor=actor, staff=True)
advisory = create_advisory("HS-2026-0001", title="Heap overflow in the TIM parser", actor=actor,
                           patch_at=timezone.now() + dt.timedelta(hours=48),
                           artifacts=[ArtifactInput("writeup", "writeup.md", (SAMPLE_DIR / "writeup.md").read_bytes())])
schedule_advisory(advisory, actor=actor)
preparation_jobs.request(advisory, user=staff, actor=Actor(name=staff.email, user_id=staff.pk))
"""

STATE = """
import json
import django
django.setup()
from headstart.apps.delivery.models import PackageFile, Preparation
p = Preparation.objects.get()
print(json.dumps({"status": p.status, "done": p.partners_done, "total": p.partners_total, "prepared": p.prepared,
                  "error": p.error, "packages": PackageFile.objects.count()}))
"""


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    from factories import fresh_database_url

    with fresh_database_url("hs_prepare") as url:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if url:
            env["DATABASE_URL"] = url
        env.update(HEADSTART_HOME=str(tmp_path / "home"), DJANGO_SETTINGS_MODULE="headstart.config.settings",
                   PYTHONPATH=str(REPO / "src"), HEADSTART_PREPARE_WORKERS="2")
        yield env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_worker_process_prepares_every_partners_package_on_two_forked_processes(env):
    init = _run(env, "-m", "headstart.faces.cli.main", "init")
    assert init.returncode == 0, init.stderr
    setup = _run(env, "-c", SETUP)
    assert setup.returncode == 0, setup.stderr

    worker = _run(env, "-m", "headstart.faces.cli.main", "worker", "--once")

    assert worker.returncode == 0, worker.stderr
    state = json.loads(_run(env, "-c", STATE).stdout)
    assert state == {"status": "done", "done": 3, "total": 3, "prepared": 3, "error": "", "packages": 3}
