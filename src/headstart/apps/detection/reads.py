"""Reads of an advisory's YARA rules: authorised by access.py and written to the audit log."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.detection.rules import generate, rules_file
from headstart.errors import HeadstartError, NotFound

ACTION = "advisory.rules"


def read_rules(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None) -> str:
    """The YARA rules for the binary PoCs the user may see, as one file; NotFound when there are none."""
    try:
        advisory = access.get_visible_advisory(user, ident, now)
        artifacts = access.visible_artifacts(user, advisory, now)
        rules, gaps = generate(advisory, artifacts)
        if not rules and not gaps:
            raise NotFound(f"advisory {ident!r} has no binary proof-of-concept file open to you")
    except HeadstartError as exc:
        refused(actor, ACTION, ident, exc)
        raise
    text = rules_file(advisory, rules, gaps)
    with transaction.atomic():
        record(actor, ACTION, advisory, rules=[r.name for r in rules], pocs=[r.source for r in rules],
               gaps=[g.source for g in gaps])
    return text
