"""An artifact file stored inside a transaction that fails is deleted again, on a local
directory (its emptied folder too) and on a storage without folders alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage

from headstart.apps.advisories.files import removed_unless_committed, written


def store_then_fail(name: str) -> str:
    with pytest.raises(RuntimeError), removed_unless_committed():
        stored = default_storage.save(name, ContentFile(b"original"))
        written(stored)
        raise RuntimeError("the transaction failed")
    return stored


def test_a_file_of_a_failed_transaction_and_its_emptied_folder_are_removed_from_a_local_directory(settings):
    stored = store_then_fail("HS-2026-0042/writeup.md")

    assert not default_storage.exists(stored)
    assert not Path(settings.MEDIA_ROOT, "HS-2026-0042").exists()


def test_a_file_of_a_failed_transaction_is_removed_from_a_storage_without_folders(settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    assert not isinstance(default_storage, FileSystemStorage)
    stored = store_then_fail("HS-2026-0043/writeup.md")

    assert not default_storage.exists(stored)


def test_a_file_of_a_committed_block_stays(settings):
    with removed_unless_committed():
        stored = default_storage.save("HS-2026-0044/writeup.md", ContentFile(b"original"))
        written(stored)

    assert default_storage.open(stored).read() == b"original"
    default_storage.delete(stored)
