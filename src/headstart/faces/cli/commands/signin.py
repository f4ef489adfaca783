"""headstart signin lockouts|unlock|reset-factors: staff help for users who cannot sign in."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit, table


def register(sub: Subparsers) -> None:
    p = sub.add_parser("signin", help="sign-in lockouts and lost second factors")
    ssub = p.add_subparsers(dest="signin_command", metavar="ACTION", required=True)
    ls = ssub.add_parser("lockouts", help="list the e-mail addresses locked out now (too many wrong passwords), "
                                          "with the IP address, failures and when the lockout ends")
    add_json(ls)
    ls.set_defaults(handler=run_lockouts)
    unlock = ssub.add_parser("unlock", help="end the lockout of an e-mail address now (from every IP address)")
    unlock.add_argument("email", help="the e-mail address that is locked out (any letter case)")
    add_json(unlock)
    unlock.set_defaults(handler=run_unlock)
    reset = ssub.add_parser("reset-factors", help="remove every second factor of a user who lost theirs (app, keys, "
                                                  "recovery codes) and end their sessions; they enrol anew at the "
                                                  "next sign-in")
    reset.add_argument("email", help="e-mail address of the user (any letter case)")
    reset.add_argument("--reason", required=True, help="why (for the audit log), e.g. 'phone lost, identity checked "
                                                       "by call to the known number'")
    add_json(reset)
    reset.set_defaults(handler=run_reset_factors)


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if isinstance(value, dt.datetime) else "-"


def run_lockouts(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.lockouts import current

    rows = [{"email": lock.email, "ip": lock.ip, "failures": lock.failures, "last_failure": lock.last_failure,
             "ends_at": lock.ends_at} for lock in current()]
    emit(args, rows, lambda: table([(r["email"], r["ip"], r["failures"], _when(r["last_failure"]), _when(r["ends_at"]))
                                    for r in rows], ["EMAIL", "IP", "FAILURES", "LAST FAILURE", "ENDS"])
         if rows else "No sign-in is locked out.")
    return 0


def run_unlock(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.lockouts import unlock

    removed = unlock(args.email, actor=cli_actor())
    email = args.email.strip().lower()
    emit(args, {"email": email, "records_removed": removed},
         f"{email} may sign in again now." if removed else f"{email} was not locked out; nothing to do.")
    return 0


def run_reset_factors(args: argparse.Namespace) -> int:
    from headstart.apps.accounts.second_factor import reset_factors
    from headstart.apps.accounts.services import get_user

    user = get_user(args.email)
    removed = reset_factors(user, actor=cli_actor(), reason=args.reason)
    emit(args, {"email": user.email, "authenticators_removed": removed},
         f"Removed {removed} second factor record(s) of {user.email} and ended their sessions; "
         "they set up a new second factor at their next sign-in.")
    return 0
