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

from headstart.apps import plain_sql
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
    def cli(cls) -> "Actor":
        return cls(name="cli")

    @classmethod
    def system(cls) -> "Actor":
        return cls(name="system")


def record(actor: Actor, action: str, obj: Any = None, *, object_type: str = "", object_id: str = "",
           **details: Any) -> AuditEvent:
    """Append one event to the chain. Needs (and joins) the caller's transaction."""
    return append(prepare_event(actor, action, obj, object_type=object_type, object_id=object_id, **details))


def prepare_event(actor: Actor, action: str, obj: Any = None, *, object_type: str = "", object_id: str = "",
                  **details: Any) -> AuditEvent:
    """An event not yet in the chain: what ``record`` appends. Made outside a write
    transaction, it keeps the work that needs no lock out of the writers' queue."""
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or str(getattr(obj, "audit_id", obj.pk))
    return AuditEvent(actor=actor.name, partner=actor.partner, action=action, object_type=object_type,
                      object_id=object_id, ip=actor.ip, details=_jsonable(details))


def append(event: AuditEvent) -> AuditEvent:
    """Chain a prepared event after the head, time it now and store it, in the caller's
    transaction (or its own)."""
    # No savepoint: the event belongs to the caller's transaction (or starts its own).
    with transaction.atomic(savepoint=False):
        # Every request writes an event, so this runs as plain SQL (see plain_sql): lock the
        # head, insert the event, move the head.
        head = plain_sql.first(AuditHead, "id = 1", [], for_update=True)
        if head is None:  # the first event ever
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event.seq = head.seq + 1
        event.at = timezone.now()
        event.prev_hash = head.hash
        event.hash = event_hash(event.prev_hash, event_fields(event))
        plain_sql.insert(event)
        plain_sql.update(AuditHead, head.pk, seq=event.seq, hash=event.hash)
    return event


_EVENT_FIELDS = ("seq", "at", "actor", "partner", "action", "object_type", "object_id", "ip", "details",
                 "prev_hash", "hash")


def append_many(events: list[AuditEvent]) -> None:
    """Chain prepared events after the head in the order given, in the caller's transaction.

    An event that already has its time (``at``) keeps it: a delivery folded from the journal
    (delivery.journal) is timed when it was served. Primary keys are not read back."""
    if not events:
        return
    with transaction.atomic(savepoint=False):
        head = plain_sql.first(AuditHead, "id = 1", [], for_update=True)
        if head is None:
            head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, prev_hash, now = head.seq, head.hash, timezone.now()
        rows = []
        for event in events:
            seq += 1
            event.seq, event.prev_hash = seq, prev_hash
            event.at = event.at or now
            event.hash = prev_hash = event_hash(event.prev_hash, event_fields(event))
            rows.append([getattr(event, name) for name in _EVENT_FIELDS])
        for start in range(0, len(rows), 500):  # 11 parameters a row, under SQLite's limit
            plain_sql.insert_rows(AuditEvent, _EVENT_FIELDS, rows[start:start + 500])
        plain_sql.update(AuditHead, head.pk, seq=seq, hash=prev_hash)


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


def fold_pending() -> int:
    """Bring in the downloads still waiting in the delivery journal (delivery.journal), so a
    reader of the audit log or of the copies sees every one; returns how many."""
    from headstart.apps.delivery.journal import fold_all  # delivery builds on audit, not the reverse

    return fold_all()


def verify() -> VerifyResult:
    """Walk the chain from the start; report the first broken link."""
    fold_pending()
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


