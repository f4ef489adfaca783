"""headstart init: create or migrate the database; create the program keys once."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit, progress


def register(sub: Subparsers) -> None:
    p = sub.add_parser("init", help="create or migrate the database; create program keys once")
    p.add_argument("--name", default="Headstart pre-disclosure program", help="the program's name (first run only)")
    add_json(p)
    p.set_defaults(handler=run)


def _tighten_database_files() -> None:
    """An SQLite database made before homes were private may be readable by others: make it
    (and its -wal and -shm files, which SQLite creates with the database's mode) 0600."""
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        name = Path(str(database["NAME"]))
        for path in name.parent.glob(f"{name.name}*"):
            path.chmod(0o600)


def run(args: argparse.Namespace) -> int:
    from headstart.apps.audit.keys import audit_key_path
    from headstart.apps.program.keys import ensure_secret_key_file, marking_key_path, signing_key_path
    from headstart.apps.program.services import initialise

    settings.HOME.mkdir(mode=0o700, parents=True, exist_ok=True)
    ensure_secret_key_file()
    progress(f"Migrating the database ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})...")
    call_command("migrate", interactive=False, verbosity=0, stdout=io.StringIO())
    _tighten_database_files()
    result = initialise(args.name, actor=cli_actor())
    data = {
        "program": result.program.name, "created": result.created, "home": str(settings.HOME),
        "marking_key": "HEADSTART_MARKING_KEY" if settings.HEADSTART_MARKING_KEY else str(marking_key_path()),
        "marking_key_id": result.program.marking_key_id,
        "signing_key": str(signing_key_path()), "signing_fingerprint": result.program.signing_fingerprint,
        "audit_key": "HEADSTART_AUDIT_KEY" if settings.HEADSTART_AUDIT_KEY else str(audit_key_path()),
        "tiers_created": result.created_tiers, "nda_published": result.nda_version,
    }

    def text() -> str:
        lines = [f"{'Created' if result.created else 'Already set up:'} program {result.program.name!r} in {settings.HOME}",
                 f"  marking key:  {data['marking_key']} (id {data['marking_key_id']})",
                 f"  signing key:  {data['signing_key']} (fingerprint {data['signing_fingerprint']})",
                 f"  audit key:    {data['audit_key']}"]
        if result.created_tiers:
            lines.append(f"  tiers:        {', '.join(result.created_tiers)}")
        if result.nda_version:
            lines.append(f"  NDA:          version {result.nda_version} published")
        lines.append("Keep the key files secret and backed up: without the marking key, leaks cannot be attributed; "
                     "without the audit key, the audit log cannot be verified.")
        return "\n".join(lines)

    emit(args, data, text)
    return 0
