"""headstart audit verify|checkpoint|list."""

from __future__ import annotations

import argparse
from pathlib import Path

from headstart.faces.cli.common import Subparsers, add_json
from headstart.faces.cli.output import emit, table


def register(sub: Subparsers) -> None:
    p = sub.add_parser("audit", help="check and read the audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = asub.add_parser("verify", help="walk the hash chain and check it against the signed checkpoints; report "
                                       "the first broken link (exit 1 if broken)")
    v.add_argument("--checkpoint", action="append", default=[], metavar="FILE", type=Path,
                   help="also check this signed checkpoint (e.g. one a partner kept); may be repeated. "
                        "Those in $HEADSTART_HOME/checkpoints are always checked")
    add_json(v)
    v.set_defaults(handler=run_verify)
    c = asub.add_parser("checkpoint", help="sign the chain's head with the program key and keep it in "
                                           "$HEADSTART_HOME/checkpoints (refused if the log does not verify)")
    add_json(c)
    c.set_defaults(handler=run_checkpoint)
    ls = asub.add_parser("list", help="show the latest events, oldest first")
    ls.add_argument("--limit", type=int, default=50, metavar="N",
                    help="show at most the N latest matching events (default 50, at most 10000)")
    ls.add_argument("--partner", default="", metavar="NAME",
                    help="only events about this partner: on it, by its users, on its users, or naming it "
                         "in their details")
    ls.add_argument("--action", default="", metavar="ACTION", help="only events of this action, e.g. partner.suspend")
    add_json(ls)
    ls.set_defaults(handler=run_list)


def run_verify(args: argparse.Namespace) -> int:
    from headstart.apps.program.checkpoints import verify_with_checkpoints
    from headstart.errors import Invalid

    for path in args.checkpoint:
        if not path.is_file():
            raise Invalid(f"--checkpoint {path}: no such file")
    result = verify_with_checkpoints(args.checkpoint)
    checked = f", {len(result.checkpoints)} checkpoint{'s' if len(result.checkpoints) != 1 else ''} match" \
        if result.checkpoints else ""
    where = f" at event #{result.first_broken_seq}" if result.first_broken_seq is not None else ""
    emit(args, result.as_dict(),
         f"OK: {result.events} events, chain intact{checked}" if result.ok else f"BROKEN{where}: {result.problem}")
    return 0 if result.ok else 1


def run_checkpoint(args: argparse.Namespace) -> int:
    from headstart.apps.program.checkpoints import write_checkpoint

    checkpoint = write_checkpoint()
    emit(args, {"seq": checkpoint.seq, "hash": checkpoint.hash, "at": checkpoint.at, "program": checkpoint.program,
                "file": str(checkpoint.path)},
         f"Checkpoint #{checkpoint.seq} ({checkpoint.hash[:16]}...) signed: {checkpoint.path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from itertools import islice

    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.audit.queries import events_about_partner
    from headstart.apps.partners.services import get_partner

    limit = max(1, min(args.limit, 10000))
    qs = AuditEvent.objects.order_by("-seq")
    if args.action:
        qs = qs.filter(action=args.action)
    if args.partner:
        events = list(islice(events_about_partner(qs, get_partner(args.partner).name), limit))[::-1]
    else:
        events = list(qs[:limit])[::-1]
    data = [{"seq": e.seq, "at": e.at, "actor": e.actor, "partner": e.partner, "action": e.action,
             "object": f"{e.object_type}:{e.object_id}", "ip": e.ip, "details": e.details} for e in events]
    emit(args, data, lambda: table([(d["seq"], f"{d['at']:%Y-%m-%d %H:%M:%S}", d["actor"], d["partner"] or "-",
                                     d["action"], d["object"], d["ip"] or "-") for d in data],
                                   ["#", "AT (UTC)", "ACTOR", "PARTNER", "ACTION", "OBJECT", "IP"]))
    return 0
