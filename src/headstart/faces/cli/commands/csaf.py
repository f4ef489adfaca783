"""headstart advisory csaf: an advisory as a CSAF 2.0 document, for the operator (staff)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from headstart.faces.cli.common import Subparsers, cli_actor


def add_csaf_action(asub: Subparsers) -> None:
    """`advisory csaf`, registered among the other `advisory` actions."""
    c = asub.add_parser("csaf", help="print or write an advisory as a CSAF 2.0 document: the partner edition "
                                     "(TLP:AMBER), or with --public the public one (TLP:WHITE)")
    c.add_argument("id", help="advisory identifier")
    c.add_argument("--public", action="store_true",
                   help="the public edition, as /.well-known/csaf/ serves it from the patch time on")
    c.add_argument("--out", metavar="FILE", help="write the document to FILE (a new file) instead of printing it")
    c.set_defaults(handler=run_csaf)


def run_csaf(args: argparse.Namespace) -> int:
    from headstart.apps.csaf.documents import PARTNER, PUBLIC, dumps
    from headstart.apps.csaf.reads import staff_document
    from headstart.errors import Conflict, Invalid
    from headstart.files import write_atomically

    edition = PUBLIC if args.public else PARTNER
    out = Path(args.out) if args.out else None
    if out is not None and out.exists():
        raise Conflict(f"{out} already exists; choose another file")
    if out is not None and not out.parent.is_dir():
        raise Invalid(f"{out.parent} is not a directory")
    content = dumps(staff_document(args.id, edition, actor=cli_actor()))
    if out is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return 0
    write_atomically(out, content)
    label = "TLP:WHITE" if args.public else "TLP:AMBER"
    print(f"wrote {out} ({edition} edition, {label})")
    return 0
