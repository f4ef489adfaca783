"""Where artifacts and packages are kept: local directories by default, any Django storage
backend with its options when the environment names one."""

from __future__ import annotations

import runpy

import pytest

from headstart.config.env import ConfigError, env_json_object

FILE_SYSTEM = "django.core.files.storage.FileSystemStorage"
S3 = "storages.backends.s3.S3Storage"


@pytest.fixture
def fresh_settings(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Run headstart.config.settings again (not the loaded copy) under a chosen environment."""
    for name in ("HEADSTART_ARTIFACTS_STORAGE", "HEADSTART_ARTIFACTS_STORAGE_OPTIONS", "HEADSTART_PACKAGES_STORAGE",
                 "HEADSTART_PACKAGES_STORAGE_OPTIONS", "HEADSTART_SENDFILE", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEADSTART_HOME", str(tmp_path / "home"))

    def load(**env: str) -> dict:  # type: ignore[type-arg]
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_module("headstart.config.settings")

    return load


def test_by_default_artifacts_and_packages_are_private_files_under_headstart_home(fresh_settings, tmp_path):
    storages = fresh_settings()["STORAGES"]
    home = tmp_path / "home"
    private = {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}
    assert storages["default"] == {"BACKEND": FILE_SYSTEM, "OPTIONS": {"location": str(home / "artifacts"), **private}}
    assert storages["packages"] == {"BACKEND": FILE_SYSTEM, "OPTIONS": {"location": str(home / "packages"), **private}}


def test_a_shared_directory_keeps_the_private_modes(fresh_settings):
    storages = fresh_settings(HEADSTART_PACKAGES_STORAGE_OPTIONS='{"location": "/srv/shared/packages"}')["STORAGES"]
    assert storages["packages"]["OPTIONS"] == {"location": "/srv/shared/packages", "file_permissions_mode": 0o600,
                                               "directory_permissions_mode": 0o700}


def test_another_backend_gets_exactly_the_options_given(fresh_settings):
    storages = fresh_settings(HEADSTART_ARTIFACTS_STORAGE=S3, HEADSTART_PACKAGES_STORAGE=S3,
                              HEADSTART_ARTIFACTS_STORAGE_OPTIONS='{"bucket_name": "hs-artifacts"}',
                              HEADSTART_PACKAGES_STORAGE_OPTIONS='{"bucket_name": "hs-packages"}')["STORAGES"]
    assert storages["default"] == {"BACKEND": S3, "OPTIONS": {"bucket_name": "hs-artifacts"}}
    assert storages["packages"] == {"BACKEND": S3, "OPTIONS": {"bucket_name": "hs-packages"}}


@pytest.mark.parametrize("value", ["bucket_name=x", '["x"]', "{'a': 1}"])
def test_storage_options_that_are_not_a_json_object_are_refused_by_name(fresh_settings, value):
    with pytest.raises(ConfigError, match="HEADSTART_PACKAGES_STORAGE_OPTIONS"):
        fresh_settings(HEADSTART_PACKAGES_STORAGE_OPTIONS=value)


def test_apache_sendfile_needs_packages_in_a_local_directory(fresh_settings):
    with pytest.raises(ConfigError, match="HEADSTART_SENDFILE=apache"):
        fresh_settings(HEADSTART_SENDFILE="apache", HEADSTART_PACKAGES_STORAGE=S3)
    assert fresh_settings(HEADSTART_SENDFILE="nginx", HEADSTART_PACKAGES_STORAGE=S3)["HEADSTART_SENDFILE"] == "nginx"


def test_env_json_object_is_empty_when_unset(monkeypatch):
    monkeypatch.setenv("HEADSTART_TEST_OPTIONS", " ")
    assert env_json_object("HEADSTART_TEST_OPTIONS") == {}
