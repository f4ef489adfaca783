"""Ready downloads recorded in a local journal, then folded into the database in batches.

At release time every partner downloads at once, and each download of a prepared package
used to commit its own write transaction: the partner's copies and the hash-chained audit
event. On SQLite one connection writes at a time, and every commit makes the other
workers' connections drop their page cache. The fast path (``delivery.deliver_ready``)
instead appends the delivery, its copies and its prepared audit event, as one line to this
process's journal file before the bytes go out, and a folder moves every journal line into
the database in one transaction a batch, within ``FOLD_AFTER_S``. Under the rush that cut
a first delivery's server CPU and its wall time (docs/delivery.md).

What holds:

- **Recorded before the bytes go out, as durably as a commit.** The line is in the kernel
  when ``write`` returns, so a crash of the process loses nothing; a commit under SQLite's
  ``synchronous=NORMAL`` (the WAL, not synced at each commit) gives the same.
- **Folded exactly once.** A folder first claims a file (renames it, under the file's
  lock, so its writer moves on to a new file) and then folds the claimed file in one
  transaction with a ``JournalBatch`` row that names it. A folder that dies after the
  commit and before removing the file leaves a name the next folder finds, and removes.
- **Readers see every delivery.** Whatever reads the audit log or the copies folds first
  (``fold_all``): `audit verify`, the audit API and CLI, investigations. Each server
  process folds in a background thread, and any process folds the files that dead ones
  left.
- **Copies are still checked before serving.** ``deliver_ready`` compares the package's
  copies with those recorded before; a conflict that only the fold can see (the same
  partner's first delivery twice within one batch, with different bytes) cannot be
  refused any more, and is audited as ``copy.mismatch``.

SQLite in a local file only: PostgreSQL (several app servers, each with its own disk)
records each download in its own transaction, as the other paths do.
"""

from __future__ import annotations

import atexit
import datetime as dt
import fcntl
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from headstart.apps import plain_sql
from headstart.apps.audit.models import AuditEvent
from headstart.apps.audit.services import Actor, append_many, prepare_event
from headstart.apps.delivery.models import Copy, JournalBatch
from headstart.apps.one_writer import one_writer
from headstart.errors import HeadstartError

log = logging.getLogger(__name__)

FOLD_AFTER_S = 0.5  # the background folder's period: how late a delivery may reach the database
OPEN = ".jsonl"  # a process's journal, being appended to
CLAIMED = ".folding"  # a journal a folder took over
COPY_FIELDS = ("partner", "artifact", "file_name", "sha256", "size", "commitment", "first_delivered_at")
_INSERT_CHUNK = 400  # rows per INSERT: 7 parameters each, well under SQLite's limit


def directory() -> Path | None:
    """Where this database's journals live (next to the SQLite file), or None when
    downloads are recorded in their own transaction (PostgreSQL, an in-memory database)."""
    db = connections[DEFAULT_DB_ALIAS]
    name = str(db.settings_dict["NAME"] or "")
    if db.vendor != "sqlite" or not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name + ".delivery-journal")


@dataclass(frozen=True)
class Delivery:
    """One download as the journal keeps it: the copies to record and the audit event."""

    at: dt.datetime
    copies: list[tuple[Any, ...]]  # COPY_FIELDS, first_delivered_at as ISO text
    event: dict[str, Any]  # AuditEvent's fields but seq, at and the hashes

    def line(self) -> bytes:
        return (json.dumps({"at": self.at.isoformat(), "copies": self.copies, "event": self.event},
                           separators=(",", ":")) + "\n").encode()


def delivery(at: dt.datetime, copies: Sequence[Sequence[Any]], event: AuditEvent) -> Delivery:
    """``copies``: rows in COPY_FIELDS order (as ``services._copy_rows`` makes them)."""
    fields = {"actor": event.actor, "partner": event.partner, "action": event.action,
              "object_type": event.object_type, "object_id": event.object_id, "ip": event.ip,
              "details": event.details}
    return Delivery(at, [[*row[:-1], row[-1].isoformat()] for row in copies], fields)


# ---- writing ------------------------------------------------------------------------------

class _Writer:
    """This process's journal file; threads of one process take turns."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.fd = -1
        self.path: Path | None = None

    def append(self, where: Path, data: bytes) -> None:
        with self.lock:
            while True:
                fd, path = self._open(where)
                fcntl.flock(fd, fcntl.LOCK_EX)  # a folder claims a file under this lock
                try:
                    if self._still_open(fd, path):
                        _write_all(fd, data)
                        return
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                self._close()  # claimed meanwhile: go on in a new file

    def _open(self, where: Path) -> tuple[int, Path]:
        if self.fd >= 0 and self.pid == os.getpid() and self.path is not None and self.path.parent == where:
            return self.fd, self.path
        if self.pid == os.getpid():
            self._close()
        else:
            self.fd = -1  # inherited across fork: the parent's, left alone
        where.mkdir(mode=0o700, exist_ok=True)
        self.pid = os.getpid()
        self.path = where / f"{self.pid}-{secrets.token_hex(4)}{OPEN}"
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
        return self.fd, self.path

    @staticmethod
    def _still_open(fd: int, path: Path) -> bool:
        try:
            return os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def _close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
        self.fd, self.path = -1, None


def _write_all(fd: int, data: bytes) -> None:
    """One whole line or none: a short write is cut back, so the next line starts clean."""
    start = os.fstat(fd).st_size
    try:
        if os.write(fd, data) != len(data):
            raise OSError("short write to the delivery journal")
    except BaseException:
        os.ftruncate(fd, start)
        raise


_writer = _Writer()


def append(where: Path, entry: Delivery) -> None:
    """Record one delivery in this process's journal (call before the bytes go out)."""
    _writer.append(where, entry.line())
    _folder.start(where)


# ---- folding ------------------------------------------------------------------------------

def fold_all() -> int:
    """Move every journal of this database into it; returns the deliveries folded.

    Safe to run from any number of processes at once; nothing is folded twice."""
    where = directory()
    if where is None or not where.is_dir():
        return 0
    for path in where.glob("*" + OPEN):
        _claim(path)
    claimed = sorted(where.glob("*" + CLAIMED))
    if not claimed:
        return 0
    with one_writer(), transaction.atomic():
        # Under the writers' lock: a file another folder committed is named in JournalBatch.
        done = set(JournalBatch.objects.filter(name__in=[p.name for p in claimed]).values_list("name", flat=True))
        entries: list[Delivery] = []
        batches = []
        for path in claimed:
            if path.name in done:
                continue
            try:
                found = _read(path)
            except FileNotFoundError:
                continue
            entries += found
            batches.append(JournalBatch(name=path.name, deliveries=len(found)))
        entries.sort(key=lambda e: e.at)  # several workers' files: the chain in delivery order
        _store(entries)
        JournalBatch.objects.bulk_create(batches)
    for path in claimed:
        path.unlink(missing_ok=True)
    return len(entries)


def _claim(path: Path) -> None:
    """Take a journal over: its writer, waiting on the lock, then starts a new file."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return  # another folder took it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if not _Writer._still_open(fd, path):
                return
            if os.fstat(fd).st_size == 0:
                path.unlink()
            else:
                os.rename(path, path.with_name(f"{path.name[:-len(OPEN)]}-{secrets.token_hex(8)}{CLAIMED}"))
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _read(path: Path) -> list[Delivery]:
    entries = []
    for number, line in enumerate(path.read_bytes().splitlines(keepends=True), 1):
        if not line.endswith(b"\n"):  # a writer died inside write(): its bytes never went out
            log.warning("delivery journal %s: an unfinished line %d is skipped", path.name, number)
            continue
        try:
            raw = json.loads(line)
            entries.append(Delivery(dt.datetime.fromisoformat(raw["at"]), raw["copies"], raw["event"]))
        except (ValueError, KeyError, TypeError) as exc:  # damaged on disk: never skipped silently
            raise HeadstartError(f"delivery journal {path} line {number} is not a delivery record ({exc}); "
                                 "nothing was folded; repair or move the file aside, then fold again") from None
    return entries


def _store(entries: list[Delivery]) -> None:
    """The copies (the first record of each stays) and the events, in the caller's transaction."""
    rows = {}
    for entry in entries:
        for row in entry.copies:
            key = (row[0], row[1], row[2])  # partner, artifact, file name
            if key not in rows:
                rows[key] = (*row[:-1], dt.datetime.fromisoformat(row[-1]))
    new = list(rows.values())
    stored = sum(plain_sql.insert_rows(Copy, COPY_FIELDS, new[i:i + _INSERT_CHUNK], skip_conflicts=True)
                 for i in range(0, len(new), _INSERT_CHUNK))
    events = [AuditEvent(at=e.at, **e.event) for e in entries]
    if stored < len(new) or len(rows) < sum(len(e.copies) for e in entries):
        events += _mismatches(entries)
    append_many(events)


def _mismatches(entries: list[Delivery]) -> list[AuditEvent]:
    """An event for each delivered copy whose digest differs from the one recorded first."""
    partners = sorted({row[0] for e in entries for row in e.copies})
    recorded = {}
    for i in range(0, len(partners), _INSERT_CHUNK):
        chunk = partners[i:i + _INSERT_CHUNK]
        recorded.update({(p, a, n): sha for p, a, n, sha in plain_sql.tuples(
            f"SELECT partner_id, artifact_id, file_name, sha256 FROM {plain_sql.table(Copy)} "
            f"WHERE partner_id IN ({plain_sql.placeholders(chunk)})", chunk)})
    found = []
    for entry in entries:
        for partner, artifact, name, sha256, *_ in entry.copies:
            first = recorded.get((partner, artifact, name))
            if first is not None and first != sha256:
                event = prepare_event(Actor.system(), "copy.mismatch", object_type="copy",
                                      object_id=f"{partner}/{artifact}/{name}", delivered_to=entry.event["actor"],
                                      partner_id=partner, file=name, recorded_sha256=first, delivered_sha256=sha256)
                event.at = entry.at
                found.append(event)
    return found


class _Folder:
    """A thread per process that folds every FOLD_AFTER_S while journals exist, and once
    more when the process exits."""

    def __init__(self) -> None:
        self.pid = 0
        self.lock = threading.Lock()

    def start(self, where: Path) -> None:
        if self.pid == os.getpid():
            return
        with self.lock:
            if self.pid == os.getpid():
                return
            self.pid = os.getpid()
            threading.Thread(target=self._run, args=(where,), name="delivery-journal-folder", daemon=True).start()
            atexit.register(_fold_quietly)

    def _run(self, where: Path) -> None:
        while True:
            time.sleep(FOLD_AFTER_S)
            if any(where.glob("*" + OPEN)) or any(where.glob("*" + CLAIMED)):
                _fold_quietly()


def _fold_quietly() -> None:
    try:
        fold_all()
    except Exception:  # the journal stays; the next fold takes it
        log.exception("folding the delivery journal failed; it is kept and folded later")
    finally:
        connections.close_all()  # this thread's own connection


_folder = _Folder()
