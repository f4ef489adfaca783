"""Reading the audit log: the events about one partner.

Events name a partner in several ways, depending on who acted and on what:

- as the object: ``partner.add``, ``partner.suspend``, ``notification.cancel`` (object_type
  ``partner``, object_id its name);
- as the actor's partner: whatever its users did (downloads, sign-ins, NDA acceptance
  through the portal or API, refusals);
- as one of its users, the object: ``token.create``, ``user.passwd``, ``token.revoke``;
- in the details: ``partner_name`` (``user.add``, ``nda.accept`` from the CLI,
  ``copy.export``, notifications), and ``partner`` inside lists such as the
  ``skipped`` partners of ``package.prepare``.

The first four are exact conditions in one query. A name inside a list cannot be matched
exactly by a query on every database (SQLite has no JSON containment), so the query also
takes the events whose details merely contain the name as text, and `events_about_partner`
keeps the ones that really name the partner there: a check of the few candidates, never a
scan of the whole log.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from headstart.apps.audit.models import AuditEvent

# Detail keys whose string value is a partner's name, at any depth of the details.
PARTNER_KEYS = frozenset({"partner", "partner_name"})


def about_partner(name: str) -> Q:
    """Events that may name the partner: the exact conditions, plus text candidates that
    `events_about_partner` checks."""
    users = get_user_model().objects.filter(partner__name=name).values("email")
    exact = (Q(object_type="partner", object_id=name) | Q(partner=name) | Q(details__partner_name=name)
             | Q(object_type="user", object_id__in=users))
    # JSON text escapes non-ASCII on some databases and not on others: look for both spellings.
    escaped = json.dumps(name)[1:-1]
    return exact | Q(details__icontains=name) | Q(details__icontains=escaped)


def events_about_partner(qs: QuerySet[AuditEvent], name: str) -> Iterator[AuditEvent]:
    """The events of ``qs`` (in its order) about the partner, read in chunks."""
    users = set(get_user_model().objects.filter(partner__name=name).values_list("email", flat=True))
    for event in qs.filter(about_partner(name)).iterator(chunk_size=500):
        if (event.partner == name or (event.object_type == "partner" and event.object_id == name)
                or (event.object_type == "user" and event.object_id in users) or _names(event.details, name)):
            yield event


def _names(value: Any, name: str, key: str = "") -> bool:
    if isinstance(value, dict):
        return any(_names(v, name, str(k)) for k, v in value.items())
    if isinstance(value, list):
        return any(_names(v, name, key) for v in value)
    return key in PARTNER_KEYS and value == name
