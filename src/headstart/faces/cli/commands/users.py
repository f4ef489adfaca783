"""headstart user add, headstart token create."""

from __future__ import annotations

import argparse
import getpass
import sys

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit


def register(sub: Subparsers) -> None:
    p = sub.add_parser("user", help="manage users")
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = usub.add_parser("add", help="add a PSIRT staff user or a partner user")
    add.add_argument("email")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--partner", metavar="NAME", help="the partner the user belongs to")
    who.add_argument("--staff", action="store_true", help="PSIRT staff: manages everything")
    add.add_argument("--role", choices=["admin", "analyst"], help="partner role (with --partner)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read a password for portal sign-in from standard input (else: prompt on a terminal, "
                          "or no password: API tokens only)")
    add_json(add)
    add.set_defaults(handler=run_add)

    t = sub.add_parser("token", help="manage API tokens")
    tsub = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = tsub.add_parser("create", help="create an API token; it is printed once and stored hashed")
    create.add_argument("email")
    add_json(create)
    create.set_defaults(handler=run_token)


def _password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n") or None
    if sys.stdin.isatty() and not args.json:
        first = getpass.getpass("Password for portal sign-in (empty: none): ")
        if first and getpass.getpass("Repeat: ") != first:
            from headstart.errors import Invalid

            raise Invalid("the passwords differ")
        return first or None
    return None


def run_add(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import add_user
    from headstart.apps.partners.services import get_partner
    from headstart.errors import Invalid

    if args.partner and not args.role:
        raise Invalid("a partner user needs --role admin or --role analyst")
    if args.staff and args.role:
        raise Invalid("--role is for partner users; staff have no partner role")
    partner = get_partner(args.partner) if args.partner else None
    user = add_user(args.email, actor=cli_actor(), partner=partner, role=args.role, staff=args.staff,
                    password=_password(args))
    data = {"email": user.email, "role": user.role, "partner": partner.name if partner else None,
            "password_set": user.has_usable_password()}
    emit(args, data, f"Added {user.email} ({'PSIRT staff' if args.staff else f'{args.role} of {partner}'})")
    return 0


def run_token(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import create_token, get_user

    record, token = create_token(get_user(args.email), actor=cli_actor())
    emit(args, {"email": args.email.lower(), "token": token, "prefix": record.prefix},
         f"{token}\n(shown once; only its hash is stored. Send it as 'Authorization: Bearer TOKEN'.)")
    return 0
