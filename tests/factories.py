"""Factories shared by the Django-side tests (layer 3 and the faces).

tests/conftest.py loads this module as a plugin, so every test can use these fixtures.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from headstart.apps.audit.services import Actor

ACTOR = Actor(name="test:staff")


@pytest.fixture(scope="session", autouse=True)
def _isolated_home(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Keys, artifacts and static files of the tests live in a temporary HEADSTART_HOME.

    pytest-django imports the settings before any conftest runs, so setting the
    environment variable in a conftest comes too late; override what derives from it.
    """
    import copy

    from django.conf import settings
    from django.test import override_settings

    home = tmp_path_factory.mktemp("headstart-home")
    (home / "static").mkdir()
    storages = copy.deepcopy(settings.STORAGES)
    storages["default"]["OPTIONS"]["location"] = str(home / "artifacts")
    with override_settings(HOME=home, MEDIA_ROOT=home / "artifacts", STATIC_ROOT=home / "static",
                           HEADSTART_KEY_DIR=home / "keys", STORAGES=storages):
        yield home


@pytest.fixture
def program(db):  # type: ignore[no-untyped-def]
    from headstart.apps.program.services import initialise

    return initialise("Test program", actor=ACTOR).program


@pytest.fixture
def make_partner(program) -> Callable:  # type: ignore[no-untyped-def]
    from headstart.apps.accounts.services import add_user
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner

    def make(name: str, tier: str = "advanced", *, accept: bool = True, status: str = "active",  # type: ignore[no-untyped-def]
             pgp_cert: str = ""):
        partner = add_partner(PartnerInput(name, tier, f"security@{name.lower().replace(' ', '-')}.example", pgp_cert),
                              actor=ACTOR, status=status)
        # A stable marking identity (with the fixed test marking key of early_home.py) makes every
        # codeword, and so every probabilistic assertion, the same on every run and database.
        from headstart.apps.partners.models import Partner

        Partner.objects.filter(pk=partner.pk).update(uid=uuid.uuid5(uuid.NAMESPACE_URL, f"headstart-test/{name}"))
        partner.refresh_from_db()
        slug = name.lower().replace(" ", "-")
        admin = add_user(f"admin@{slug}.example", actor=ACTOR, partner=partner, role="admin")
        analyst = add_user(f"analyst@{slug}.example", actor=ACTOR, partner=partner, role="analyst")
        if accept:
            accept_nda(partner, admin, actor=ACTOR)
        return partner, admin, analyst

    return make


@pytest.fixture
def staff_user(program):  # type: ignore[no-untyped-def]
    from headstart.apps.accounts.services import add_user

    return add_user("psirt@vendor.example", actor=ACTOR, staff=True)


@pytest.fixture
def make_advisory(program) -> Callable:  # type: ignore[no-untyped-def]
    from headstart.apps.advisories.services import ArtifactInput, create_advisory, schedule_advisory

    def make(ident: str = "HS-2026-0001", *, patch_in: dt.timedelta = dt.timedelta(hours=48),  # type: ignore[no-untyped-def]
             schedule: bool = True, poc: bool = True, trigger_spec: bool = False):
        # Contents carry the identifier so that every advisory's artifacts have their own digests.
        items = [ArtifactInput("writeup", "writeup.md", f"# Write-up {ident}\n\nThe parser overflows.\n".encode()),
                 ArtifactInput("guidance", "guidance.md", f"# Guidance {ident}\n\nWatch event 1000.\n".encode())]
        if poc:
            items.append(ArtifactInput("poc-source", "poc.py", f"print('poc {ident}')\n".encode()))
        if trigger_spec:
            items.append(ArtifactInput("trigger-spec", "trigger.yaml", f"advisory: {ident}\n".encode()))
        advisory = create_advisory(ident, title=f"Test advisory {ident}", patch_at=timezone.now() + patch_in,
                                   artifacts=items, actor=ACTOR, cvss="CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H")
        if schedule:
            advisory = schedule_advisory(advisory, actor=ACTOR)
        return advisory

    return make


# --- OpenPGP material, made by GnuPG (an independent implementation) -----------------------

@dataclass(frozen=True)
class PgpMaterial:
    certificate: str  # usable: Ed25519 primary key with a Curve25519 encryption subkey
    fingerprint: str
    secret_key: str  # the same key's secret part, which a partner must never send
    expired_certificate: str  # made with a faked clock in 2020, expired a day later
    sign_only_certificate: str  # no encryption subkey: nothing can be encrypted to it


def _gpg(home: Path, *args: str, faked_time: str | None = None) -> str:
    command = ["gpg", "--homedir", str(home), "--batch", "--quiet", "--passphrase", "", "--pinentry-mode", "loopback"]
    if faked_time:
        command += ["--faked-system-time", faked_time]
    return subprocess.run(command + list(args), check=True, capture_output=True, text=True).stdout


def _gpg_key(home: Path, uid: str, expiry: str = "never", *, encrypt: bool = True,
             faked_time: str | None = None) -> str:
    _gpg(home, "--quick-gen-key", uid, "ed25519", "sign", expiry, faked_time=faked_time)
    fingerprint = next(line.split(":")[9] for line in _gpg(home, "--with-colons", "--list-keys", uid).splitlines()
                       if line.startswith("fpr:"))
    if encrypt:
        _gpg(home, "--quick-add-key", fingerprint, "cv25519", "encr", expiry, faked_time=faked_time)
    return fingerprint


@pytest.fixture(scope="session")
def pgp(tmp_path_factory) -> PgpMaterial:  # type: ignore[no-untyped-def]
    home = tmp_path_factory.mktemp("gnupg")
    home.chmod(0o700)
    try:
        fingerprint = _gpg_key(home, "Partner <security@partner.example>")
        _gpg_key(home, "Expired <expired@partner.example>", "1d", faked_time="20200101T000000")
        _gpg_key(home, "Signer <signer@partner.example>", encrypt=False)
        return PgpMaterial(
            certificate=_gpg(home, "--armor", "--export", "security@partner.example"),
            fingerprint=fingerprint,
            secret_key=_gpg(home, "--armor", "--export-secret-keys", "security@partner.example"),
            expired_certificate=_gpg(home, "--armor", "--export", "expired@partner.example"),
            sign_only_certificate=_gpg(home, "--armor", "--export", "signer@partner.example"),
        )
    finally:
        # Key generation starts a gpg-agent for this home directory only; stop exactly that one.
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)


@dataclass(frozen=True)
class PartnerKey:
    secret: str  # armored transferable secret key (the partner's, for decrypting in tests)
    certificate: str
    fingerprint: str


@pytest.fixture(scope="session")
def partner_key() -> Callable[[str], PartnerKey]:
    """A distinct usable key pair per partner name, made once per session (pysequoia)."""
    import pysequoia as pgp

    made: dict[str, PartnerKey] = {}

    def key(name: str) -> PartnerKey:
        if name not in made:
            tsk = pgp.Tsk.generate(user_id=f"{name} <security@{name.lower().replace(' ', '-')}.example>",
                                   profile=pgp.Profile.RFC4880)
            cert = tsk.extract_certificate()
            made[name] = PartnerKey(str(tsk), str(cert), str(cert.fingerprint).upper())
        return made[name]

    return key


# --- Looking at the whole database ----------------------------------------------------------

# Columns a read may legitimately touch (token bookkeeping); everything else must not change.
VOLATILE_COLUMNS = {("accounts_apitoken", "last_used_at"), ("accounts_user", "last_login")}


def database_state() -> dict[str, Any]:
    """Every row of every table (ordered), the audit chain length and the stored files.

    Two equal states mean nothing was added, removed or edited anywhere.
    """
    from django.conf import settings
    from django.db import connection

    from headstart.apps.audit.models import AuditHead

    state: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            kept = [c for c in columns if (table, c) not in VOLATILE_COLUMNS]
            quoted = ", ".join(connection.ops.quote_name(c) for c in kept)
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)}")
            state[table] = sorted(tuple(map(str, row)) for row in cursor.fetchall())
    head = AuditHead.objects.filter(pk=1).first()
    state["audit chain length"] = head.seq if head else 0
    media = Path(settings.MEDIA_ROOT)
    state["stored files"] = sorted(str(p.relative_to(media)) for p in media.rglob("*")) if media.exists() else []
    return state


def database_text() -> str:
    """Every value stored in the database, as one string (to search for secrets)."""
    state = database_state()
    return "\n".join(" ".join(row) for table, rows in state.items() if isinstance(rows, list) for row in rows)


@pytest.fixture
def snapshot() -> Callable[[], dict[str, Any]]:
    return database_state


@pytest.fixture
def stored_text() -> Callable[[], str]:
    return database_text


@pytest.fixture
def audit_triggers_dropped(db) -> None:  # type: ignore[no-untyped-def]
    """Drop the append-only triggers, as an attacker with database-owner rights could.

    The test's transaction is rolled back afterwards, and with it the DROP.
    """
    from django.db import connection

    statements = {
        "sqlite": ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"],
        "postgresql": ["DROP TRIGGER audit_event_append_only ON audit_auditevent"],
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# --- The command line, in-process (so it uses the test database) -----------------------------

@dataclass(frozen=True)
class CliResult:
    code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys) -> Callable[..., CliResult]:  # type: ignore[no-untyped-def]
    from headstart.faces.cli.main import main

    def run(*argv: str) -> CliResult:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


# --- The API ------------------------------------------------------------------------------------

@pytest.fixture
def token_for(program) -> Callable:  # type: ignore[no-untyped-def]
    """A fresh API token for a user (the text, as `token create` shows it once)."""
    from headstart.apps.accounts.services import create_token

    def issue(user) -> str:  # type: ignore[no-untyped-def]
        return create_token(user, actor=ACTOR)[1]

    return issue


@pytest.fixture
def api_client(token_for) -> Callable:  # type: ignore[no-untyped-def]
    """A django.test.Client that sends `Authorization: Bearer TOKEN` for the user (none: anonymous)."""
    from django.test import Client

    def make(user=None, **defaults):  # type: ignore[no-untyped-def]
        if user is not None:
            defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_for(user)}"
        return Client(**defaults)

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    """The API throttles per caller in the cache; tests reuse the same e-mail addresses."""
    from django.core.cache import cache

    cache.clear()
    yield



@contextlib.contextmanager
def fresh_database_url(prefix: str) -> Iterator[str | None]:
    """For tests that start headstart in another process: None (that process uses SQLite under
    its own home), or a fresh database on the suite's PostgreSQL server, dropped afterwards."""
    server = os.environ.get("DATABASE_URL")
    if not server:
        yield None
        return
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
