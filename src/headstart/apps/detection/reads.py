"""Reads of an advisory's generated detection rules (YARA for its binary PoCs, Suricata for its
network PoCs): authorised by access.py and written to the audit log."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from headstart.apps.accounts.models import User
from headstart.apps.advisories import access
from headstart.apps.advisories.reads import refused
from headstart.apps.audit.services import Actor, record
from headstart.apps.detection import rules as yara
from headstart.apps.detection import suricata
from headstart.errors import HeadstartError, NotFound

ACTION = "advisory.rules"
YARA = "yara"
SURICATA = "suricata"
ENGINES = (YARA, SURICATA)


def read_rules(user: User, ident: str, *, actor: Actor, now: dt.datetime | None = None, engine: str = YARA) -> str:
    """The rules for the PoCs the user may see, as one file: YARA rules for its binary PoCs, or
    with ``engine="suricata"`` Suricata rules for its network PoCs (pcap captures); NotFound when
    there are none."""
    if engine not in ENGINES:  # the faces validate it; a wrong value here is a programming error
        raise ValueError(f"unknown rule engine {engine!r}")
    try:
        advisory = access.get_visible_advisory(user, ident, now)
        artifacts = access.visible_artifacts(user, advisory, now)
        if engine == YARA:
            rules, gaps = yara.generate(advisory, artifacts)
            names, sources = [r.name for r in rules], [r.source for r in rules]
            text = yara.rules_file(advisory, rules, gaps)
            gap_sources = [g.source for g in gaps]
        else:
            found, missing = suricata.generate(advisory, artifacts)
            names, sources = [str(r.sid) for r in found], [r.source for r in found]
            text = suricata.rules_file(advisory, found, missing)
            gap_sources = [g.source for g in missing]
        if not names and not gap_sources:
            what = "binary proof-of-concept file" if engine == YARA else "network proof-of-concept capture (pcap)"
            raise NotFound(f"advisory {ident!r} has no {what} open to you")
    except HeadstartError as exc:
        refused(actor, ACTION, ident, exc)
        raise
    with transaction.atomic():
        record(actor, ACTION, advisory, engine=engine, rules=names, pocs=sources, gaps=gap_sources)
    return text
