"""A partner's copy is rendered only from an original that matches its recorded digest."""

from __future__ import annotations

import pytest

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.delivery import copies
from headstart.errors import Invalid

pytestmark = pytest.mark.django_db


def test_an_original_changed_in_storage_is_refused_before_any_copy_is_rendered(sample_advisory, monkeypatch):
    advisory = sample_advisory()
    writeup = next(a for a in latest_artifacts(advisory) if a.name == "writeup.md")
    monkeypatch.setattr(copies, "_originals", type(copies._originals)())  # a process that has read nothing yet
    with writeup.file.storage.open(writeup.file.name, "wb") as fh:
        fh.write(b"# Someone else's write-up\n")

    with pytest.raises(Invalid, match="does not match its recorded SHA-256"):
        copies.deliverables(advisory)


def test_an_original_is_read_from_storage_once_and_its_checked_bytes_reused(sample_advisory, monkeypatch):
    advisory = sample_advisory()
    writeup = next(a for a in latest_artifacts(advisory) if a.name == "writeup.md")
    first = copies.original_bytes(writeup)
    opened = []
    real_open = type(writeup.file).open
    monkeypatch.setattr(type(writeup.file), "open", lambda self, mode="rb": opened.append(mode) or real_open(self, mode))

    assert copies.original_bytes(writeup) == first
    assert opened == []
