"""Who may call which API endpoint, on whose data, and when: one table, every route.

Rows are the API's routes (read from the api object, so a new endpoint without a row fails
the suite); columns are the callers; each path parameter is tried on the caller's own and
another partner, and on advisories before their window, in it, after the patch, and drafts.
Every response is also searched for data the caller must not see: another partner's
records, anything outside the window, and artifact kinds its tier is not entitled to.
Each request runs in a transaction that is rolled back, so all cases see the same world.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from headstart.apps.advisories.models import Advisory
from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory
from headstart.apps.audit.services import Actor
from headstart.apps.delivery.services import schedule as schedule_with_commitment
from headstart.apps.partners.services import get_partner, set_status
from headstart.faces.api.app import api
from headstart.samples import SAMPLE_DIR

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")

STAFF = "staff"
ADMIN = "partner admin"
ANALYST = "partner analyst"
ENTRY = "entry-tier analyst"
ANONYMOUS = "anonymous"
SUSPENDED = "suspended partner's user"
EXPELLED = "expelled partner's user"
NO_NDA = "partner without the current NDA"
ROLES = [STAFF, ADMIN, ANALYST, ENTRY, ANONYMOUS, SUSPENDED, EXPELLED, NO_NDA]
LOCKED_OUT = {ANONYMOUS, SUSPENDED, EXPELLED}
SEES_OPEN_ADVISORIES = {ADMIN, ANALYST, ENTRY}

# Advisories by time: before every tier's window, inside every tier's window, after the
# patch (public), and a draft that was never scheduled.
TIMES = ["future", "open", "public", "draft"]
PARTNER_TARGETS = ["own", "other"]


# --- the table ---------------------------------------------------------------------------------

def everyone(role: str, target: str | None) -> int:
    return 200


def staff_only(ok: int) -> Callable[[str, str | None], int]:
    def expect(role: str, target: str | None) -> int:
        return ok if role == STAFF else 403

    return expect


def own_partner_only(role: str, target: str | None) -> int:
    return 200 if role == STAFF or target == "own" else 404


def open_advisories_only(role: str, target: str | None) -> int:
    if role == STAFF:
        return 200
    return 200 if role in SEES_OPEN_ADVISORIES and target in ("open", "public") else 404


def admins_accept_the_nda(role: str, target: str | None) -> int:
    return 200 if role in (ADMIN, NO_NDA) else 403


def staff_schedule_drafts(role: str, target: str | None) -> int:
    if role != STAFF:
        return 403
    return 200 if target == "draft" else 400  # only a draft can be scheduled


def staff_withdraw_before_the_patch(role: str, target: str | None) -> int:
    if role != STAFF:
        return 403
    return 400 if target == "public" else 200  # a public advisory cannot be withdrawn


def partners_download_open_packages(role: str, target: str | None) -> int:
    if role == STAFF:
        return 403  # staff export copies with the CLI; packages are for partners
    return open_advisories_only(role, target)


def csaf_needs_a_product(role: str, target: str | None) -> int:
    """As the advisory itself; the table's advisories name no product, which a CSAF security
    advisory needs, so a caller who may see one is told that (tests/faces/api/test_csaf_api.py
    gets the documents)."""
    seen = open_advisories_only(role, target)
    return 409 if seen == 200 else seen


def rules_for_poc_tiers(role: str, target: str | None) -> int:
    """As the advisory itself, but only a tier entitled to the binary PoC gets its YARA rules."""
    seen = open_advisories_only(role, target)
    return 404 if role == ENTRY and seen == 200 else seen


def partners_test_rules_on_poc_tiers(role: str, target: str | None) -> int:
    """Only a partner entitled to the binary PoC tests its rules (staff have no copies); the test
    is queued for the worker (202: no worker runs inside the test)."""
    if role == STAFF:
        return 403
    code = rules_for_poc_tiers(role, target)
    return 202 if code == 200 else code


def partners_ask(role: str, target: str | None) -> int:
    """A partner's user asks about an advisory it may see; staff answer a named partner's thread
    (the table's body names none: 400)."""
    if role == STAFF:
        return 400
    code = open_advisories_only(role, target)
    return 201 if code == 200 else code


def staff_find_no_investigation(role: str, target: str | None) -> int:
    return 404 if role == STAFF else 403  # the table's path values name no investigation


EXPECTED: dict[tuple[str, str], Callable[[str, str | None], int]] = {
    ("GET", "/me"): everyone,
    ("GET", "/nda"): everyone,
    ("POST", "/nda/accept"): admins_accept_the_nda,
    ("GET", "/partners"): everyone,
    ("GET", "/partners/{name}"): own_partner_only,
    ("POST", "/partners"): staff_only(201),
    ("POST", "/partners/{name}/suspend"): staff_only(200),
    ("POST", "/partners/{name}/expel"): staff_only(200),
    ("POST", "/partners/{name}/reinstate"): staff_only(400),  # both targets are active: nothing to lift
    ("GET", "/tiers"): staff_only(200),
    ("POST", "/tiers"): staff_only(201),
    ("GET", "/advisories"): everyone,
    ("POST", "/advisories"): staff_only(201),
    ("GET", "/advisories/{ident}"): open_advisories_only,
    ("GET", "/advisories/{ident}/artifacts"): open_advisories_only,
    ("POST", "/advisories/{ident}/schedule"): staff_schedule_drafts,
    ("POST", "/advisories/{ident}/withdraw"): staff_withdraw_before_the_patch,
    ("GET", "/advisories/{ident}/package"): partners_download_open_packages,
    ("GET", "/advisories/{ident}/rules"): rules_for_poc_tiers,
    ("GET", "/advisories/{ident}/csaf"): csaf_needs_a_product,
    ("GET", "/advisories/{ident}/stix"): open_advisories_only,
    ("GET", "/advisories/{ident}/readiness"): rules_for_poc_tiers,
    ("POST", "/advisories/{ident}/readiness"): partners_test_rules_on_poc_tiers,
    ("GET", "/advisories/{ident}/questions"): open_advisories_only,
    ("POST", "/advisories/{ident}/questions"): partners_ask,
    ("GET", "/program"): everyone,
    ("GET", "/audit"): staff_only(200),
    ("GET", "/audit/verify"): staff_only(200),
    ("POST", "/investigations"): staff_only(201),
    ("GET", "/investigations/{investigation}"): staff_find_no_investigation,
    ("GET", "/investigations/{investigation}/report"): staff_find_no_investigation,
}


def request_body(method: str, path: str) -> dict[str, Any]:
    """Arguments for Client.generic-style calls that make the staff case succeed."""
    if (method, path) == ("POST", "/partners"):
        return {"data": json.dumps({"name": "Newcomer Org", "tier": "entry"}), "content_type": "application/json"}
    if path.endswith(("/suspend", "/expel", "/reinstate", "/withdraw")):
        return {"data": json.dumps({"reason": "authorisation table"}), "content_type": "application/json"}
    if (method, path) == ("POST", "/tiers"):
        return {"data": json.dumps({"name": "gold", "lead_time": "48h", "entitlements": ["writeup"]}),
                "content_type": "application/json"}
    if (method, path) == ("POST", "/investigations"):
        return {"data": {"text": "a note about nothing"}}
    if (method, path) == ("POST", "/advisories/{ident}/questions"):
        return {"data": json.dumps({"body": "Which versions are affected?"}), "content_type": "application/json"}
    if (method, path) == ("POST", "/advisories/{ident}/readiness"):
        return {"data": {"rules": SimpleUploadedFile("mine.yar", b"rule nothing { condition: false }")}}
    if (method, path) == ("POST", "/advisories"):
        patch_at = (timezone.now() + dt.timedelta(days=3)).isoformat()
        return {"data": {"id": "HS-2026-0100", "title": "Created through the table", "patch_at": patch_at,
                         "writeup": SimpleUploadedFile("table-writeup.md", b"# Table\n")}}
    return {}


def api_routes() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="")
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


def test_every_api_route_has_a_row_in_the_table():
    assert api_routes() == set(EXPECTED), "add the new route to EXPECTED (and think about who may call it)"


# --- the world -----------------------------------------------------------------------------------

@dataclass
class World:
    callers: dict[str, Any]
    tokens: dict[str, str]
    own_partner: dict[str, str]
    advisories: dict[str, Advisory]
    partner_secrets: dict[str, list[str]] = field(default_factory=dict)  # partner -> strings only it may see
    advisory_secrets: dict[str, list[str]] = field(default_factory=dict)  # time -> strings of that advisory
    poc_secrets: list[str] = field(default_factory=list)  # names of poc / trigger-spec artifacts


SAMPLE = yaml.safe_load((SAMPLE_DIR / "advisory.yaml").read_text())
PATCH_IN = {"future": dt.timedelta(hours=100), "open": dt.timedelta(hours=12), "public": dt.timedelta(hours=1),
            "draft": dt.timedelta(hours=12)}
POC_KINDS = ("poc-source", "poc-binary", "trigger-spec")


def _artifacts(time: str) -> list[ArtifactInput]:
    """Advisories partners may receive are made of the sample's real files (they can be marked);
    the one before its window gets made-up files. Names carry the time, so each is unique."""
    if time == "future":
        return [ArtifactInput(kind, f"future-{kind}{suffix}", f"future {kind} content\n".encode())
                for kind, suffix in (("writeup", ".md"), ("guidance", ".md"), ("poc-source", ".py"),
                                     ("poc-binary", ".bin"), ("trigger-spec", ".yaml"))]
    return [ArtifactInput(a["kind"], f"{time}-{a['file']}", (SAMPLE_DIR / a["file"]).read_bytes())
            for a in SAMPLE["artifacts"]]


def _advisory(time: str, number: int) -> tuple[Advisory, list[str], list[str]]:
    title = f"{time.capitalize()} embargoed overflow"
    cve = f"CVE-2026-{10000 + number}"
    items = _artifacts(time)
    advisory = create_advisory(f"HS-2026-{number:04d}", title=title, cve=cve, patch_at=timezone.now() + PATCH_IN[time],
                               artifacts=items, actor=ACTOR, cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
    if time == "future":
        advisory = schedule_advisory(advisory, actor=ACTOR)  # made-up files: nothing to deliver, only to hide
    elif time != "draft":
        schedule_with_commitment(advisory, actor=ACTOR)  # as staff schedule: checks and codebook commitment
        advisory.refresh_from_db()
    if time == "public":
        # Time passes: the patch came out an hour ago. The embargo is judged at read time.
        Advisory.objects.filter(pk=advisory.pk).update(patch_at=timezone.now() - dt.timedelta(hours=1))
        advisory.refresh_from_db()
    everything = [title, cve] + [item.name for item in items]
    if time == "future":
        everything += [hashlib.sha256(item.content).hexdigest() for item in items]
    poc = [item.name for item in items if item.kind in POC_KINDS]
    return advisory, everything, poc


@pytest.fixture
def world(make_partner, staff_user, token_for, partner_key) -> World:  # type: ignore[no-untyped-def]
    def member(name: str, tier: str = "advanced", **options):  # type: ignore[no-untyped-def]
        return make_partner(name, tier, pgp_cert=partner_key(name).certificate, **options)

    own, own_admin, own_analyst = member("Own Co")
    entry, _entry_admin, entry_analyst = member("Entry Co", "entry")
    other, _other_admin, _other_analyst = member("Other Co")
    suspended, suspended_admin, _ = member("Suspended Co")
    expelled, expelled_admin, _ = member("Expelled Co")
    unsigned, unsigned_admin, _ = member("Unsigned Co", accept=False)
    callers = {STAFF: staff_user, ADMIN: own_admin, ANALYST: own_analyst, ENTRY: entry_analyst, ANONYMOUS: None,
               SUSPENDED: suspended_admin, EXPELLED: expelled_admin, NO_NDA: unsigned_admin}
    # Tokens are issued while every partner is active; the status changes come afterwards.
    tokens = {role: token_for(user) for role, user in callers.items() if user is not None}
    set_status(suspended, "suspended", reason="late payment", actor=ACTOR)
    set_status(expelled, "expelled", reason="leaked HS-2025-0009", actor=ACTOR)
    own_partner = {STAFF: "Own Co", ANONYMOUS: "Own Co", ADMIN: "Own Co", ANALYST: "Own Co", ENTRY: "Entry Co",
                   SUSPENDED: "Suspended Co", EXPELLED: "Expelled Co", NO_NDA: "Unsigned Co"}
    world = World(callers=callers, tokens=tokens, own_partner=own_partner, advisories={})
    for partner in (own, entry, other, suspended, expelled, unsigned):
        partner = get_partner(partner.name)
        world.partner_secrets[partner.name] = [partner.name, partner.email] + \
            [u.email for u in partner.users.all()] + ([partner.pgp_fingerprint] if partner.pgp_fingerprint else [])
    for number, time in enumerate(TIMES, start=1):
        advisory, everything, poc = _advisory(time, number)
        world.advisories[time] = advisory
        world.advisory_secrets[time] = everything
        world.poc_secrets += poc
    return world


# --- running the table -----------------------------------------------------------------------------

def targets_of(path: str) -> list[str | None]:
    if "{name}" in path:
        return list(PARTNER_TARGETS)
    if "{ident}" in path:
        return list(TIMES)
    return [None]


def url_for(world: World, role: str, path: str, target: str | None) -> str:
    if target in PARTNER_TARGETS:
        name = world.own_partner[role] if target == "own" else "Other Co"
        path = path.replace("{name}", name)
    elif target in TIMES:
        path = path.replace("{ident}", world.advisories[target].ident)
    return "/api/v1" + path


def forbidden_strings(world: World, role: str) -> list[str]:
    """What this caller must never find in a response."""
    if role == STAFF:
        return []
    mine = None if role in LOCKED_OUT else world.own_partner[role]
    strings = [s for partner, secrets in world.partner_secrets.items() if partner != mine for s in secrets]
    visible_times = {"open", "public"} if role in SEES_OPEN_ADVISORIES else set()
    strings += [s for time, secrets in world.advisory_secrets.items() if time not in visible_times for s in secrets]
    if role == ENTRY:
        strings += world.poc_secrets
    return strings


def call(client: Client, method: str, url: str, body: dict[str, Any]):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        response = client.post(url, **body) if method == "POST" else client.get(url)
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("role", ROLES)
def test_each_caller_gets_exactly_what_the_table_allows(world, role, settings):
    # Every request of the table with one refused token: not the refusal throttle's business here
    # (tests/faces/api/test_no_store_and_token_throttle.py tests that).
    settings.HEADSTART_TOKEN_REFUSAL_LIMIT = 1_000_000
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}") if role in world.tokens else Client()
    wrong: list[str] = []
    leaks: list[str] = []
    for (method, path), expect in EXPECTED.items():
        for target in targets_of(path):
            url = url_for(world, role, path, target)
            body = request_body(method, path)
            wanted = 401 if role in LOCKED_OUT else expect(role, target)
            response = call(client, method, url, body)
            case = f"{method} {url} [{target or '-'}]"
            if response.status_code != wanted:
                wrong.append(f"{case}: expected {wanted}, got {response.status_code} {response.getvalue()[:120]!r}")
            if response.status_code >= 400:
                detail = response.json().get("detail")
                if not isinstance(detail, str) or not detail or "\n" in detail:
                    wrong.append(f"{case}: a refusal needs a one-line JSON detail, got {response.getvalue()[:120]!r}")
            text = response.getvalue().decode(errors="replace")
            echoed = url + json.dumps(body.get("data", ""), default=str)
            leaks += [f"{case}: {s!r}" for s in forbidden_strings(world, role) if s in text and s not in echoed]
    assert wrong == []
    assert leaks == [], f"{role} saw data it must not see"


# --- what the lists contain ---------------------------------------------------------------------------

@pytest.mark.parametrize("role, expected", [
    (STAFF, {"future", "open", "public", "draft"}),
    (ADMIN, {"open", "public"}),
    (ANALYST, {"open", "public"}),
    (ENTRY, {"open", "public"}),
    (NO_NDA, set()),
])
def test_advisory_list_holds_exactly_the_advisories_open_to_the_caller(world, role, expected):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    listed = {a["id"] for a in client.get("/api/v1/advisories").json()}
    assert listed == {world.advisories[t].ident for t in expected}


@pytest.mark.parametrize("role, kinds", [
    (STAFF, {"writeup", "guidance", "poc-source", "poc-binary", "trigger-spec"}),
    (ADMIN, {"writeup", "guidance", "poc-source", "poc-binary", "trigger-spec"}),
    (ENTRY, {"writeup", "guidance"}),
])
def test_artifact_metadata_follows_the_tier_entitlements(world, role, kinds):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    ident = world.advisories["open"].ident
    listed = client.get(f"/api/v1/advisories/{ident}/artifacts").json()
    shown = client.get(f"/api/v1/advisories/{ident}").json()["artifacts"]
    assert {a["kind"] for a in listed} == kinds
    assert shown == listed


@pytest.mark.parametrize("role", [ADMIN, ANALYST, ENTRY, NO_NDA])
def test_partner_list_holds_only_the_callers_own_partner(world, role):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    assert [p["name"] for p in client.get("/api/v1/partners").json()] == [world.own_partner[role]]


def test_staff_list_every_partner_whatever_its_status(world):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[STAFF]}")
    statuses = {p["name"]: p["status"] for p in client.get("/api/v1/partners").json()}
    assert statuses == {"Own Co": "active", "Entry Co": "active", "Other Co": "active",
                        "Suspended Co": "suspended", "Expelled Co": "expelled", "Unsigned Co": "active"}


def test_window_opening_shown_to_a_partner_is_its_own_tiers(world):
    ident = world.advisories["open"].ident
    patch_at = world.advisories["open"].patch_at
    for role, lead in ((ADMIN, dt.timedelta(hours=72)), (ENTRY, dt.timedelta(hours=24))):
        shown = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}").get(f"/api/v1/advisories/{ident}").json()
        # JSON carries milliseconds; the stored time has microseconds.
        assert abs(dt.datetime.fromisoformat(shown["window_opens_at"]) - (patch_at - lead)) < dt.timedelta(milliseconds=1)


@pytest.mark.parametrize("role, owner, has_poc", [(ENTRY, "Entry Co", False), (ANALYST, "Own Co", True)])
def test_a_package_holds_only_the_kinds_the_tier_is_entitled_to(world, partner_key, role, owner, has_poc):
    import io
    import tarfile

    import pysequoia as pgp

    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}")
    response = client.get(f"/api/v1/advisories/{world.advisories['open'].ident}/package")
    assert response.status_code == 200
    secret = pgp.Tsk.from_bytes(partner_key(owner).secret.encode())
    plain = pgp.decrypt(response.getvalue(), decryptor=secret.decryptor()).bytes
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        names = [member.name.rsplit("/", 1)[-1] for member in tar.getmembers() if member.isfile()]
    assert "open-writeup.md" in names and "open-guidance.md" in names
    shipped_poc = [n for n in names if "poc" in n or "tim" in n]
    assert bool(shipped_poc) is has_poc, names
