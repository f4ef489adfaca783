"""headstart audit verify|list."""

from __future__ import annotations

import argparse

from headstart.faces.cli.common import Subparsers, add_json
from headstart.faces.cli.output import emit, table


def register(sub: Subparsers) -> None:
    p = sub.add_parser("audit", help="check and read the audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="walk the hash chain; report the first broken link (exit 1 if broken)")
    add_json(v)
    v.set_defaults(handler=run_verify)
    ls = asub.add_parser("list", help="show the latest events")
    ls.add_argument("--limit", type=int, default=50)
    ls.add_argument("--partner", default="")
    ls.add_argument("--action", default="")
    add_json(ls)
    ls.set_defaults(handler=run_list)


def run_verify(args: argparse.Namespace) -> int:
    from headstart.apps.audit.services import verify

    result = verify()
    emit(args, result.as_dict(),
         f"OK: {result.events} events, chain intact" if result.ok
         else f"BROKEN at event #{result.first_broken_seq}: {result.problem}")
    return 0 if result.ok else 1


def run_list(args: argparse.Namespace) -> int:
    from headstart.apps.audit.models import AuditEvent

    qs = AuditEvent.objects.order_by("-seq")
    if args.partner:
        qs = qs.filter(partner=args.partner)
    if args.action:
        qs = qs.filter(action=args.action)
    events = list(qs[: max(1, min(args.limit, 10000))])[::-1]
    data = [{"seq": e.seq, "at": e.at, "actor": e.actor, "partner": e.partner, "action": e.action,
             "object": f"{e.object_type}:{e.object_id}", "ip": e.ip, "details": e.details} for e in events]
    emit(args, data, lambda: table([(d["seq"], f"{d['at']:%Y-%m-%d %H:%M:%S}", d["actor"], d["partner"] or "-",
                                     d["action"], d["object"], d["ip"] or "-") for d in data],
                                   ["#", "AT (UTC)", "ACTOR", "PARTNER", "ACTION", "OBJECT", "IP"]))
    return 0
