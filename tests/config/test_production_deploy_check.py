"""`manage.py check --deploy` is clean with production settings (and is not clean without)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path


def deploy_check(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DATABASE_URL", "HEADSTART_ENV", "SECRET_KEY", "ALLOWED_HOSTS", "DEBUG"}}
    environment.update(DJANGO_SETTINGS_MODULE="headstart.config.settings", HEADSTART_HOME=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=environment, capture_output=True, text=True, timeout=120, check=False)


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = deploy_check(tmp_path, HEADSTART_ENV="production", SECRET_KEY=secrets.token_urlsafe(50),
                          ALLOWED_HOSTS="psirt.example.com")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_local_settings_fail_the_deploy_check_for_the_reasons_production_fixes(tmp_path):
    result = deploy_check(tmp_path)
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr, check


def test_a_malformed_variable_stops_the_command_line_with_its_name(tmp_path):
    headstart = Path(sys.executable).parent / "headstart"
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(HEADSTART_HOME=str(tmp_path), DEBUG="perhaps")
    result = subprocess.run([str(headstart), "audit", "verify"], env=environment, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == ("headstart: configuration error: DEBUG='perhaps' is not a boolean "
                                     "(use 1/0, true/false, yes/no, on/off)")
