"""Artifact files written inside a transaction are deleted again if it fails.

Files are not rows: a rolled-back transaction leaves them on disk, unreferenced. Django has
no on-rollback hook, so the code that opens the outermost transaction wraps it in
``removed_unless_committed()``, and whoever writes a file calls ``written(name)``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.core.files.storage import FileSystemStorage, default_storage

_written: ContextVar[list[str] | None] = ContextVar("headstart_artifact_files_written", default=None)


def written(name: str | None) -> None:
    """Note a file just stored (by its storage name), so a failure of the enclosing guard deletes it."""
    pending = _written.get()
    if pending is not None and name:
        pending.append(name)


@contextmanager
def removed_unless_committed() -> Iterator[None]:
    """Delete the files noted inside if an exception leaves the block (it rolls back the
    transaction opened inside the block). Nested guards hand their files to the outer one."""
    outer = _written.get()
    mine: list[str] = []
    token = _written.set(mine)
    try:
        yield
    except BaseException:
        for name in mine:
            default_storage.delete(name)
            _remove_empty_folder(name)
        raise
    else:
        if outer is not None:
            outer.extend(mine)
    finally:
        _written.reset(token)


def _remove_empty_folder(name: str) -> None:
    """On a local directory, the file's own folder (the advisory's, made for it) if the deletion
    left it empty. Other storages (object stores) have no folders to leave behind."""
    if not isinstance(default_storage, FileSystemStorage):
        return
    with suppress(OSError):  # not empty, or already gone
        os.rmdir(os.path.dirname(default_storage.path(name)))
