"""headstart artifact replace|allow-unmarked."""

from __future__ import annotations

import argparse
from pathlib import Path

from headstart.faces import present
from headstart.faces.cli.common import Subparsers, add_json, cli_actor, read_file
from headstart.faces.cli.output import emit


def register(sub: Subparsers) -> None:
    p = sub.add_parser("artifact", help="change an advisory's artifacts")
    asub = p.add_subparsers(dest="artifact_command", metavar="ACTION", required=True)
    rep = asub.add_parser("replace", help="store a changed file as a new version (earlier copies stay attributable)")
    rep.add_argument("id", help="advisory identifier")
    rep.add_argument("file", help="the changed file; the artifact keeps its kind (text kinds must be UTF-8)")
    rep.add_argument("--name", help="artifact name to replace (default: the file's name)")
    add_json(rep)
    rep.set_defaults(handler=run_replace)
    un = asub.add_parser("allow-unmarked", help="let an artifact without slots go out unmarked, with a reason")
    un.add_argument("id", help="advisory identifier")
    un.add_argument("name", help="artifact name, as `advisory show` lists it")
    un.add_argument("--reason", required=True, help="why it may go out unmarked (kept in the audit log)")
    add_json(un)
    un.set_defaults(handler=run_allow_unmarked)


def run_replace(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import get_advisory, replace_artifact

    artifact = replace_artifact(get_advisory(args.id), args.name or Path(args.file).name,
                                read_file(args.file, what="artifact"), actor=cli_actor())
    emit(args, present.artifact(artifact), f"{artifact.name} is now version {artifact.version} ({artifact.sha256[:16]})")
    return 0


def run_allow_unmarked(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import allow_unmarked, get_advisory

    artifact = allow_unmarked(get_advisory(args.id), args.name, reason=args.reason, actor=cli_actor())
    emit(args, present.artifact(artifact) | {"unmarked_reason": artifact.unmarked_reason},
         f"{artifact.name} may go out unmarked: {artifact.unmarked_reason}")
    return 0
