"""one_writer queues hot-path writers on SQLite, and stays out of the way everywhere else.

one_writer reads only the database's name (the lock file sits beside it), so these tests
point the connection's settings at a file in a temporary directory without opening it:
under pytest-django the SQLite test database itself lives in memory. Other processes
probe the lock with flock, as another server worker would.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from headstart.apps import one_writer as one_writer_module
from headstart.apps.one_writer import one_writer

WAIT = 10.0  # seconds: an upper bound for something that must happen, never reached when all is well
STILL_WAITING = 0.3  # seconds a queued writer is watched to show it has not entered

# Another process trying the lock without waiting: prints "busy" or "taken".
PROBE = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
try:
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
except BlockingIOError:
    print("busy")
else:
    print("taken")
"""


def another_process_tries(lock: Path) -> str:
    return subprocess.run([sys.executable, "-c", PROBE, str(lock)], check=True, capture_output=True,
                          text=True, timeout=WAIT).stdout.strip()


def database() -> object:
    return connections[DEFAULT_DB_ALIAS]


@pytest.fixture
def sqlite() -> None:
    if database().vendor != "sqlite":  # type: ignore[attr-defined]
        pytest.skip("one_writer queues writers on SQLite only")


@pytest.fixture
def lock_file(sqlite, tmp_path, monkeypatch) -> Path:  # type: ignore[no-untyped-def]
    """The lock file of a database in a file: the connection's name points there (the
    dictionary every thread's connection shares), and nothing opens the database."""
    name = tmp_path / "headstart.sqlite3"
    monkeypatch.setitem(database().settings_dict, "NAME", str(name))  # type: ignore[attr-defined]
    return tmp_path / "headstart.sqlite3.writer-lock"


class Writer(threading.Thread):
    """Another thread of this process entering one_writer; it says when it tries and when it is in."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        super().__init__(daemon=True)
        self.trying, self.entered = threading.Event(), threading.Event()
        self.hold = hold

    def run(self) -> None:
        self.trying.set()
        with one_writer():
            self.entered.set()
            if self.hold is not None:
                self.hold.wait(WAIT)


@pytest.fixture
def writer() -> Iterator[Writer]:
    thread = Writer()
    yield thread
    if thread.is_alive():
        thread.join(WAIT)


# --- where it does nothing ------------------------------------------------------------------------

def test_on_postgresql_writers_do_not_queue_on_one_writer():
    if database().vendor != "postgresql":  # type: ignore[attr-defined]
        pytest.skip("runs when the suite runs on PostgreSQL (DATABASE_URL)")
    release = threading.Event()
    other = Writer(hold=release)
    with one_writer():
        other.start()
        entered = other.entered.wait(WAIT)  # while this thread is inside too
    release.set()
    other.join(WAIT)
    assert entered


def test_inside_an_atomic_block_one_writer_takes_no_lock(db, lock_file, writer):
    assert database().in_atomic_block  # type: ignore[attr-defined]  # the test's transaction
    with one_writer():
        assert another_process_tries(lock_file) == "taken"
        writer.start()  # a thread outside any transaction, which does queue
        assert writer.entered.wait(WAIT)


# --- a database in a file: a lock file beside it --------------------------------------------------------

def test_another_process_cannot_take_the_lock_while_it_is_held_and_can_right_after(lock_file):
    with one_writer():
        assert another_process_tries(lock_file) == "busy"
    assert another_process_tries(lock_file) == "taken"


def test_the_lock_file_sits_beside_the_database_and_only_its_owner_may_open_it(lock_file):
    with one_writer():
        pass
    assert lock_file.exists()
    assert stat.S_IMODE(lock_file.stat().st_mode) == 0o600


def test_the_lock_is_released_when_the_write_fails(lock_file):
    with pytest.raises(OSError), one_writer():
        raise OSError("disk I/O error")
    assert another_process_tries(lock_file) == "taken"


def test_threads_of_one_process_queue_one_behind_the_other(lock_file, writer):
    with one_writer():
        writer.start()
        assert writer.trying.wait(WAIT)
        assert not writer.entered.wait(STILL_WAITING)
    assert writer.entered.wait(WAIT)


def test_the_lock_follows_the_database_when_its_name_changes(lock_file, tmp_path, monkeypatch):
    with one_writer():
        pass
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setitem(database().settings_dict, "NAME", str(other / "second.sqlite3"))  # type: ignore[attr-defined]
    with one_writer():
        assert another_process_tries(other / "second.sqlite3.writer-lock") == "busy"
        assert another_process_tries(lock_file) == "taken"


def _forked_writer(pipe) -> None:  # type: ignore[no-untyped-def]
    """In a forked child: wait for the go, then enter one_writer and report whose descriptor it used."""
    pipe.recv()
    pipe.send("trying")
    with one_writer():
        owner_pid, fd, _path = one_writer_module._file  # type: ignore[misc]
        pipe.send((os.getpid(), owner_pid, fd))


def test_a_forked_child_opens_its_own_descriptor_and_queues_behind_its_parent(lock_file):
    with one_writer():  # the parent has its descriptor before the fork, as a preloaded server would
        pass
    parent_pid, parent_fd, _ = one_writer_module._file  # type: ignore[misc]
    parent_end, child_end = multiprocessing.Pipe()
    child = multiprocessing.get_context("fork").Process(target=_forked_writer, args=(child_end,), daemon=True)
    child.start()  # not from inside one_writer: a fork copies the held in-process mutex
    try:
        with one_writer():
            parent_end.send("go")
            assert parent_end.poll(WAIT) and parent_end.recv() == "trying"
            # One inherited descriptor would share the parent's lock and walk straight in.
            assert not parent_end.poll(STILL_WAITING)
        assert parent_end.poll(WAIT)
        child_pid, owner_pid, child_fd = parent_end.recv()
    finally:
        child.join(WAIT)
        if child.is_alive():
            child.kill()
    assert child.exitcode == 0
    assert child_pid != parent_pid and owner_pid == child_pid
    assert child_fd != parent_fd


# --- a database in memory: one process, threads queue on a mutex -----------------------------------------

@pytest.mark.parametrize("name", [":memory:", "file:memorydb_default?mode=memory&cache=shared"])
def test_an_in_memory_database_queues_threads_without_a_lock_file(sqlite, name, writer, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a lock file named after the database would appear here
    monkeypatch.setitem(database().settings_dict, "NAME", name)  # type: ignore[attr-defined]
    with one_writer():
        writer.start()
        assert writer.trying.wait(WAIT)
        assert not writer.entered.wait(STILL_WAITING)
    assert writer.entered.wait(WAIT)
    assert list(tmp_path.iterdir()) == []



def test_a_nested_use_keeps_the_outer_lock_until_the_outer_block_ends(lock_file):
    with one_writer():
        with one_writer():
            pass
        assert another_process_tries(lock_file) == "busy"  # still held by the outer block
    assert another_process_tries(lock_file) == "taken"
