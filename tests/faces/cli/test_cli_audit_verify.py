"""`headstart audit verify` exits 0 on an intact chain and 1 on a broken one, naming the break;
`headstart audit checkpoint` signs the head, and verify checks the chain against such checkpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection

from headstart.apps.audit.services import Actor, record

pytestmark = pytest.mark.django_db

ACTOR = Actor(name="test:staff")


@pytest.fixture
def chain(program) -> None:  # type: ignore[no-untyped-def]
    for n in range(5):
        record(ACTOR, "test.event", object_id=str(n))


def tamper(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# Rows 3 and 4 trade places (seq is unique, so one is parked on a free number first).
SWAP = ("UPDATE audit_auditevent SET seq = 1000000 WHERE seq = 3",
        "UPDATE audit_auditevent SET seq = 3 WHERE seq = 4",
        "UPDATE audit_auditevent SET seq = 4 WHERE seq = 1000000")


def test_an_intact_chain_exits_zero(chain, run_cli):
    result = run_cli("audit", "verify")
    assert result.code == 0 and result.out.startswith("OK: ")
    report = json.loads(run_cli("audit", "verify", "--json").out)
    assert report["ok"] is True and report["first_broken_seq"] is None and report["checkpoints"] == []


@pytest.mark.parametrize("attack, statements, broken_at", [
    ("edited row", ["UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 3"], 3),
    ("deleted row", ["DELETE FROM audit_auditevent WHERE seq = 3"], 3),
    ("reordered rows", SWAP, 3),
    ("truncated tail", ["DELETE FROM audit_auditevent WHERE seq = (SELECT MAX(seq) FROM audit_auditevent)"], None),
])
def test_a_tampered_chain_exits_one_and_names_the_first_broken_event(chain, run_cli, audit_triggers_dropped,
                                                                       attack, statements, broken_at):
    last = record(ACTOR, "test.event", object_id="last").seq
    tamper(*statements)
    result = run_cli("audit", "verify")
    assert result.code == 1
    expected = broken_at if broken_at is not None else last
    assert result.out.startswith(f"BROKEN at event #{expected}: ")
    report = json.loads(run_cli("audit", "verify", "--json").out)
    assert (report["ok"], report["first_broken_seq"]) == (False, expected)


def test_staff_see_the_same_verdict_through_the_api(chain, staff_user, api_client, audit_triggers_dropped):
    client = api_client(staff_user)
    assert client.get("/api/v1/audit/verify").json()["ok"] is True
    tamper("UPDATE audit_auditevent SET action = 'nothing' WHERE seq = 2")
    report = client.get("/api/v1/audit/verify").json()
    assert (report["ok"], report["first_broken_seq"]) == (False, 2)


def test_audit_list_shows_the_latest_events_in_order(chain, run_cli):
    events = json.loads(run_cli("audit", "list", "--limit", "3", "--json").out)
    assert [e["object"] for e in events] == [":2", ":3", ":4"]
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)


# ---- signed checkpoints -------------------------------------------------------------------------

def rehash_with_the_stolen_key() -> None:
    """Make the whole chain consistent again after an edit, as an attacker holding the audit key would."""
    from headstart.apps.audit.chain import GENESIS, event_fields, keyed_event_hash
    from headstart.apps.audit.keys import audit_key
    from headstart.apps.audit.models import AuditEvent

    prev = GENESIS
    with connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("pk"):
            event.prev_hash = prev
            new = keyed_event_hash(audit_key(), prev, event_fields(event))
            cursor.execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, new, event.pk])
            prev = new
        cursor.execute("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])


def test_audit_checkpoint_keeps_a_private_signed_file_that_verify_checks(chain, run_cli):
    written = json.loads(run_cli("audit", "checkpoint", "--json").out)
    path = Path(written["file"])
    assert path.name == f"{written['seq']}.asc" and path.stat().st_mode & 0o777 == 0o600
    assert "BEGIN PGP SIGNED MESSAGE" in path.read_text() and written["hash"] in path.read_text()
    result = run_cli("audit", "verify")
    assert result.code == 0 and "1 checkpoint match" in result.out
    report = json.loads(run_cli("audit", "verify", "--json").out)
    assert [(c["seq"], c["hash"], c["ok"]) for c in report["checkpoints"]] == [(written["seq"], written["hash"], True)]


def test_a_rewrite_with_the_stolen_key_fails_against_a_checkpoint_given(chain, run_cli, audit_triggers_dropped,
                                                                        tmp_path):
    written = json.loads(run_cli("audit", "checkpoint", "--json").out)
    held = tmp_path / "held-by-a-partner.asc"
    held.write_text(Path(written["file"]).read_text())
    Path(written["file"]).unlink()  # the attacker removes the copy kept in the home
    record(ACTOR, "test.event", object_id="later")
    tamper("UPDATE audit_auditevent SET actor = 'mallory' WHERE seq = 2")
    rehash_with_the_stolen_key()
    assert run_cli("audit", "verify").code == 0  # consistent again, as far as the database goes
    result = run_cli("audit", "verify", "--checkpoint", str(held))
    assert result.code == 1
    assert result.out.strip() == (f"BROKEN at event #{written['seq']}: history rewritten before checkpoint "
                                  f"#{written['seq']}")
    report = json.loads(run_cli("audit", "verify", "--checkpoint", str(held), "--json").out)
    assert report["ok"] is False and [c["ok"] for c in report["checkpoints"]] == [False]


def test_a_truncated_tail_with_the_head_moved_back_fails_against_the_kept_checkpoint(chain, run_cli,
                                                                                   audit_triggers_dropped):
    seq = json.loads(run_cli("audit", "checkpoint", "--json").out)["seq"]
    tamper(f"DELETE FROM audit_auditevent WHERE seq >= {seq - 1}",
           f"UPDATE audit_audithead SET seq = {seq - 2}, "
           f"hash = (SELECT hash FROM audit_auditevent WHERE seq = {seq - 2}) WHERE id = 1")
    result = run_cli("audit", "verify")
    assert result.code == 1 and f"history rewritten before checkpoint #{seq}" in result.out


def test_a_missing_checkpoint_file_is_a_clear_error(chain, run_cli, tmp_path):
    result = run_cli("audit", "verify", "--checkpoint", str(tmp_path / "nope.asc"))
    assert result.code == 1 and "--checkpoint" in result.err and "no such file" in result.err
