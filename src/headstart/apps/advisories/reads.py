"""Reads of confidential data: authorised by access.py, and each one written to the audit log."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.models import Advisory, Artifact
from headstart.apps.audit.services import Actor, record
from headstart.errors import HeadstartError


def list_advisories(user: User, *, actor: Actor, now: dt.datetime | None = None) -> list[Advisory]:
    advisories = list(access.visible_advisories(user, now))
    with transaction.atomic():
        record(actor, "advisory.list", object_type="advisory", object_id="*",
               advisories=[a.ident for a in advisories])
    return advisories


def view_advisory(user: User, ident: str, *, actor: Actor,
                  now: dt.datetime | None = None) -> tuple[Advisory, list[Artifact]]:
    try:
        advisory = access.get_visible_advisory(user, ident, now)
        artifacts = access.visible_artifacts(user, advisory, now)
    except HeadstartError as exc:
        refused(actor, "advisory.view", ident, exc)
        raise
    with transaction.atomic():
        record(actor, "advisory.view", advisory, artifacts=[a.audit_id for a in artifacts])
    return advisory, artifacts


def refused(actor: Actor, action: str, object_id: str, exc: HeadstartError) -> None:
    """Refusals are evidence too (probing for embargoed advisories): keep them in the chain."""
    with transaction.atomic():
        record(actor, action + ".refused", object_type="advisory", object_id=object_id, reason=exc.message)
