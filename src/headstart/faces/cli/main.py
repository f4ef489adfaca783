"""The `headstart` command. Each subcommand lives in commands/ and calls the service layer."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

COMMAND_MODULES = ("init", "serve", "tiers", "partners", "users", "nda", "advisories", "artifacts", "copies",
                   "investigate", "audit", "seed", "sample", "worker", "remote", "demo", "signin")
# These never touch the program's data: they run on a fresh temporary HEADSTART_HOME.
THROWAWAY_HOME = {"demo", "remote"}


def _use_throwaway_home(argv: Sequence[str]) -> None:
    import atexit
    import shutil
    import tempfile

    words = [a for a in argv if not a.startswith("-")]
    if not words or words[0] not in THROWAWAY_HOME:
        return
    home = tempfile.mkdtemp(prefix=f"headstart-{words[0]}-")
    os.environ["HEADSTART_HOME"] = home
    if words[0] == "demo":
        os.environ.pop("DATABASE_URL", None)  # the demo always runs on its own SQLite file
        os.environ.pop("HEADSTART_MARKING_KEY", None)
        os.environ.pop("HEADSTART_SIGNING_KEY_FILE", None)
    if "--keep" not in argv:
        atexit.register(shutil.rmtree, home, ignore_errors=True)


def build_parser() -> argparse.ArgumentParser:
    from importlib import import_module

    parser = argparse.ArgumentParser(
        prog="headstart",
        description="Run a private vulnerability pre-disclosure program with individually marked copies.",
        epilog="Data lives in $HEADSTART_HOME (default ./var). Every command that reports takes --json.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        import_module(f"headstart.faces.cli.commands.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Everything this process creates (database files, keys, artifacts) is its user's alone.
    umask = os.umask(0o077)
    try:
        return _main(argv)
    finally:
        os.umask(umask)  # main() may run inside another process (the tests)


def _main(argv: Sequence[str] | None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    import django
    from django.apps import apps

    from headstart.config.env import ConfigError

    try:
        # Command modules import models, so Django comes first (once: main() may be called
        # again in one process, and a second setup would rebuild logging on today's stderr).
        if not apps.ready:
            _use_throwaway_home(argv)
            django.setup()
    except ConfigError as exc:
        print(f"headstart: configuration error: {exc}", file=sys.stderr)
        return 2
    parser = build_parser()
    args = parser.parse_args(argv)  # --help exits here, before anything touches the home
    from django.db import OperationalError

    from headstart.errors import HeadstartError
    from headstart.faces.busy import is_database_busy
    from headstart.faces.cli.home import check_home

    try:
        check_home(args.command)
        code = int(args.handler(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not at exit, where it would be a traceback
        return code
    except HeadstartError as exc:
        print(f"headstart: error: {exc.message}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        if not is_database_busy(exc):
            raise
        print("headstart: error: the database is busy with another write for longer than HEADSTART_DB_LOCK_WAIT_MS; "
              "try again", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`| head -1`): stop quietly. Python would flush stdout again at
        # exit and fail once more, so point it at /dev/null (the recipe of Python's signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("headstart: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
