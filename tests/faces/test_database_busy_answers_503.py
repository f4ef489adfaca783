"""Requests that meet a database held by a long write answer 503 with Retry-After, never 500,
and write nothing.

The program lives in a SQLite file of its own (the test database is in memory, where another
connection cannot take the lock): `headstart init` makes it, then a Python process sets up a
partner with an open advisory and, with HEADSTART_DB_LOCK_WAIT_MS=200, serves requests through
Django's test Client while a second sqlite3 connection holds the write lock (BEGIN IMMEDIATE),
as a long import would. It prints what it saw as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# End to end: `headstart init` and the requests run in processes of their own.
pytestmark = pytest.mark.slow

SCENARIO = r"""
import datetime as dt, json, sqlite3, sys
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone
from headstart.apps.accounts.services import add_user, create_token
from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, verify
from headstart.apps.partners.models import Partner
from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner

setup_test_environment()
actor = Actor(name="test-setup")
partner = add_partner(PartnerInput("Example AV", "advanced", "security@example-av.example"), actor=actor)
admin = add_user("admin@example-av.example", actor=actor, partner=partner, role="admin")
staff = add_user("psirt@vendor.example", actor=actor, staff=True)
accept_nda(partner, admin, actor=actor)
advisory = create_advisory("HS-2026-0001", title="Heap overflow in the TIM parser", actor=actor,
                           patch_at=timezone.now() + dt.timedelta(hours=48),
                           artifacts=[ArtifactInput("writeup", "writeup.md", b"# Write-up\n")])
schedule_advisory(advisory, actor=actor)
api = Client(HTTP_AUTHORIZATION="Bearer " + create_token(admin, actor=actor)[1], raise_request_exception=False)
staff_api = Client(HTTP_AUTHORIZATION="Bearer " + create_token(staff, actor=actor)[1], raise_request_exception=False)
portal = Client(raise_request_exception=False)
portal.force_login(admin)
# A portal session has passed a second factor (accounts.second_factor; tests/mfa_helpers.py).
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from headstart.apps.accounts import second_factor
TOTP.activate(admin, generate_totp_secret())
session = portal.session
session[second_factor.SESSION_KEY] = admin.pk
session.save()
# Every client has been used once, so no first-use bookkeeping write is left for later.
assert api.get("/api/v1/advisories").status_code == 200
assert staff_api.get("/api/v1/tiers").status_code == 200
assert portal.get("/advisories/HS-2026-0001/").status_code == 200

def seen(response):
    return {"status": response.status_code, "type": response.get("Content-Type", ""),
            "retry_after": response.get("Retry-After"), "body": response.content.decode()}

events_before = AuditEvent.objects.count()
holder = sqlite3.connect(sys.argv[1], isolation_level=None)
holder.execute("BEGIN IMMEDIATE")  # the long write: nobody else may write until it ends
busy = {
    "api_list": seen(api.get("/api/v1/advisories")),
    "api_show": seen(api.get("/api/v1/advisories/HS-2026-0001")),
    "api_create_partner": seen(staff_api.post("/api/v1/partners", {"name": "Late Co", "tier": "entry"},
                                              content_type="application/json")),
    "portal_advisory": seen(portal.get("/advisories/HS-2026-0001/")),
}
holder.execute("ROLLBACK")
holder.close()
after = {
    "events_written_while_busy": AuditEvent.objects.count() - events_before,
    "late_partner_exists": Partner.objects.filter(name="Late Co").exists(),
    "audit_verify_ok": verify().ok,
    "api_list": seen(api.get("/api/v1/advisories")),
    "portal_advisory": seen(portal.get("/advisories/HS-2026-0001/")),
}
print(json.dumps({"busy": busy, "after": after}))
"""


@pytest.fixture(scope="module")
def outcome(tmp_path_factory) -> dict:  # type: ignore[type-arg]
    home = tmp_path_factory.mktemp("busy") / "home"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY")}
    env.update(HEADSTART_HOME=str(home), DJANGO_SETTINGS_MODULE="headstart.config.settings",
               PYTHONPATH=str(REPO / "src"), HEADSTART_DB_LOCK_WAIT_MS="200")
    init = subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", "init"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert init.returncode == 0, init.stderr
    run = subprocess.run([sys.executable, "-c", SCENARIO, str(home / "headstart.sqlite3")], env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("request_name", ["api_list", "api_show", "api_create_partner"])
def test_an_api_request_under_a_long_write_answers_503_json_with_retry_after(outcome, request_name):
    seen = outcome["busy"][request_name]

    assert seen["status"] == 503
    assert seen["type"].startswith("application/json")
    assert json.loads(seen["body"]) == {"detail": "the database is busy with another write; retry in a few seconds"}
    assert int(seen["retry_after"]) > 0


def test_a_portal_page_under_a_long_write_answers_a_plain_503_page(outcome):
    seen = outcome["busy"]["portal_advisory"]

    assert seen["status"] == 503
    assert seen["type"].startswith("text/plain")
    assert "busy" in seen["body"] and "Traceback" not in seen["body"]
    assert int(seen["retry_after"]) > 0


def test_nothing_was_half_written_while_the_database_was_busy(outcome):
    after = outcome["after"]

    assert after["events_written_while_busy"] == 0
    assert not after["late_partner_exists"]
    assert after["audit_verify_ok"]


def test_once_the_write_ends_the_same_requests_succeed(outcome):
    after = outcome["after"]

    assert after["api_list"]["status"] == 200 and "HS-2026-0001" in after["api_list"]["body"]
    assert after["portal_advisory"]["status"] == 200
