"""Typed readers of the environment: a malformed value fails at start-up, naming the variable."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from headstart.config.env import ConfigError, env_bool, env_int, env_list, env_path, env_str


@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("Yes", True), (" on ", True),
                                             ("0", False), ("false", False), ("NO", False), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("HEADSTART_TEST_FLAG", value)
    assert env_bool("HEADSTART_TEST_FLAG") is expected


@pytest.mark.parametrize("reader, value", [(env_bool, "maybe"), (env_bool, "2"), (env_int, "12x"),
                                           (env_int, "50MB"), (env_int, "1.5")])
def test_a_malformed_value_is_refused_with_the_variables_name(monkeypatch, reader, value):
    monkeypatch.setenv("HEADSTART_TEST_VALUE", value)
    with pytest.raises(ConfigError, match=f"HEADSTART_TEST_VALUE={value!r}"):
        reader("HEADSTART_TEST_VALUE", 0) if reader is env_int else reader("HEADSTART_TEST_VALUE")


def test_unset_or_empty_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("HEADSTART_TEST_VALUE", raising=False)
    assert (env_bool("HEADSTART_TEST_VALUE"), env_int("HEADSTART_TEST_VALUE", 7),
            env_str("HEADSTART_TEST_VALUE", "d"), env_list("HEADSTART_TEST_VALUE", ["x"])) == (False, 7, "d", ["x"])
    monkeypatch.setenv("HEADSTART_TEST_VALUE", "")
    assert (env_bool("HEADSTART_TEST_VALUE", True), env_int("HEADSTART_TEST_VALUE", 7),
            env_str("HEADSTART_TEST_VALUE", "d")) == (True, 7, "d")


def test_env_list_and_env_path_normalise(monkeypatch, tmp_path):
    monkeypatch.setenv("HEADSTART_TEST_LIST", " a.example , b.example,, ")
    assert env_list("HEADSTART_TEST_LIST", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HEADSTART_TEST_PATH", str(tmp_path / "x" / ".." / "home"))
    assert env_path("HEADSTART_TEST_PATH", ".") == tmp_path / "home"


# --- the settings module, executed afresh with a given environment ------------------------------

@pytest.fixture
def fresh_settings(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Run headstart.config.settings again (not the loaded copy) under a chosen environment."""
    for name in ("HEADSTART_ENV", "DEBUG", "DATABASE_URL", "ALLOWED_HOSTS", "HEADSTART_MAX_ARTIFACT_BYTES",
                 "SECRET_KEY", "HEADSTART_MARKING_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HEADSTART_HOME", str(tmp_path / "home"))

    def load(**env: str) -> dict:  # type: ignore[type-arg]
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_module("headstart.config.settings")

    return load


@pytest.mark.parametrize("name, value", [("HEADSTART_ENV", "staging"), ("DEBUG", "perhaps"),
                                         ("HEADSTART_MAX_ARTIFACT_BYTES", "50MB"), ("EMAIL_PORT", "smtp"),
                                         ("HEADSTART_TOKEN_DAYS", "ninety"), ("HEADSTART_TOKEN_DAYS", "0"),
                                         ("HEADSTART_LOGIN_FAILURE_LIMIT", "-1"),
                                         ("HEADSTART_LOGIN_LOCKOUT_MINUTES", "soon"),
                                         ("HEADSTART_TOKEN_REFUSAL_LIMIT", "0")])
def test_settings_refuse_a_malformed_variable_by_name(fresh_settings, name, value):
    with pytest.raises(ConfigError, match=name):
        fresh_settings(**{name: value})


def test_debug_is_off_and_data_lives_under_headstart_home_by_default(fresh_settings, tmp_path):
    s = fresh_settings()
    home = tmp_path / "home"
    assert s["DEBUG"] is False
    assert s["HOME"] == home and Path(s["DATABASES"]["default"]["NAME"]) == home / "headstart.sqlite3"
    assert (s["MEDIA_ROOT"], s["HEADSTART_KEY_DIR"]) == (home / "artifacts", home / "keys")
    assert s["HEADSTART_MAX_ARTIFACT_BYTES"] == 50 * 1024 * 1024
    assert s["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")


def test_settings_read_the_kept_secret_key_and_write_none(fresh_settings, tmp_path):
    # `headstart init` writes the key file (program.keys.ensure_secret_key_file); settings only read it.
    key_file = tmp_path / "home" / "secret_key"
    first = fresh_settings()["SECRET_KEY"]
    assert len(first) >= 50 and not key_file.exists()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key_file.write_text("k" * 60 + "\n")
    assert fresh_settings()["SECRET_KEY"] == "k" * 60


def test_database_url_selects_postgresql(fresh_settings):
    s = fresh_settings(DATABASE_URL="postgres://hs:pw@db.internal:5433/headstart")
    db = s["DATABASES"]["default"]
    assert (db["ENGINE"], db["HOST"], db["PORT"], db["NAME"]) == ("django.db.backends.postgresql", "db.internal",
                                                                 5433, "headstart")


def test_production_turns_on_tls_only_cookies_hsts_and_redirect(fresh_settings):
    s = fresh_settings(HEADSTART_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="psirt.example.com")
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["ALLOWED_HOSTS"] == ["psirt.example.com"] and s["DEBUG"] is False
    assert "default-src" in s["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]


def test_tokens_last_90_days_and_sign_in_locks_after_5_failures_for_15_minutes_by_default(fresh_settings):
    import datetime as dt

    s = fresh_settings()
    assert s["HEADSTART_TOKEN_DAYS"] == 90
    assert (s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_TIME"]) == (5, dt.timedelta(minutes=15))
    assert s["AXES_LOCKOUT_PARAMETERS"] == [["username", "ip_address"]]
    assert s["AUTHENTICATION_BACKENDS"][0] == "axes.backends.AxesStandaloneBackend"
    s = fresh_settings(HEADSTART_TOKEN_DAYS="7", HEADSTART_LOGIN_FAILURE_LIMIT="3", HEADSTART_LOGIN_LOCKOUT_MINUTES="60")
    assert (s["HEADSTART_TOKEN_DAYS"], s["AXES_FAILURE_LIMIT"], s["AXES_COOLOFF_TIME"]) == (7, 3, dt.timedelta(hours=1))


def test_the_database_lock_wait_sets_sqlites_busy_timeout(fresh_settings):
    assert fresh_settings()["DATABASES"]["default"]["OPTIONS"]["timeout"] == 30
    assert fresh_settings(HEADSTART_DB_LOCK_WAIT_MS="250")["DATABASES"]["default"]["OPTIONS"]["timeout"] == 0.25


def test_the_database_lock_wait_sets_postgresqls_lock_timeout(fresh_settings):
    s = fresh_settings(DATABASE_URL="postgres://hs:pw@db.internal:5433/headstart", HEADSTART_DB_LOCK_WAIT_MS="1500")
    assert s["DATABASES"]["default"]["OPTIONS"]["options"] == "-c lock_timeout=1500"


@pytest.mark.parametrize("value", ["0", "soon"])
def test_a_lock_wait_that_is_not_a_positive_number_of_milliseconds_is_refused(fresh_settings, value):
    with pytest.raises(ConfigError, match="HEADSTART_DB_LOCK_WAIT_MS"):
        fresh_settings(HEADSTART_DB_LOCK_WAIT_MS=value)
