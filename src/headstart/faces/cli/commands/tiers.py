"""headstart tier add|set|list."""

from __future__ import annotations

import argparse

from headstart.faces import present
from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit, table


def register(sub: Subparsers) -> None:
    p = sub.add_parser("tier", help="manage tiers (lead time and entitlements)")
    tsub = p.add_subparsers(dest="tier_command", metavar="ACTION", required=True)
    add = tsub.add_parser("add", help="add a tier")
    add.add_argument("name", help="tier name: a slug (letters, digits, - and _), at most 50 characters")
    add.add_argument("--lead-time", required=True, help="how long before the patch partners get access, e.g. 72h, 3d")
    add.add_argument("--entitles", required=True, help="comma-separated: writeup,guidance,poc,trigger-spec")
    add_json(add)
    add.set_defaults(handler=run_add)
    st = tsub.add_parser("set", help="change a tier's lead time and/or entitlements (every partner of the tier "
                                     "sees advisories from the new window on)")
    st.add_argument("name", help="the tier's name")
    st.add_argument("--lead-time", help="how long before the patch partners get access, e.g. 72h, 3d")
    st.add_argument("--entitles", help="comma-separated: writeup,guidance,poc,trigger-spec")
    add_json(st)
    st.set_defaults(handler=run_set)
    ls = tsub.add_parser("list", help="list tiers")
    add_json(ls)
    ls.set_defaults(handler=run_list)


def run_add(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import add_tier, parse_lead_time

    tier = add_tier(args.name, parse_lead_time(args.lead_time), args.entitles.split(","), actor=cli_actor())
    data = present.tier(tier)
    emit(args, data, f"Added tier {tier.name} (lead time {data['lead_time']}; {', '.join(tier.entitlements)})")
    return 0


def run_set(args: argparse.Namespace) -> int:
    from headstart.apps.partners.services import parse_lead_time, update_tier
    from headstart.errors import Invalid

    if args.lead_time is None and args.entitles is None:
        raise Invalid("give --lead-time, --entitles or both")
    tier = update_tier(args.name, lead_time=None if args.lead_time is None else parse_lead_time(args.lead_time),
                       entitlements=None if args.entitles is None else args.entitles.split(","), actor=cli_actor())
    data = present.tier(tier)
    emit(args, data, f"Tier {tier.name}: lead time {data['lead_time']}; {', '.join(tier.entitlements)}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from headstart.apps.partners.models import Tier

    tiers = [present.tier(t) for t in Tier.objects.order_by("name")]
    emit(args, tiers, lambda: table([(t["name"], t["lead_time"], ",".join(t["entitlements"])) for t in tiers],
                                    ["TIER", "LEAD TIME", "ENTITLEMENTS"]))
    return 0
