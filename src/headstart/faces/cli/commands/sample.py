"""headstart sample: copy the sample advisory's files into a directory, to try the commands on.

The sample is fiction (Northwind Imaging, Lumen Viewer and its CVE do not exist); `seed`
and `demo` load the same files.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from headstart.errors import Conflict, Invalid
from headstart.faces.cli.common import Subparsers, add_json
from headstart.faces.cli.output import emit


def register(sub: Subparsers) -> None:
    p = sub.add_parser("sample", help="copy the sample advisory's files (write-up, guidance, PoCs, trigger "
                                      "specification) into a directory")
    p.add_argument("--out", required=True, metavar="DIR", help="directory to create or fill; no file is overwritten")
    add_json(p)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from headstart.samples import SAMPLE_DIR

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise Invalid(f"{out} exists and is not a directory")
    sources = sorted(p for p in SAMPLE_DIR.iterdir() if p.is_file())
    taken = [p.name for p in sources if (out / p.name).exists()]
    if taken:  # checked first, so a refusal copies nothing
        raise Conflict(f"{out} already holds {', '.join(taken)}; choose another directory")
    out.mkdir(parents=True, exist_ok=True)
    written = [Path(shutil.copyfile(p, out / p.name)) for p in sources]
    emit(args, {"files": [str(p) for p in written]}, lambda: "\n".join(str(p) for p in written))
    return 0
