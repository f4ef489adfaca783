"""Typed readers for settings that come from the environment.

Every setting Headstart takes from outside goes through one of these, so a bad value
fails at start-up with the variable's name instead of deep inside a request.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, overload


class ConfigError(RuntimeError):
    """A setting in the environment is missing or malformed."""


@overload
def env_str(name: str, default: str) -> str: ...
@overload
def env_str(name: str, default: None = None) -> str | None: ...
def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not an integer") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, default: str) -> Path:
    return Path(env_str(name, default) or default).expanduser().resolve()


def env_json_object(name: str) -> dict[str, Any]:
    """A JSON object (``{}`` when unset), e.g. a storage backend's options."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return {}
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ConfigError(f"{name} is not valid JSON ({exc})") from None
    if not isinstance(parsed, dict):
        raise ConfigError(f"{name}={value!r} is not a JSON object ({{\"option\": value, ...}})")
    return parsed
