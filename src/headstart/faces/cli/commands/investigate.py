"""headstart investigate FILE... : which copy did leaked material come from?"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit, table

if TYPE_CHECKING:
    from headstart.apps.investigations.intake import Submission


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "investigate", help="find which partner's copy leaked material came from",
        description="Analyse leaked material (files: text, Markdown, saved web pages, source code, binaries, "
                    "zip/tar archives; or pasted text) against every advisory's marked copies. Exits 0 when the "
                    "analysis ran, whether or not anyone is accused.")
    p.add_argument("files", nargs="*", metavar="FILE", help="leaked files (archives are unpacked safely)")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--text", help="leaked text pasted on the command line")
    source.add_argument("--stdin", action="store_true", help="read leaked text from standard input")
    p.add_argument("--advisory", metavar="ID", help="only compare with this advisory")
    p.add_argument("--report", metavar="FILE.html", help="write the printable HTML report here")
    p.add_argument("--threshold", metavar="P",
                   help="family-wise accusation threshold (default: $HEADSTART_ACCUSATION_THRESHOLD or 1e-6)")
    add_json(p)
    p.set_defaults(handler=run)


def _read_input(path: str, cap: int) -> Submission:
    from headstart.apps.investigations.intake import Submission
    from headstart.errors import Invalid, NotFound

    p = Path(path)
    if p.is_dir():
        raise Invalid(f"{path} is a directory; pass its files, or an archive of it")
    if not p.exists():
        raise NotFound(f"leaked file {path} does not exist")
    try:
        size = p.stat().st_size
        if size > cap:
            raise Invalid(f"{path} is {size:,} bytes, more than the {cap:,} an investigation takes "
                          "(HEADSTART_INTAKE_MAX_BYTES)")
        return Submission(p.name, p.read_bytes())
    except OSError as exc:
        raise Invalid(f"cannot read leaked file {path}: {exc.strerror}") from None


def _write_report(path: str, html: str) -> None:
    """Written atomically and readable by the owner only: the report names partners."""
    from headstart.errors import Invalid

    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".report-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(html)
        os.replace(tmp, target)
    except OSError as exc:
        raise Invalid(f"cannot write the report to {path}: {exc.strerror}") from None


def _text(result: dict, report: str | None) -> str:
    lines = [f"Investigation {result['investigation']}", "", result["verdict"], ""]
    lines.append(f"advisory: {result['advisory'] or '-'}   partners considered: {result['partners_considered']}   "
                 f"positions read: {result['positions_read']}   threshold: {result['threshold']:g}")
    if result["exact_match"]:
        lines.append(f"exact copy match: {result['exact_match']}")
    if result["ranking"]:
        lines += ["", table([(i, r["partner"], f"{r['score']:.2f}", f"{r['p_value']:.3g}",
                              "ACCUSED" if r["partner"] in {a["partner"] for a in result["accused"]} else "")
                             for i, r in enumerate(result["ranking"], 1)],
                            ["#", "PARTNER", "SCORE", "P-VALUE", ""])]
    routes = [(a["partner"], r["route"], r["by"] or "-", r["at"], ", ".join(r["files"]))
              for a in result["accused"] for r in a.get("routes", [])]
    if routes:
        lines += ["", "How the accused copies left the program:",
                  table(routes, ["PARTNER", "ROUTE", "BY", "FIRST AT", "FILES"])]
    if report:
        lines += ["", f"Report written to {report}"]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from headstart.apps.investigations.intake import IntakeLimits, Submission
    from headstart.apps.investigations.services import investigate, report_html
    from headstart.errors import Invalid

    limits = IntakeLimits.from_settings()
    submissions = [_read_input(f, limits.max_total_bytes) for f in args.files]
    if args.text is not None:
        submissions.append(Submission("pasted text", args.text.encode("utf-8"), kind="text"))
    if args.stdin:
        submissions.append(Submission("standard input", sys.stdin.buffer.read(limits.max_total_bytes + 1), kind="text"))
    if not submissions:
        raise Invalid("no leaked material given: pass FILE..., --text TEXT or --stdin")
    inv = investigate(submissions, actor=cli_actor(), advisory=args.advisory, threshold=args.threshold, limits=limits)
    result = inv.result
    if args.report:
        _write_report(args.report, report_html(inv))
    emit(args, result, lambda: _text(result, args.report))
    return 0
