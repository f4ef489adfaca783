"""Hashing rules of the audit chain, shared by writing and verifying.

Two chain formats, recorded per event in ``AuditEvent.chain``:

- ``LEGACY`` (1): SHA-256 over the previous hash and the event's fields. Only events written
  before the audit key existed have it; they still verify, but anyone could recompute them.
- ``KEYED`` (2): HMAC-SHA256, under the audit key (keys.py), over a domain tag, the previous
  hash and the event's fields. Every event written since the key exists has it.

Why a downgrade cannot pass: `verify` accepts legacy events only as a prefix of the chain
(no legacy event may follow a keyed one), and when an audit key is on hand it requires the
chain, if not empty, to hold at least one keyed event (`headstart init` seals an existing
legacy chain with a keyed event right after creating the key). So to turn a keyed event
back into the forgeable form an attacker would have to downgrade every keyed event, leaving
an all-legacy chain next to a key, which fails. The tag in the HMAC input binds the format,
so a keyed hash is never valid as a legacy one or the reverse.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

GENESIS = "0" * 64
LEGACY = 1
KEYED = 2
_KEYED_TAG = b"headstart-audit/2\n"


def _body(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    """The legacy, unkeyed hash (chain format 1)."""
    return hashlib.sha256((prev_hash + "\n" + _body(fields)).encode()).hexdigest()


def keyed_event_hash(key: bytes, prev_hash: str, fields: dict[str, Any]) -> str:
    """The keyed hash (chain format 2): HMAC-SHA256 under the audit key."""
    return hmac.new(key, _KEYED_TAG + (prev_hash + "\n" + _body(fields)).encode(), hashlib.sha256).hexdigest()


def event_fields(event: Any) -> dict[str, Any]:
    """The content an event's hash covers (everything but the hashes and the format itself)."""
    return {
        "seq": int(event.seq),
        "at": event.at.isoformat(timespec="microseconds"),
        "actor": event.actor,
        "partner": event.partner,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "ip": event.ip,
        "details": event.details,
    }


def expected_hash(event: Any, key: bytes | None) -> str | None:
    """What ``event``'s hash must be under its own chain format; None if it cannot be computed
    (a keyed event without the key, or an unknown format)."""
    if event.chain == LEGACY:
        return event_hash(event.prev_hash, event_fields(event))
    if event.chain == KEYED and key is not None:
        return keyed_event_hash(key, event.prev_hash, event_fields(event))
    return None
