"""headstart nda publish|accept|show."""

from __future__ import annotations

import argparse

from headstart.faces.cli.common import Subparsers, add_json, cli_actor, read_text
from headstart.faces.cli.output import emit


def register(sub: Subparsers) -> None:
    p = sub.add_parser("nda", help="publish and accept NDA versions")
    nsub = p.add_subparsers(dest="nda_command", metavar="ACTION", required=True)
    pub = nsub.add_parser("publish", help="publish a new NDA version; partners must accept it again")
    pub.add_argument("file", help="the NDA's text (UTF-8); it becomes the next version")
    add_json(pub)
    pub.set_defaults(handler=run_publish)
    acc = nsub.add_parser("accept", help="record a partner admin's acceptance of the current NDA")
    acc.add_argument("--partner", required=True, metavar="NAME", help="the partner that accepts")
    acc.add_argument("--user", required=True, help="e-mail of the partner admin who accepted")
    add_json(acc)
    acc.set_defaults(handler=run_accept)
    show = nsub.add_parser("show", help="show the current NDA version")
    add_json(show)
    show.set_defaults(handler=run_show)


def run_publish(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import publish_nda

    nda = publish_nda(read_text(args.file, what="NDA"), actor=cli_actor())
    emit(args, {"version": nda.version, "sha256": nda.sha256},
         f"Published NDA version {nda.version} (sha256 {nda.sha256}); every partner must accept it before seeing advisories")
    return 0


def run_accept(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import get_user
    from headstart.apps.partners.services import accept_nda, get_partner

    acceptance = accept_nda(get_partner(args.partner), get_user(args.user), actor=cli_actor())
    data = {"partner": acceptance.partner.name, "user": acceptance.user.email, "version": acceptance.nda.version,
            "sha256": acceptance.nda.sha256, "accepted_at": acceptance.accepted_at}
    emit(args, data, f"{data['partner']} accepted NDA version {data['version']} (by {data['user']})")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import current_nda
    from headstart.errors import NotFound

    nda = current_nda()
    if nda is None:
        raise NotFound("no NDA has been published")
    emit(args, {"version": nda.version, "sha256": nda.sha256, "text": nda.text},
         f"NDA version {nda.version} (sha256 {nda.sha256})\n\n{nda.text}")
    return 0
