"""One writer at a time on SQLite, queued by the kernel rather than by SQLite's busy handler.

SQLite lets one connection write at a time. The others wait in its busy handler, which
sleeps 1, 2, 5, 10 ... ms between attempts however soon the lock is free: under a
release-time rush, when every download appends to the audit log, waiting writers spent
more time asleep than the writes took. Hot-path writers therefore queue first on an
exclusive lock on a file next to the database (threads of one process on a mutex, then
processes on flock), and the kernel wakes the next writer the moment the lock is released.

Only a writer outside any transaction queues: one already inside a transaction may hold
SQLite's write lock, and waiting for the file lock while holding it could stall the
holder of the file lock until SQLite's timeout. PostgreSQL queues row locks itself, so
there this does nothing.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections

_mutex = threading.Lock()
_held = threading.local()  # whether this thread holds the lock
_file: tuple[int, int, str] | None = None  # (pid, fd, path): a forked worker opens its own


@contextmanager
def one_writer() -> Iterator[None]:
    """Hold this around a short write transaction on the request hot path."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "sqlite" or db.in_atomic_block or getattr(_held, "yes", False):
        yield  # (a nested use would release the outer one's flock early)
        return
    name = str(db.settings_dict["NAME"] or "")
    with _mutex:
        _held.yes = True
        try:
            if not name or name == ":memory:" or name.startswith("file:"):  # in memory: one process
                yield
                return
            fd = _lock_fd(Path(name + ".writer-lock"))
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            _held.yes = False


def _lock_fd(path: Path) -> int:
    """This process's descriptor of the lock file (called under _mutex).

    flock belongs to an open file description, so each process needs its own: one inherited
    across fork would let every worker hold the lock at once."""
    global _file
    pid = os.getpid()
    if _file is not None and _file[0] == pid:
        if _file[2] == str(path):
            return _file[1]
        os.close(_file[1])  # another database (tests): this process's old descriptor
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    _file = (pid, fd, str(path))
    return fd
