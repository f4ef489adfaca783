"""The delivery journal: ready downloads recorded by an append, folded into the database later.

The test database is in memory, where downloads are recorded in their own transaction, so
these tests point the journal at a directory of their own. They fold by hand: the
background folder's thread would need a connection of its own to the test database (the
real server's thread is exercised in tests/faces/cli/test_remote_client.py).
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import shutil
from pathlib import Path

import pytest
from django.utils import timezone
from factories import ACTOR

from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import prepare_event, verify
from headstart.apps.delivery import journal
from headstart.apps.delivery.models import Copy, JournalBatch
from headstart.apps.delivery.services import deliver_ready, prepare_all, ready_download
from headstart.errors import HeadstartError, Invalid

DOWNLOAD = "package.download"


@pytest.fixture
def journal_dir(tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    where = tmp_path / "headstart.sqlite3.delivery-journal"
    monkeypatch.setattr(journal, "directory", lambda: where)
    monkeypatch.setattr(journal._folder, "start", lambda where: None)  # folded by hand here
    return where


@pytest.fixture
def ready(make_keyed_partner, sample_advisory):  # type: ignore[no-untyped-def]
    """A prepared release and a partner analyst who may download it."""
    keyed = make_keyed_partner("Journal Co")
    advisory = sample_advisory()
    prepare_all(advisory, actor=ACTOR)
    return advisory, keyed


def download(advisory, keyed):  # type: ignore[no-untyped-def]
    found = ready_download(keyed.analyst, advisory.ident)
    assert found is not None, "the package should be prepared"
    return deliver_ready(found, actor=ACTOR)


def lines(where: Path) -> int:
    return sum(len(p.read_bytes().splitlines()) for p in where.iterdir())


def event_only(action: str = DOWNLOAD, actor_name: str = "journal-test") -> journal.Delivery:
    event = prepare_event(ACTOR.__class__(name=actor_name), action, object_type="advisory", object_id="HS-X")
    return journal.delivery(timezone.now(), [], event)


def test_a_ready_download_is_journaled_before_it_reaches_the_database(journal_dir, ready):
    advisory, keyed = ready
    downloads_before = AuditEvent.objects.filter(action=DOWNLOAD).count()

    fetched = download(advisory, keyed)

    assert fetched.data
    assert lines(journal_dir) == 1
    assert AuditEvent.objects.filter(action=DOWNLOAD).count() == downloads_before
    assert not Copy.objects.filter(partner=keyed.partner).exists()


def test_verify_folds_the_journal_first_so_every_download_is_in_the_chain(journal_dir, ready):
    advisory, keyed = ready
    served_from = timezone.now()
    fetched = download(advisory, keyed)

    result = verify()

    assert result.ok
    event = AuditEvent.objects.filter(action=DOWNLOAD).latest("seq")
    assert event.actor == ACTOR.name
    assert event.details["package_sha256"] == fetched.plaintext_sha256
    assert served_from <= event.at <= timezone.now()  # timed when served, not when folded
    marked = {f["name"] for f in fetched.files if f["kind"] != "manifest"}
    assert {c.file_name for c in Copy.objects.filter(partner=keyed.partner)} == marked
    assert list(journal_dir.iterdir()) == []
    assert JournalBatch.objects.get().deliveries == 1


def test_a_second_download_records_no_copy_twice(journal_dir, ready):
    advisory, keyed = ready
    download(advisory, keyed)
    journal.fold_all()
    copies = Copy.objects.filter(partner=keyed.partner).count()

    download(advisory, keyed)
    journal.fold_all()

    assert Copy.objects.filter(partner=keyed.partner).count() == copies
    assert verify().ok


def test_a_package_whose_copy_differs_from_the_one_delivered_before_is_refused_unjournaled(journal_dir, ready):
    advisory, keyed = ready
    download(advisory, keyed)
    journal.fold_all()
    Copy.objects.filter(partner=keyed.partner, file_name="writeup.md").update(sha256="0" * 64)

    with pytest.raises(Invalid, match="refusing to send a different copy"):
        download(advisory, keyed)

    assert not journal_dir.exists() or lines(journal_dir) == 0


def test_a_journal_claimed_while_its_writer_goes_on_loses_no_delivery(journal_dir, db):
    journal.append(journal_dir, event_only(actor_name="before"))
    (path,) = journal_dir.glob("*" + journal.OPEN)
    journal._claim(path)  # a folder takes the file over; its writer must notice

    journal.append(journal_dir, event_only(actor_name="after"))

    assert len(list(journal_dir.glob("*" + journal.CLAIMED))) == 1
    assert len(list(journal_dir.glob("*" + journal.OPEN))) == 1
    assert journal.fold_all() == 2
    assert set(AuditEvent.objects.filter(action=DOWNLOAD).values_list("actor", flat=True)) == {"before", "after"}


def test_a_fold_that_died_after_its_commit_is_never_folded_again(journal_dir, db, tmp_path):
    journal.append(journal_dir, event_only())
    (path,) = journal_dir.glob("*" + journal.OPEN)
    journal._claim(path)
    (claimed,) = journal_dir.glob("*" + journal.CLAIMED)
    kept = shutil.copy(claimed, tmp_path / "kept")
    assert journal.fold_all() == 1
    shutil.copy(kept, claimed)  # as if the folder had died before removing the file

    assert journal.fold_all() == 0

    assert AuditEvent.objects.filter(action=DOWNLOAD).count() == 1
    assert not claimed.exists()
    assert verify().ok


def test_a_journal_left_by_a_dead_process_is_folded(journal_dir, db):
    journal_dir.mkdir()
    (journal_dir / f"99999999-dead{journal.OPEN}").write_bytes(event_only(actor_name="dead worker").line())

    assert journal.fold_all() == 1

    assert AuditEvent.objects.filter(actor="dead worker").count() == 1


def test_an_unfinished_last_line_is_skipped_and_the_rest_folded(journal_dir, db):
    journal_dir.mkdir()
    whole = event_only(actor_name="whole").line()
    (journal_dir / f"99999999-cut{journal.OPEN}").write_bytes(whole + whole[:40])

    assert journal.fold_all() == 1

    assert list(AuditEvent.objects.filter(action=DOWNLOAD).values_list("actor", flat=True)) == ["whole"]


def test_a_damaged_line_stops_the_fold_with_a_clear_error_and_folds_nothing(journal_dir, db):
    journal_dir.mkdir()
    whole = event_only(actor_name="kept").line()
    (journal_dir / f"99999999-bad{journal.OPEN}").write_bytes(whole + b"{not json}\n")

    with pytest.raises(HeadstartError, match=r"line 2 is not a delivery record.*nothing was folded"):
        journal.fold_all()

    assert not AuditEvent.objects.filter(actor="kept").exists()
    assert len(list(journal_dir.glob("*" + journal.CLAIMED))) == 1  # kept for the next fold


def test_two_first_deliveries_of_one_copy_with_different_bytes_are_audited_as_a_mismatch(journal_dir, ready):
    advisory, keyed = ready
    download(advisory, keyed)
    (path,) = journal_dir.glob("*" + journal.OPEN)
    # The same first delivery again in the same batch, as if rendered to other bytes.
    again = json.loads(path.read_bytes())
    for row in again["copies"]:
        if row[2] == "writeup.md":
            row[3] = "f" * 64
    with path.open("a") as fh:
        fh.write(json.dumps(again) + "\n")

    journal.fold_all()

    mismatch = AuditEvent.objects.get(action="copy.mismatch")
    assert mismatch.details["delivered_sha256"] == "f" * 64
    recorded = Copy.objects.get(partner=keyed.partner, file_name="writeup.md").sha256
    assert mismatch.details["recorded_sha256"] == recorded != "f" * 64
    assert AuditEvent.objects.filter(action=DOWNLOAD).count() >= 2
    assert verify().ok


def _append_many(where: Path, worker: int, count: int) -> None:
    for k in range(count):
        journal.append(where, event_only(actor_name=f"worker {worker} #{k}"))


def test_writers_in_several_processes_and_a_folder_at_work_lose_and_repeat_nothing(journal_dir, db):
    journal_dir.mkdir()
    fork = multiprocessing.get_context("fork")
    writers = [fork.Process(target=_append_many, args=(journal_dir, w, 150)) for w in range(4)]
    for w in writers:
        w.start()
    folded = 0
    while any(w.is_alive() for w in writers):
        folded += journal.fold_all()  # claims files while their writers append
    for w in writers:
        w.join()
        assert w.exitcode == 0
    folded += journal.fold_all()

    actors = list(AuditEvent.objects.filter(action=DOWNLOAD).values_list("actor", flat=True))
    assert folded == len(actors) == 600
    assert len(set(actors)) == 600
    assert verify().ok


def test_deliveries_from_several_files_are_chained_in_the_order_they_were_served(journal_dir, db):
    journal_dir.mkdir()
    now = timezone.now()
    late, early = event_only(actor_name="late"), event_only(actor_name="early")
    (journal_dir / f"1-a{journal.OPEN}").write_bytes(journal.Delivery(now, [], late.event).line())
    (journal_dir / f"2-b{journal.OPEN}").write_bytes(
        journal.Delivery(now - dt.timedelta(seconds=1), [], early.event).line())

    journal.fold_all()

    assert list(AuditEvent.objects.filter(action=DOWNLOAD).order_by("seq").values_list("actor", flat=True)) == [
        "early", "late"]
