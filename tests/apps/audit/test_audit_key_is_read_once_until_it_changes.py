"""The audit key is read once per process (every audited action needs it, under the write
lock), and read again when the setting or the key file changes."""

from __future__ import annotations

import pytest

from headstart.apps.audit.keys import AuditKeyError, audit_key, audit_key_or_none


@pytest.fixture
def key_file(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.HEADSTART_AUDIT_KEY = ""
    settings.HEADSTART_KEY_DIR = tmp_path
    return tmp_path / "audit.key"


def test_a_key_file_written_anew_is_read_again(key_file):
    key_file.write_text("11" * 32 + "\n")
    assert audit_key() == bytes.fromhex("11" * 32)
    key_file.unlink()
    key_file.write_text("22" * 32 + "\n")
    assert audit_key() == bytes.fromhex("22" * 32)


def test_a_key_file_removed_leaves_no_key_behind(key_file):
    key_file.write_text("33" * 32 + "\n")
    assert audit_key_or_none() == bytes.fromhex("33" * 32)
    key_file.unlink()
    assert audit_key_or_none() is None


def test_a_malformed_key_file_is_refused_every_time(key_file):
    key_file.write_text("not hex\n")
    for _ in range(2):
        with pytest.raises(AuditKeyError):
            audit_key()


def test_the_setting_wins_over_the_file_and_is_read_again_when_it_changes(key_file, settings):
    key_file.write_text("44" * 32 + "\n")
    settings.HEADSTART_AUDIT_KEY = "55" * 32
    assert audit_key() == bytes.fromhex("55" * 32)
    settings.HEADSTART_AUDIT_KEY = "66" * 32
    assert audit_key() == bytes.fromhex("66" * 32)
