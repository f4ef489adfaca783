"""headstart copy export: exactly the files a partner receives, in plain form (staff), recorded as a
delivery to that partner by export, by the person running the command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from headstart.faces.cli.common import Subparsers, add_json, cli_actor
from headstart.faces.cli.output import emit


def register(sub: Subparsers) -> None:
    p = sub.add_parser("copy", help="export a partner's marked copy")
    csub = p.add_subparsers(dest="copy_command", metavar="ACTION", required=True)
    ex = csub.add_parser("export", help="write exactly the files a partner receives, unencrypted, to a directory; "
                                        "recorded and audited as a delivery to that partner (route export)")
    ex.add_argument("id", help="advisory identifier")
    ex.add_argument("--partner", required=True, metavar="NAME", help="the partner whose copy to write")
    ex.add_argument("--out", required=True, metavar="DIR", help="directory to write the files to (created if missing)")
    add_json(ex)
    ex.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> int:
    import hashlib

    from headstart.apps.advisories.services import get_advisory
    from headstart.apps.delivery.services import export_copy
    from headstart.apps.partners.services import get_partner

    actor = cli_actor()
    written = export_copy(get_advisory(args.id), get_partner(args.partner), Path(args.out), actor=actor)
    files: list[dict[str, Any]] = [
        {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest(), "size": p.stat().st_size}
        for p in written]
    emit(args, {"advisory": args.id, "partner": args.partner, "route": "export", "by": actor.name, "files": files},
         lambda: "\n".join([*(f"{f['sha256'][:16]}  {f['size']:>8}  {f['path']}" for f in files),
                            (f"Recorded as delivered to {args.partner} by export ({actor.name}); an investigation "
                            "of this copy considers it.")]))
    return 0
