"""headstart advisory create|schedule|withdraw|check|suggest|prepare|csaf|list|show."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from headstart.faces import present
from headstart.faces.cli.commands.csaf import add_csaf_action
from headstart.faces.cli.common import Subparsers, add_json, cli_actor, positive_int, read_file
from headstart.faces.cli.output import ProgressBar, emit, progress, table

if TYPE_CHECKING:
    from headstart.apps.delivery.services import ArtifactCheck, CheckReport


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

    chk = asub.add_parser("check", help="check every artifact can be marked, every binary PoC meets its trigger, "
                                        "and a leaked copy of each would name its leaker")
    chk.add_argument("id", help="advisory identifier")
    add_json(chk)
    chk.set_defaults(handler=run_check)

    sug = asub.add_parser(
        "suggest",
        help="print a write-up with proposed {{either|or}} alternatives where its copies carry too few marks "
             "that survive a forum copy",
        description="Prints the write-up's Markdown with {{original|alternative|...}} proposals, the original "
                    "first: WordNet near-synonyms of verbs, adjectives, adverbs and abstract nouns in the "
                    "original's form, hand-read phrases and security terms, and counts with a thousands "
                    "separator; each sentence gets room for one mark per five words, filled first by the "
                    "slots that survive a forum copy. Nothing is proposed in headings, code, identifiers, "
                    "links, quoted strings or tables. Keep the alternatives that say the same thing, write "
                    "back the first choice of the others, then `headstart artifact replace`. --json lists "
                    "each proposal with the reason it was made.")
    sug.add_argument("id", help="advisory identifier")
    sug.add_argument("--artifact", required=True, metavar="NAME",
                     help="the write-up or guidance, by name as `advisory show` lists it")
    add_json(sug)
    sug.set_defaults(handler=run_suggest)

    prep = asub.add_parser("prepare", help="render, sign and encrypt every entitled partner's package ahead of release")
    prep.add_argument("id", help="advisory identifier (a scheduled advisory)")
    prep.add_argument("--workers", type=positive_int, metavar="N",
                      help="processes to prepare in (default HEADSTART_PREPARE_WORKERS, 0 there: one per core)")
    add_json(prep)
    prep.set_defaults(handler=run_prepare)

    add_csaf_action(asub)

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
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.services import check_advisory

    report = check_advisory(get_advisory(args.id))
    data = {"advisory": report.advisory, "ok": report.ok, "problems": report.problems,
            "partners": report.partners, "threshold": report.threshold, "min_robust_bits": report.floor_bits,
            "artifacts": [_artifact_check(a) for a in report.artifacts]}
    emit(args, data, lambda: _check_text(report))
    return 0 if report.ok else 1


def _artifact_check(a: ArtifactCheck) -> dict[str, Any]:
    out: dict[str, Any] = {"name": a.file_name, "kind": a.kind, "slots": a.slots, "bits": round(a.capacity_bits, 2)}
    t = a.trace
    if t is None:
        return out | {"robust_bits": None, "smallest_excerpt": None, "traceable": a.traceable,
                      "unmarked_reason": a.unmarked_reason}
    return out | {
        "robust_bits": round(t.robust_bits, 2), t.unit: t.size,
        f"robust_bits_per_{t.unit[:-1]}": round(t.robust_bits_per_unit, 4),
        "smallest_excerpt": t.smallest_excerpt, "excerpt_unit": None if t.unit == "bytes" else t.unit,
        "whole_copy_names_leaker": t.names_leaker, "leak_path": t.leak_path, "traceable": a.traceable,
        "advice": a.advice, "unmarked_reason": a.unmarked_reason,
        "weakest": [{"line": p.line, t.unit: p.size, "robust_bits": round(p.robust_bits, 2),
                     f"robust_bits_per_{t.unit[:-1]}": round(p.bits_per_unit, 4), "starts": p.preview}
                    for p in t.weakest]}


def _check_text(report: CheckReport) -> str:
    lines = [table([(a.file_name, a.kind, a.slots, f"{a.capacity_bits:.0f}",
                     f"{a.trace.robust_bits:.0f}" if a.trace else "-", _excerpt(a), a.unmarked_reason or "")
                    for a in report.artifacts],
                   ["FILE", "KIND", "SLOTS", "BITS", "ROBUST BITS", "SMALLEST EXCERPT", "UNMARKED BECAUSE"])]
    if report.artifacts:
        lines.append(f"(robust bits: read back from a forum copy; smallest excerpt: names its single leaker among "
                     f"{report.partners} partners at family-wise p <= {report.threshold:g} wherever it is cut)")
    for a in report.artifacts:
        t = a.trace
        if t is None:
            continue
        unit = t.unit[:-1]
        said = (f"{a.file_name}: {t.size} {t.unit}, {t.robust_bits:.0f} robust bits "
                f"({t.robust_bits_per_unit:.3f} per {unit}) after {t.leak_path}; ")
        if t.unit == "bytes":
            said += "the copy names its leaker" if t.names_leaker else "the copy does not name its leaker"
        elif t.smallest_excerpt is not None:
            said += f"an excerpt of {t.smallest_excerpt} {t.unit} names its leaker"
        else:
            said += "no excerpt names its leaker, not even the whole copy" if not t.names_leaker else \
                "the whole copy names its leaker"
        lines.append(said)
        if t.weakest:
            lines.append("  weakest " + ("paragraphs" if t.unit == "words" else "places") + ": " + "; ".join(
                f"line {p.line} ({p.size} {t.unit}, {p.robust_bits:.0f} bits)" for p in t.weakest))
    lines += [f"problem: {p}" for p in report.problems]
    lines += [f"untraceable: {a.advice}" for a in report.artifacts if a.advice]
    lines.append("OK: ready to schedule" if report.ok else "NOT READY")
    return "\n".join(lines)


def _excerpt(a: ArtifactCheck) -> str:
    t = a.trace
    if t is None:
        return "-"
    if t.unit == "bytes":
        return "whole file" if t.names_leaker else "none"
    return f"{t.smallest_excerpt} {t.unit}" if t.smallest_excerpt is not None else "none"


def run_suggest(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.services import suggest_alternatives

    result = suggest_alternatives(get_advisory(args.id), args.artifact)
    data = {"advisory": args.id, "artifact": args.artifact, "sentences": result.sentences,
            "sentences_without_robust_mark": result.unmarked_sentences,
            "lines_without_proposal": result.without_proposal,
            "proposals": [{"line": p.line, "column": p.column, "original": p.original,
                           "alternatives": list(p.alternatives), "markup": p.markup, "reason": p.reason}
                          for p in result.proposals],
            "markdown": result.markdown}
    progress(f"{len(result.proposals)} proposals for {result.unmarked_sentences} of {result.sentences} sentences "
             "without a mark that survives a forum copy; keep the {{either|or}} you agree with, write back the "
             f"first choice of the others, then `headstart artifact replace {args.id} FILE --name {args.artifact}`")
    emit(args, data, result.markdown.rstrip("\n"))
    return 0


def run_prepare(args: argparse.Namespace) -> int:
    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.preparing import prepare_all

    advisory = get_advisory(args.id)
    result = prepare_all(advisory, actor=cli_actor(), progress=ProgressBar("partners"), workers=args.workers)
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
    from headstart.apps.readiness.services import coverage

    advisory = get_advisory(args.id)
    data = present.advisory_full(advisory)
    data["windows"] = {t.name: window_opens_at(advisory, t) for t in Tier.objects.order_by("name")}
    data["readiness"] = coverage(advisory)

    def text() -> str:
        lines = [f"{data['id']}: {data['title']}", f"  status:   {data['status']}",
                 f"  patch at: {data['patch_at'].isoformat()}",
                 f"  CVE:      {data['cve'] or '-'}",
                 f"  CVSS:     {data['cvss_vector'] or '-'} ({data['cvss_severity'] or '-'} {data['cvss_score'] or ''})".rstrip(),
                 f"  products: {', '.join(data['products']) or '-'}", "  windows open:"]
        lines += [f"    {tier}: {when.isoformat()}" for tier, when in data["windows"].items()]
        lines.append(table([(a["name"], a["kind"], a["version"], a["size"], a["sha256"][:16])
                            for a in data["artifacts"]], ["ARTIFACT", "KIND", "V", "BYTES", "SHA-256"]))
        ready = data["readiness"]
        lines.append(f"  protections ready: {ready['ready']} of {ready['partners']} partners entitled to the binary PoC")
        lines += [f"    {tier}: {row['ready']} of {row['partners']}" for tier, row in ready["tiers"].items()]
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
