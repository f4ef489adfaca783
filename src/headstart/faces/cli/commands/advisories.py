"""headstart advisory create|schedule|list|show."""

from __future__ import annotations

import argparse
from pathlib import Path

from headstart.faces import present
from headstart.faces.cli.common import Subparsers, add_json, cli_actor, read_file
from headstart.faces.cli.output import emit, progress, table


def register(sub: Subparsers) -> None:
    p = sub.add_parser("advisory", help="create, schedule and inspect advisories")
    asub = p.add_subparsers(dest="advisory_command", metavar="ACTION", required=True)

    c = asub.add_parser("create", help="create an advisory (a draft) with its artifacts")
    c.add_argument("id", help="identifier, e.g. HS-2026-0001")
    c.add_argument("--title", required=True, help="the advisory's title, 1-300 characters (confidential until public)")
    c.add_argument("--patch-at", required=True, help="public release time, ISO 8601 with a time zone")
    c.add_argument("--writeup", required=True, metavar="FILE", help="technical write-up (Markdown)")
    c.add_argument("--guidance", metavar="FILE", help="detection guidance (Markdown)")
    c.add_argument("--poc", action="append", default=[], metavar="FILE",
                   help="proof-of-concept file; source (.py, .c, ...) or binary (repeatable)")
    c.add_argument("--trigger-spec", action="append", default=[], metavar="FILE",
                   help="trigger specification (YAML) for the binary PoCs (repeatable)")
    c.add_argument("--cve", default="", help="CVE identifier, e.g. CVE-2026-12345 (default: none)")
    c.add_argument("--cvss", default="", metavar="VECTOR", help="CVSS 3.1 or 4.0 vector")
    c.add_argument("--product", action="append", default=[], help="affected product (repeatable)")
    c.add_argument("--schedule", action="store_true", help="schedule it right away")
    add_json(c)
    c.set_defaults(handler=run_create)

    s = asub.add_parser("schedule", help="schedule a draft: partners see it as their windows open")
    s.add_argument("id", help="advisory identifier, e.g. HS-2026-0001")
    add_json(s)
    s.set_defaults(handler=run_schedule)

    w = asub.add_parser("withdraw", help="withdraw an advisory before its patch time: partners see it no more "
                                         "and those who could are notified")
    w.add_argument("id", help="advisory identifier")
    w.add_argument("--reason", required=True, help="why it is withdrawn (kept in the audit log)")
    add_json(w)
    w.set_defaults(handler=run_withdraw)

    chk = asub.add_parser("check", help="check every artifact can be marked and every binary PoC meets its trigger")
    chk.add_argument("id", help="advisory identifier")
    add_json(chk)
    chk.set_defaults(handler=run_check)

    prep = asub.add_parser("prepare", help="render, sign and encrypt every entitled partner's package ahead of release")
    prep.add_argument("id", help="advisory identifier (a scheduled advisory)")
    add_json(prep)
    prep.set_defaults(handler=run_prepare)

    ls = asub.add_parser("list", help="list advisories")
    add_json(ls)
    ls.set_defaults(handler=run_list)

    show = asub.add_parser("show", help="show an advisory, its artifacts and each tier's window")
    show.add_argument("id", help="advisory identifier")
    add_json(show)
    show.set_defaults(handler=run_show)


def run_create(args: argparse.Namespace) -> int:
    from django.db import transaction

    from headstart.apps.advisories.files import removed_unless_committed
    from headstart.apps.advisories.services import ArtifactInput, create_advisory, guess_poc_kind
    from headstart.apps.delivery.services import schedule

    def item(kind: str, path: str) -> ArtifactInput:
        return ArtifactInput(kind, Path(path).name, read_file(path, what=kind))

    items = [item("writeup", args.writeup)]
    if args.guidance:
        items.append(item("guidance", args.guidance))
    items += [item(guess_poc_kind(path), path) for path in args.poc]
    items += [item("trigger-spec", path) for path in args.trigger_spec]
    # Scheduling may fail after the files are written: the guard deletes them with the rows.
    with removed_unless_committed(), transaction.atomic():
        advisory = create_advisory(args.id, title=args.title, patch_at=args.patch_at, artifacts=items,
                                   actor=cli_actor(), cve=args.cve, cvss=args.cvss, products=args.product)
        if args.schedule:
            schedule(advisory, actor=cli_actor())
            advisory.refresh_from_db()
    data = present.advisory_full(advisory)
    emit(args, data, f"Created advisory {advisory.ident} ({advisory.status}, {len(data['artifacts'])} artifacts, "
                     f"public at {advisory.patch_at.isoformat()})")
    return 0


def run_schedule(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.services import schedule

    advisory = get_advisory(args.id)
    commitment = schedule(advisory, actor=cli_actor())
    advisory.refresh_from_db()
    data = present.advisory(advisory) | {"commitment": {"version": commitment.version, "digest": commitment.digest}}
    emit(args, data, f"Scheduled {advisory.ident}; public at {advisory.patch_at.isoformat()}; "
                     f"codebook commitment {commitment.digest}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.services import check_advisory

    report = check_advisory(get_advisory(args.id))
    data = {"advisory": report.advisory, "ok": report.ok, "problems": report.problems,
            "artifacts": [asdict(a) for a in report.artifacts]}

    def text() -> str:
        lines = [table([(a.file_name, a.kind, a.slots, f"{a.capacity_bits:.0f}", a.unmarked_reason or "")
                        for a in report.artifacts], ["FILE", "KIND", "SLOTS", "BITS", "UNMARKED BECAUSE"])]
        lines += [f"problem: {p}" for p in report.problems]
        lines.append("OK: ready to schedule" if report.ok else "NOT READY")
        return "\n".join(lines)

    emit(args, data, text)
    return 0 if report.ok else 1


def run_prepare(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.services import prepare_all

    advisory = get_advisory(args.id)
    result = prepare_all(advisory, actor=cli_actor(), progress=progress)
    skipped = result["skipped"]
    emit(args, result, "\n".join(
        [f"Prepared {len(result['prepared'])} package{'' if len(result['prepared']) == 1 else 's'}; "
         f"skipped {len(skipped)}" + (":" if skipped else "")]
        + [f"  {s['partner']}: {s['reason']}" for s in skipped]))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.models import Advisory

    items = [present.advisory(a) for a in Advisory.objects.all()]
    emit(args, items, lambda: table(
        [(a["id"], a["status"], f"{a['patch_at']:%Y-%m-%d %H:%M}Z", a["cvss_severity"] or "-", a["title"])
         for a in items], ["ADVISORY", "STATUS", "PATCH AT", "SEVERITY", "TITLE"]))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.access import window_opens_at
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.partners.models import Tier

    advisory = get_advisory(args.id)
    data = present.advisory_full(advisory)
    data["windows"] = {t.name: window_opens_at(advisory, t) for t in Tier.objects.order_by("name")}

    def text() -> str:
        lines = [f"{data['id']}: {data['title']}", f"  status:   {data['status']}",
                 f"  patch at: {data['patch_at'].isoformat()}",
                 f"  CVE:      {data['cve'] or '-'}",
                 f"  CVSS:     {data['cvss_vector'] or '-'} ({data['cvss_severity'] or '-'} {data['cvss_score'] or ''})".rstrip(),
                 f"  products: {', '.join(data['products']) or '-'}", "  windows open:"]
        lines += [f"    {tier}: {when.isoformat()}" for tier, when in data["windows"].items()]
        lines.append(table([(a["name"], a["kind"], a["version"], a["size"], a["sha256"][:16])
                            for a in data["artifacts"]], ["ARTIFACT", "KIND", "V", "BYTES", "SHA-256"]))
        return "\n".join(lines)

    emit(args, data, text)
    return 0


def run_withdraw(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import get_advisory, withdraw_advisory
    from headstart.apps.notifications.models import Notification, NotificationKind

    advisory = withdraw_advisory(get_advisory(args.id), reason=args.reason, actor=cli_actor())
    notices = Notification.objects.filter(advisory=advisory, kind=NotificationKind.WITHDRAWN).count()
    data = present.advisory(advisory) | {"withdrawal_notices": notices}
    emit(args, data, f"Withdrew {advisory.ident}; partners no longer see it. {notices} withdrawal notices queued "
                     "(`headstart worker` sends them).")
    return 0
