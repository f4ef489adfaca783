"""Rewriting the audit log so that it still looks intact fails `verify`.

The attacker has database-owner rights: the append-only triggers are dropped first and rows
are changed with plain SQL. Without the audit key a recomputed chain fails on the HMAC (and
cannot fall back to the unkeyed format); with the key stolen too, the chain is consistent
again but contradicts a signed checkpoint kept outside the database.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from headstart.apps.audit.chain import GENESIS, KEYED, LEGACY, event_fields, event_hash, keyed_event_hash
from headstart.apps.audit.keys import audit_key
from headstart.apps.audit.models import AuditEvent, AuditHead
from headstart.apps.audit.services import Actor, record, seal_legacy_chain, verify
from headstart.apps.program import checkpoints
from headstart.apps.program.checkpoints import verify_with_checkpoints, write_checkpoint
from headstart.crypto import openpgp

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")
TABLE = "audit_auditevent"


def sql(statement: str, params: list | None = None) -> None:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def events(n: int, label: str = "e") -> None:
    for i in range(n):
        record(ACTOR, "test.event", object_type="thing", object_id=f"{label}{i}", n=i)


def rehash(hasher: Callable[[str, dict], str], *, chain: int) -> None:  # type: ignore[type-arg]
    """Recompute every event's links and hash in order, then move the head to the new end: the
    whole chain made consistent again, as an attacker with the hash function would."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("pk"):
        event.prev_hash, event.chain = prev, chain
        new = hasher(prev, event_fields(event))
        sql(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s, chain = %s WHERE id = %s", [prev, new, chain, event.pk])
        prev = new
    last = AuditEvent.objects.order_by("-pk").first()
    sql("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [last.seq if last else 0, prev])


def with_stolen_key(prev: str, fields: dict) -> str:  # type: ignore[type-arg]
    return keyed_event_hash(audit_key(), prev, fields)


def with_a_guessed_key(prev: str, fields: dict) -> str:  # type: ignore[type-arg]
    return keyed_event_hash(b"\x00" * 32, prev, fields)


@pytest.fixture
def checkpointed(program, audit_triggers_dropped) -> int:  # type: ignore[no-untyped-def]
    """A chain with a signed checkpoint kept outside the database, and a few events after it;
    returns the checkpoint's seq."""
    events(5, "before")
    seq = write_checkpoint().seq
    events(3, "after")
    assert verify_with_checkpoints().ok
    return seq


def test_every_event_is_keyed_and_a_checkpoint_is_kept_as_a_private_file(checkpointed):
    assert set(AuditEvent.objects.values_list("chain", flat=True)) == {KEYED}
    path = checkpoints.checkpoint_dir() / f"{checkpointed}.asc"
    assert path.stat().st_mode & 0o777 == 0o600 and path.parent.stat().st_mode & 0o777 == 0o700
    assert "BEGIN PGP SIGNED MESSAGE" in path.read_text()
    result = verify_with_checkpoints()
    assert [(c["seq"], c["ok"]) for c in result.checkpoints] == [(checkpointed, True)]
    assert result.as_dict()["checkpoints"][0]["hash"] == AuditEvent.objects.get(seq=checkpointed).hash


def test_a_checkpoint_of_the_same_head_is_not_signed_again(checkpointed):
    again = write_checkpoint()
    assert write_checkpoint().path == again.path and len(checkpoints.kept_checkpoints()) == 2


def test_an_edit_recomputed_without_the_key_fails_on_the_hmac(checkpointed):
    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 3")
    rehash(with_a_guessed_key, chain=KEYED)
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 1)
    assert "edited" in result.problem


def test_an_edit_recomputed_in_the_unkeyed_format_is_a_detected_downgrade(program, audit_triggers_dropped):
    events(4)
    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 3")
    # Downgrade only from the edit on: an unkeyed event after keyed ones.
    prev = AuditEvent.objects.get(seq=2).hash
    for event in AuditEvent.objects.filter(seq__gte=3).order_by("pk"):
        event.prev_hash = prev
        new = event_hash(prev, event_fields(event))
        sql(f"UPDATE {TABLE} SET prev_hash = %s, hash = %s, chain = %s WHERE id = %s", [prev, new, LEGACY, event.pk])
        prev = new
    sql("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])
    result = verify()
    assert (result.ok, result.first_broken_seq) == (False, 3) and "downgraded" in result.problem


def test_the_whole_chain_downgraded_to_the_unkeyed_format_fails(program, audit_triggers_dropped):
    events(4)
    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 3")
    rehash(event_hash, chain=LEGACY)
    result = verify()
    assert not result.ok and "no event is keyed" in result.problem


def test_an_edit_recomputed_with_the_stolen_key_fails_against_the_checkpoint(checkpointed):
    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 3")
    rehash(with_stolen_key, chain=KEYED)
    assert verify().ok  # the key alone makes the rewrite consistent...
    result = verify_with_checkpoints()  # ...but not with what was signed
    assert (result.ok, result.first_broken_seq) == (False, checkpointed)
    assert result.problem == f"history rewritten before checkpoint #{checkpointed}"
    assert [c["ok"] for c in result.checkpoints] == [False]


def test_a_truncated_tail_with_the_head_moved_back_fails_against_the_checkpoint(checkpointed):
    keep = checkpointed - 2
    sql(f"DELETE FROM {TABLE} WHERE seq > %s", [keep])
    sql("UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [keep, AuditEvent.objects.get(seq=keep).hash])
    assert verify().ok
    result = verify_with_checkpoints()
    assert not result.ok and result.problem == f"history rewritten before checkpoint #{checkpointed}"


@pytest.mark.parametrize("hasher, checked_against_checkpoint", [(with_a_guessed_key, False),
                                                                 (with_stolen_key, True)])
def test_a_deleted_event_with_the_rest_renumbered_and_rehashed_fails(checkpointed, hasher,
                                                                     checked_against_checkpoint):
    total = AuditEvent.objects.count()
    sql(f"DELETE FROM {TABLE} WHERE seq = 3")
    for seq in range(4, total + 1):
        sql(f"UPDATE {TABLE} SET seq = %s WHERE seq = %s", [seq - 1, seq])
    rehash(hasher, chain=KEYED)
    assert verify().ok is not True or checked_against_checkpoint
    result = verify_with_checkpoints()
    assert not result.ok
    if checked_against_checkpoint:
        assert result.problem == f"history rewritten before checkpoint #{checkpointed}"


def test_a_checkpoint_held_elsewhere_catches_a_rewrite_after_the_kept_ones_are_deleted(checkpointed, tmp_path):
    held = tmp_path / "partner-copy.asc"
    held.write_text((checkpoints.checkpoint_dir() / f"{checkpointed}.asc").read_text())
    for path in checkpoints.kept_checkpoints():
        path.unlink()
    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 2")
    rehash(with_stolen_key, chain=KEYED)
    assert verify_with_checkpoints().ok
    result = verify_with_checkpoints([held])
    assert not result.ok and result.problem == f"history rewritten before checkpoint #{checkpointed}"


def test_a_checkpoint_not_signed_by_the_program_key_is_refused(checkpointed, tmp_path):
    secret, _cert = openpgp.generate_signing_key("Mallory <mallory@evil.example>")
    text = openpgp.verify_clearsigned((checkpoints.checkpoint_dir() / f"{checkpointed}.asc").read_text(),
                                      signer_cert=program_certificate())
    assert text is not None
    forged = tmp_path / "forged.asc"
    forged.write_text(openpgp.clearsign(text, signing_key=secret))
    result = verify_with_checkpoints([forged])
    assert not result.ok and "not a checkpoint signed by the program key" in result.problem


def program_certificate() -> str:
    from headstart.apps.program.models import Program

    return Program.get().signing_certificate


def test_no_checkpoint_is_signed_over_a_broken_log(checkpointed):
    from headstart.errors import Invalid

    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 3")
    rehash(with_stolen_key, chain=KEYED)
    before = checkpoints.kept_checkpoints()
    with pytest.raises(Invalid, match="does not verify"):
        write_checkpoint()
    assert checkpoints.kept_checkpoints() == before


# ---- homes from before the audit key ---------------------------------------------------------

def legacy_events(n: int) -> None:
    """Events as an older Headstart wrote them: unkeyed SHA-256, chain format 1."""
    head, _ = AuditHead.objects.get_or_create(pk=1)
    prev, seq = head.hash, head.seq
    for i in range(n):
        seq += 1
        event = AuditEvent(seq=seq, at=timezone.now(), actor="cli", action="legacy.event", object_id=str(i),
                           details={"i": i}, prev_hash=prev, chain=LEGACY)
        event.hash = event_hash(prev, event_fields(event))
        event.save(force_insert=True)
        prev = event.hash
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=prev)


def test_a_legacy_chain_verifies_where_there_is_no_audit_key(db, tmp_path):
    legacy_events(3)
    with override_settings(HEADSTART_AUDIT_KEY="", HEADSTART_KEY_DIR=tmp_path):
        assert verify().ok


def test_init_seals_a_legacy_chain_and_later_events_are_keyed(db):
    from headstart.apps.program.services import initialise

    legacy_events(3)
    assert "not sealed" in verify().problem  # a key is on hand: the legacy chain must be sealed
    initialise("Test program", actor=ACTOR)
    record(ACTOR, "test.event")
    chains = list(AuditEvent.objects.order_by("seq").values_list("action", "chain"))
    assert chains[:4] == [("legacy.event", LEGACY)] * 3 + [("audit.keyed", KEYED)]
    assert {c for _a, c in chains[4:]} == {KEYED}
    assert verify().ok
    assert seal_legacy_chain(ACTOR) is None  # once only


def test_a_sealed_legacy_chain_cannot_be_downgraded_back(db, audit_triggers_dropped):
    legacy_events(3)
    seal_legacy_chain(ACTOR)
    events(2)
    sql(f"UPDATE {TABLE} SET actor = 'mallory' WHERE seq = 5")
    rehash(event_hash, chain=LEGACY)
    assert not verify().ok
    # Keeping the seal keyed and downgrading only what follows it is no better.
    sql(f"UPDATE {TABLE} SET chain = %s WHERE seq = 4", [KEYED])
    assert not verify().ok


def test_the_audit_key_file_is_created_once_private(tmp_path):
    from headstart.apps.audit.keys import audit_key_path, ensure_audit_key

    with override_settings(HEADSTART_AUDIT_KEY="", HEADSTART_KEY_DIR=tmp_path / "keys"):
        assert ensure_audit_key() is True
        first = audit_key_path().read_text()
        assert ensure_audit_key() is False and audit_key_path().read_text() == first
        assert audit_key_path().stat().st_mode & 0o777 == 0o600
        assert os.stat(tmp_path / "keys").st_mode & 0o777 == 0o700
        assert audit_key() == bytes.fromhex(first.strip())


@pytest.mark.parametrize("value", ["abc", "zz" * 32, "ab" * 16])
def test_a_malformed_audit_key_is_refused_clearly(value):
    from headstart.apps.audit.keys import AuditKeyError

    with override_settings(HEADSTART_AUDIT_KEY=value), pytest.raises(AuditKeyError, match="audit key"):
        audit_key()


def test_without_an_audit_key_nothing_is_recorded(db, tmp_path):
    from headstart.apps.audit.keys import AuditKeyError

    with override_settings(HEADSTART_AUDIT_KEY="", HEADSTART_KEY_DIR=tmp_path), \
            pytest.raises(AuditKeyError, match="headstart init"):
        record(ACTOR, "test.event")
    assert not AuditEvent.objects.filter(action="test.event").exists()


def test_keyed_and_unkeyed_hashes_of_the_same_event_differ():
    fields = {"seq": 1, "x": "y"}
    assert keyed_event_hash(b"k" * 32, GENESIS, fields) != event_hash(GENESIS, fields)
    assert event_hash(GENESIS, fields) == hashlib.sha256((GENESIS + "\n" + '{"seq":1,"x":"y"}').encode()).hexdigest()
