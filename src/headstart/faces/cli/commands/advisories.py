"""headstart advisory create|schedule|list|show."""

from __future__ import annotations

from pathlib import Path

from headstart.faces import present
from headstart.faces.cli.common import add_json, cli_actor, read_file
from headstart.faces.cli.output import emit, table


def register(sub) -> None:  # type: ignore[no-untyped-def]
    p = sub.add_parser("advisory", help="create, schedule and inspect advisories")
    asub = p.add_subparsers(dest="advisory_command", metavar="ACTION", required=True)

    c = asub.add_parser("create", help="create an advisory (a draft) with its artifacts")
    c.add_argument("id", help="identifier, e.g. HS-2026-0001")
    c.add_argument("--title", required=True)
    c.add_argument("--patch-at", required=True, help="public release time, ISO 8601 with a time zone")
    c.add_argument("--writeup", required=True, metavar="FILE", help="technical write-up (Markdown)")
    c.add_argument("--guidance", metavar="FILE", help="detection guidance (Markdown)")
    c.add_argument("--poc", action="append", default=[], metavar="FILE",
                   help="proof-of-concept file; source (.py, .c, ...) or binary (repeatable)")
    c.add_argument("--trigger-spec", action="append", default=[], metavar="FILE",
                   help="trigger specification (YAML) for the binary PoCs (repeatable)")
    c.add_argument("--cve", default="")
    c.add_argument("--cvss", default="", metavar="VECTOR", help="CVSS 3.1 or 4.0 vector")
    c.add_argument("--product", action="append", default=[], help="affected product (repeatable)")
    c.add_argument("--schedule", action="store_true", help="schedule it right away")
    add_json(c)
    c.set_defaults(handler=run_create)

    s = asub.add_parser("schedule", help="schedule a draft: partners see it as their windows open")
    s.add_argument("id")
    add_json(s)
    s.set_defaults(handler=run_schedule)

    ls = asub.add_parser("list", help="list advisories")
    add_json(ls)
    ls.set_defaults(handler=run_list)

    show = asub.add_parser("show", help="show an advisory, its artifacts and each tier's window")
    show.add_argument("id")
    add_json(show)
    show.set_defaults(handler=run_show)


def run_create(args) -> int:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from headstart.apps.advisories.services import (ArtifactInput, create_advisory, guess_poc_kind,
                                                    schedule_advisory)

    def item(kind: str, path: str) -> ArtifactInput:
        return ArtifactInput(kind, Path(path).name, read_file(path, what=kind))

    items = [item("writeup", args.writeup)]
    if args.guidance:
        items.append(item("guidance", args.guidance))
    items += [item(guess_poc_kind(path), path) for path in args.poc]
    items += [item("trigger-spec", path) for path in args.trigger_spec]
    with transaction.atomic():
        advisory = create_advisory(args.id, title=args.title, patch_at=args.patch_at, artifacts=items,
                                   actor=cli_actor(), cve=args.cve, cvss=args.cvss, products=args.product)
        if args.schedule:
            advisory = schedule_advisory(advisory, actor=cli_actor())
    data = present.advisory_full(advisory)
    emit(args, data, f"Created advisory {advisory.ident} ({advisory.status}, {len(data['artifacts'])} artifacts, "
                     f"public at {advisory.patch_at.isoformat()})")
    return 0


def run_schedule(args) -> int:  # type: ignore[no-untyped-def]
    from headstart.apps.advisories.services import get_advisory, schedule_advisory

    advisory = schedule_advisory(get_advisory(args.id), actor=cli_actor())
    emit(args, present.advisory(advisory), f"Scheduled {advisory.ident}; public at {advisory.patch_at.isoformat()}")
    return 0


def run_list(args) -> int:  # type: ignore[no-untyped-def]
    from headstart.apps.advisories.models import Advisory

    items = [present.advisory(a) for a in Advisory.objects.all()]
    emit(args, items, lambda: table(
        [(a["id"], a["status"], f"{a['patch_at']:%Y-%m-%d %H:%M}Z", a["cvss_severity"] or "-", a["title"])
         for a in items], ["ADVISORY", "STATUS", "PATCH AT", "SEVERITY", "TITLE"]))
    return 0


def run_show(args) -> int:  # type: ignore[no-untyped-def]
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
