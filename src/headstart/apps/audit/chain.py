"""Hashing rules of the audit chain, shared by writing and verifying."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    body = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True, default=str)
    return hashlib.sha256((prev_hash + "\n" + body).encode()).hexdigest()


def event_fields(event: Any) -> dict[str, Any]:
    """The content an event's hash covers (everything but the hashes themselves)."""
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
