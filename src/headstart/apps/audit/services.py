"""Writing and verifying the audit log.

`record` must be called inside the transaction of the change it records, so the event
and the change commit (or roll back) together.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from headstart.apps.audit.chain import GENESIS, event_fields, event_hash
from headstart.apps.audit.models import AuditEvent, AuditHead


@dataclass(frozen=True)
class Actor:
    """Who did something: a user's e-mail (or 'cli', 'system'), their partner, their IP."""

    name: str
    partner: str = ""
    ip: str | None = None
    user_id: int | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls(name="cli")

    @classmethod
    def system(cls) -> Actor:
        return cls(name="system")


def record(actor: Actor, action: str, obj: Any = None, *, object_type: str = "", object_id: str = "",
           **details: Any) -> AuditEvent:
    """Append one event to the chain, in the caller's transaction (or its own), so the event and
    the change it records commit or roll back together."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(getattr(obj, "audit_id", obj.pk))
    event = AuditEvent(actor=actor.name, partner=actor.partner, action=action, object_type=object_type,
                       object_id=object_id, ip=actor.ip, details=_jsonable(details))
    with transaction.atomic(savepoint=False):
        # Locking the head serialises writers, so the chain never forks.
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event.seq = head.seq + 1
        event.at = timezone.now()
        event.prev_hash = head.hash
        event.hash = event_hash(event.prev_hash, event_fields(event))
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event


def _jsonable(value: Any) -> Any:
    """Details are stored as JSON and hashed; normalise them so the hash is stable after a round trip."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_broken_seq: int | None = None
    problem: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "first_broken_seq": self.first_broken_seq,
                "problem": self.problem}


def verify() -> VerifyResult:
    """Walk the chain from the start; report the first broken link."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    # Walk in primary-key order (insertion order), so swapped rows are caught even if their seq moved.
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if event.seq != expected_seq:
            return VerifyResult(False, count, expected_seq,
                                f"expected event #{expected_seq} here but found #{event.seq} (deleted or reordered)")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, count, event.seq,
                                f"event #{event.seq} does not link to the event before it (deleted or reordered)")
        if event_hash(event.prev_hash, event_fields(event)) != event.hash:
            return VerifyResult(False, count, event.seq, f"event #{event.seq} was edited: its content no longer matches its hash")
        prev_hash, expected_seq = event.hash, expected_seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != prev_hash:
        return VerifyResult(False, count, expected_seq,
                            f"the chain ends at #{expected_seq - 1} but the head records #{head_seq} (events removed from the end)")
    return VerifyResult(True, count)


