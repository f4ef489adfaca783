"""Writing and verifying the audit log.

`record` must be called inside the transaction of the change it records, so the event
and the change commit (or roll back) together. Every event it writes is keyed: its hash is
an HMAC under the audit key (keys.py), which is required; see chain.py for the two chain
formats and why an event cannot be downgraded to the unkeyed one. `verify` walks the chain;
the signed checkpoints it is also checked against live in headstart.apps.program.checkpoints.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from headstart.apps.audit.chain import GENESIS, KEYED, LEGACY, event_fields, expected_hash, keyed_event_hash
from headstart.apps.audit.keys import audit_key, audit_key_or_none
from headstart.apps.audit.models import AuditEvent, AuditHead

HEAD_ID = 1  # the head's one row


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
    key = audit_key()
    event = AuditEvent(actor=actor.name, partner=actor.partner, action=action, object_type=object_type,
                       object_id=object_id, ip=actor.ip, details=_jsonable(details), chain=KEYED)
    with transaction.atomic(savepoint=False):
        # Locking the head serialises writers, so the chain never forks.
        seq, prev_hash = _lock_head()
        event.seq = seq + 1
        event.at = timezone.now()
        event.prev_hash = prev_hash
        event.hash = keyed_event_hash(key, event.prev_hash, event_fields(event))
        event.save(force_insert=True)
        _move_head(event.seq, event.hash)
    return event


# The head is read and moved in plain SQL: every writer waits for the lock these statements run
# under (on SQLite, the database's one write lock), and building the ORM's query for them took
# ten times as long as running it.

def _head_sql() -> tuple[str, str]:
    """SELECT (locking the row where the database can) and UPDATE of the head row."""
    quote = connection.ops.quote_name  # the model's columns carry their fields' names
    table, pk, seq, digest = quote(AuditHead._meta.db_table), quote("id"), quote("seq"), quote("hash")
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (f"SELECT {seq}, {digest} FROM {table} WHERE {pk} = %s{lock}",
            f"UPDATE {table} SET {seq} = %s, {digest} = %s WHERE {pk} = %s")


def _lock_head() -> tuple[int, str]:
    """The head's sequence number and hash, its row locked until the transaction ends; the
    head is created with the first event."""
    with connection.cursor() as cursor:
        cursor.execute(_head_sql()[0], [HEAD_ID])
        row = cursor.fetchone()
    if row is None:
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=HEAD_ID)
        return head.seq, head.hash
    return int(row[0]), str(row[1])


def _move_head(seq: int, digest: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_head_sql()[1], [seq, digest, HEAD_ID])


def seal_legacy_chain(actor: Actor) -> AuditEvent | None:
    """Append a keyed event after a chain that ends with unkeyed events (a home from before the
    audit key), so the switch to keyed hashes is itself authenticated. `headstart init` calls it
    right after creating the key; it does nothing on a new or already keyed chain."""
    with transaction.atomic():
        last = AuditEvent.objects.order_by("-seq").first()
        if last is None or last.chain != LEGACY:
            return None
        return record(actor, "audit.keyed", object_type="audit", object_id="chain", unkeyed_events=last.seq)


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
    # The signed checkpoints checked against the chain (headstart.apps.program.checkpoints).
    checkpoints: tuple[dict[str, Any], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "events": self.events, "first_broken_seq": self.first_broken_seq,
                "problem": self.problem, "checkpoints": list(self.checkpoints)}


def verify() -> VerifyResult:
    """Walk the chain from the start; report the first broken link.

    Unkeyed events are accepted only before the first keyed one, and a non-empty chain must hold a
    keyed event whenever an audit key is on hand (see chain.py): no event can be downgraded."""
    key = audit_key_or_none()
    prev_hash, expected_seq, count, keyed_seen = GENESIS, 1, 0, False
    # Walk in primary-key order (insertion order), so swapped rows are caught even if their seq moved.
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        count += 1
        if event.seq != expected_seq:
            return VerifyResult(False, count, expected_seq,
                                f"expected event #{expected_seq} here but found #{event.seq} (deleted or reordered)")
        if event.prev_hash != prev_hash:
            return VerifyResult(False, count, event.seq,
                                f"event #{event.seq} does not link to the event before it (deleted or reordered)")
        if event.chain == LEGACY and keyed_seen:
            return VerifyResult(False, count, event.seq, f"event #{event.seq} was downgraded to the unkeyed chain "
                                                         "format after keyed events (edited)")
        if event.chain == KEYED and key is None:
            return VerifyResult(False, count, event.seq, f"event #{event.seq} is keyed but no audit key is on hand: "
                                                         "set HEADSTART_AUDIT_KEY or restore keys/audit.key")
        expected = expected_hash(event, key)
        if expected is None:
            return VerifyResult(False, count, event.seq, f"event #{event.seq} has an unknown chain format {event.chain}")
        if not hmac.compare_digest(expected, event.hash):
            return VerifyResult(False, count, event.seq, f"event #{event.seq} was edited: its content no longer matches "
                                                         "its hash" + (" (or the audit key is not the one it was "
                                                                       "written with)" if event.chain == KEYED else ""))
        keyed_seen = keyed_seen or event.chain == KEYED
        prev_hash, expected_seq = event.hash, expected_seq + 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != expected_seq - 1 or head_hash != prev_hash:
        return VerifyResult(False, count, expected_seq,
                            f"the chain ends at #{expected_seq - 1} but the head records #{head_seq} (events removed from the end)")
    if count and key is not None and not keyed_seen:
        return VerifyResult(False, count, 1, "no event is keyed although an audit key is set: the keyed events "
                                             "were downgraded, or `headstart init` has not sealed this chain yet")
    return VerifyResult(True, count)


