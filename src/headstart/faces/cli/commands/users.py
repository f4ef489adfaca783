"""headstart user add|list|passwd|invite|invitations|revoke-invitation, headstart token create|list|revoke."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import sys
from typing import TYPE_CHECKING, Any

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit, table

if TYPE_CHECKING:
    from headstart.apps.accounts.models import ApiToken, Invitation


def register(sub: Subparsers) -> None:
    p = sub.add_parser("user", help="manage users")
    usub = p.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = usub.add_parser("add", help="add a PSIRT staff user or a partner user")
    add.add_argument("email", help="the user's e-mail address, which is also the sign-in name")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--partner", metavar="NAME", help="the partner the user belongs to")
    who.add_argument("--staff", action="store_true", help="PSIRT staff: manages everything")
    add.add_argument("--role", choices=["admin", "analyst"], help="partner role (with --partner)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read a password for portal sign-in from standard input (else: prompt on a terminal, "
                          "or no password: API tokens only)")
    add_json(add)
    add.set_defaults(handler=run_add)
    ls = usub.add_parser("list", help="list users")
    add_json(ls)
    ls.set_defaults(handler=run_list)
    passwd = usub.add_parser("passwd", help="set a user's password for portal sign-in (checked by the password rules)")
    passwd.add_argument("email", help="e-mail address of the user (any letter case)")
    passwd.add_argument("--password-stdin", action="store_true",
                        help="read the password from standard input (else: prompt on a terminal)")
    add_json(passwd)
    passwd.set_defaults(handler=run_passwd)
    invite = usub.add_parser("invite", help="e-mail a link with which a new user sets a password (works once, for "
                                            "7 days)",
                             description="Records an invitation and mails its link (EMAIL_BACKEND; the console in "
                                         "development). The invitee sets a password on the link's page, then signs "
                                         "in and enrols a second factor. The command never prints the link; the "
                                         "console mail backend prints the mail on standard error.")
    invite.add_argument("email", help="the address to invite, which becomes the sign-in name")
    iwho = invite.add_mutually_exclusive_group(required=True)
    iwho.add_argument("--partner", metavar="NAME", help="the partner the user joins")
    iwho.add_argument("--staff", action="store_true", help="invite PSIRT staff")
    invite.add_argument("--role", choices=["admin", "analyst"], help="partner role (with --partner)")
    add_json(invite)
    invite.set_defaults(handler=run_invite)
    invs = usub.add_parser("invitations", help="list invitations and their state (pending, accepted, revoked, expired)")
    add_json(invs)
    invs.set_defaults(handler=run_invitations)
    unvite = usub.add_parser("revoke-invitation", help="revoke a pending invitation: its link stops working")
    unvite.add_argument("id", type=int, help="the invitation's id (see `headstart user invitations`)")
    add_json(unvite)
    unvite.set_defaults(handler=run_revoke_invitation)

    t = sub.add_parser("token", help="manage API tokens")
    tsub = t.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = tsub.add_parser("create", help="create an API token; it is printed once and stored hashed")
    create.add_argument("email", help="e-mail address of the user the token acts as")
    create.add_argument("--name", default="", help="what the token is for (which script or host), shown in lists")
    add_json(create)
    create.set_defaults(handler=run_token)
    tls = tsub.add_parser("list", help="list API tokens (never the tokens themselves: they are stored hashed)")
    add_json(tls)
    tls.set_defaults(handler=run_token_list)
    revoke = tsub.add_parser("revoke", help="revoke a token by its id, or every token of a user by e-mail; final")
    revoke.add_argument("target", metavar="TOKEN_ID|EMAIL",
                        help="a token id from `token list`, or an e-mail address: every token of that user")
    add_json(revoke)
    revoke.set_defaults(handler=run_token_revoke)


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

    record, token = create_token(get_user(args.email), actor=cli_actor(), name=args.name)
    emit(args, {"email": args.email.lower(), "token": token, "prefix": record.prefix, "name": record.name},
         f"{token}\n(shown once; only its hash is stored. Send it as 'Authorization: Bearer TOKEN'.)")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import list_users

    users = [{"email": u.email, "role": u.role, "partner": u.partner.name if u.partner else None,
              "active": u.is_active, "password_set": u.has_usable_password(), "last_login": u.last_login}
             for u in list_users()]
    emit(args, users, lambda: table(
        [(u["email"], u["role"], u["partner"] or "-", "yes" if u["active"] else "no",
          "yes" if u["password_set"] else "no", _when(u["last_login"])) for u in users],
        ["EMAIL", "ROLE", "PARTNER", "ACTIVE", "PASSWORD", "LAST SIGN-IN"]))
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import get_user, set_password
    from headstart.errors import Invalid

    get_user(args.email)  # an unknown user is reported before any password is asked for
    if not args.password_stdin and not sys.stdin.isatty():
        raise Invalid("give the password on standard input with --password-stdin")
    password = _password(args)
    if not password:
        raise Invalid("no password given")
    user = set_password(args.email, password, actor=cli_actor())
    emit(args, {"email": user.email, "password_set": True}, f"Password set for {user.email}")
    return 0


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if isinstance(value, dt.datetime) else "-"


def _token_view(t: ApiToken) -> dict[str, Any]:
    from headstart.apps.accounts.own_tokens import state

    return {"id": t.pk, "name": t.name, "prefix": t.prefix, "user": t.user.email, "created_at": t.created_at,
            "last_used_at": t.last_used_at, "expires_at": t.expires_at, "revoked_at": t.revoked_at, "state": state(t)}


def run_token_list(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import list_tokens

    rows = [_token_view(t) for t in list_tokens()]
    emit(args, rows, lambda: table(
        [(r["id"], r["name"] or "-", f"{r['prefix']}...", r["user"], _when(r["created_at"]), _when(r["last_used_at"]),
          _when(r["expires_at"]), _when(r["revoked_at"]), r["state"]) for r in rows],
        ["ID", "NAME", "PREFIX", "USER", "CREATED", "LAST USED", "EXPIRES", "REVOKED", "STATE"]))
    return 0


def run_token_revoke(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.services import revoke_tokens

    named, revoked = revoke_tokens(args.target, actor=cli_actor())
    now_ids = {t.pk for t in revoked}
    data = {"revoked": [_token_view(t) for t in revoked],
            "already_revoked": [t.pk for t in named if t.pk not in now_ids]}
    if revoked:
        text = "Revoked " + ", ".join(f"token {t.pk} ({t.prefix}..., {t.user.email})" for t in revoked)
    elif named:
        text = "Nothing to revoke: " + ", ".join(f"token {t.pk}" for t in named) + " already revoked"
    else:
        text = f"Nothing to revoke: {args.target} has no tokens"
    emit(args, data, text)
    return 0


def _invitation_view(inv: Invitation) -> dict[str, Any]:
    from headstart.apps.accounts.invitations import state

    return {"id": inv.pk, "email": inv.email, "role": inv.role, "partner": inv.partner.name if inv.partner else None,
            "invited_by": inv.invited_by_name, "created_at": inv.created_at, "expires_at": inv.expires_at,
            "state": state(inv)}


def run_invite(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.invitations import invite
    from headstart.apps.partners.services import get_partner
    from headstart.errors import Invalid

    if args.partner and not args.role:
        raise Invalid("a partner user needs --role admin or --role analyst")
    if args.staff and args.role:
        raise Invalid("--role is for partner users; staff have no partner role")
    partner = get_partner(args.partner) if args.partner else None
    # The console mail backend (development) writes the mail to standard output: send it to
    # standard error, so that standard output is this command's answer alone (--json).
    with contextlib.redirect_stdout(sys.stderr):
        invitation = invite(args.email, role="staff" if args.staff else args.role, partner=partner, actor=cli_actor())
    emit(args, _invitation_view(invitation),
         f"Invited {invitation.email} (invitation {invitation.pk}); the link, mailed to that address, works once "
         f"until {_when(invitation.expires_at)} UTC")
    return 0


def run_invitations(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.invitations import listing

    rows = [_invitation_view(inv) for inv in listing()]
    emit(args, rows, lambda: table(
        [(r["id"], r["email"], r["role"], r["partner"] or "-", r["invited_by"], _when(r["created_at"]),
          _when(r["expires_at"]), r["state"]) for r in rows],
        ["ID", "EMAIL", "ROLE", "PARTNER", "INVITED BY", "CREATED", "EXPIRES", "STATE"]))
    return 0


def run_revoke_invitation(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.invitations import revoke

    invitation = revoke(args.id, actor=cli_actor())
    emit(args, _invitation_view(invitation), f"Revoked invitation {invitation.pk} of {invitation.email}")
    return 0
