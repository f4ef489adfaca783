"""Helpers shared by CLI commands."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import TypeAlias

from headstart.apps.audit.services import Actor
from headstart.errors import Invalid, NotFound

# What each command module's register() receives: the `headstart` parser's subcommands.
# (A string: argparse's class is not subscriptable at run time.)
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def cli_actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry in some containers
        who = "unknown"
    return Actor(name=f"cli:{who}")


def read_file(path: str, *, what: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise NotFound(f"{what} file {path} does not exist")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise Invalid(f"cannot read {what} file {path}: {exc.strerror}") from None


def read_text(path: str, *, what: str) -> str:
    """A UTF-8 text file; the byte-order mark editors on Windows put first is not part of it."""
    data = read_file(path, what=what)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise Invalid(f"{what} file {path} is not UTF-8 text") from None


def add_json(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of text")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1, or a usage error naming the value."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is less than 1")
    return value
