"""Refused tokens are counted in the database, so every worker process and server counts together.

The count lives in the shared cache (a table that `headstart init` creates by migrating); a
fresh process, with nothing in memory, sees the refusals another process counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.cache.backends.db import DatabaseCache
from django.test import Client

ATTACKER = "198.51.100.7"

# One process's requests: each prints its status and Retry-After, one JSON line per request.
REQUESTS = """
import json, os, sys
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "headstart.config.settings"
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR=sys.argv[1], HTTP_AUTHORIZATION="Bearer hs_guess")
for _ in range(int(sys.argv[2])):
    r = client.get("/api/v1/me")
    print(json.dumps([r.status_code, r.get("Retry-After")]))
"""


@pytest.fixture
def database_url() -> Iterator[str | None]:
    from factories import fresh_database_url

    with fresh_database_url("hs_refusals") as url:
        yield url


@pytest.fixture
def initialised_env(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {"PATH": os.environ["PATH"], "HEADSTART_HOME": str(tmp_path / "home"), "ALLOWED_HOSTS": "testserver",
           "HEADSTART_TOKEN_REFUSAL_LIMIT": "3", "HEADSTART_TOKEN_REFUSAL_MINUTES": "7"}
    if database_url:
        env["DATABASE_URL"] = database_url
    init = subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", "init"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert init.returncode == 0, init.stderr
    return env


def requests_in_a_new_process(env: dict[str, str], ip: str, n: int) -> list[list]:
    done = subprocess.run([sys.executable, "-c", REQUESTS, ip, str(n)], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_fresh_process_sees_the_refusals_another_process_counted(initialised_env):
    assert requests_in_a_new_process(initialised_env, ATTACKER, 3) == [[401, None]] * 3
    # A new process, as another gunicorn worker or server would be: nothing of the count in memory.
    assert requests_in_a_new_process(initialised_env, ATTACKER, 1) == [[429, str(7 * 60)]]
    # Another address is counted apart.
    assert requests_in_a_new_process(initialised_env, "203.0.113.9", 1) == [[401, None]]


@pytest.mark.django_db
def test_refusals_live_in_the_database_not_in_the_process(make_partner, token_for, settings):
    settings.HEADSTART_TOKEN_REFUSAL_LIMIT = 3
    good = token_for(make_partner("Example AV")[2])
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for n in range(3):
        assert attacker.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer hs_guess{n}").status_code == 401
    # Another cache object on the same table, as another process holds, reads the same count.
    other = DatabaseCache("headstart_shared_cache", {})
    assert other.get(f"headstart:token-refusals:{ATTACKER}")[0] == 3
    cache.clear()  # what the process keeps for itself plays no part
    throttled = attacker.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {good}")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) == settings.HEADSTART_TOKEN_REFUSAL_MINUTES * 60
