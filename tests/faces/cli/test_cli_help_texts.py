"""Every option and positional of every `headstart` subcommand says what it is for."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

import pytest

from headstart.faces.cli.main import build_parser


def _commands(parser: argparse.ArgumentParser, path: str = "headstart") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, f"{path} {name}")


def _arguments(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
            continue
        yield action


COMMANDS = list(_commands(build_parser()))


def _label(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or action.dest


@pytest.mark.parametrize(("path", "parser"), [pytest.param(path, parser, id=path) for path, parser in COMMANDS])
def test_every_argument_of_the_command_has_help_text(path, parser):
    missing = [_label(a) for a in _arguments(parser) if not (a.help or "").strip() or a.help == argparse.SUPPRESS]

    assert missing == [], f"{path}: no help text for {', '.join(missing)}"


def test_every_subcommand_has_help_text():
    missing = [f"{path} {choice.dest}" for path, parser in COMMANDS for action in parser._actions
               if isinstance(action, argparse._SubParsersAction)
               for choice in action._choices_actions if not (choice.help or "").strip()]

    assert missing == []


def test_the_walk_sees_every_command():
    paths = {path for path, _ in COMMANDS}

    assert {"headstart advisory create", "headstart remote download", "headstart audit list"} <= paths
    assert len(paths) > 40
