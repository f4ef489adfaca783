"""Benchmark: `headstart audit list --partner NAME` on a large audit log.

A throwaway HEADSTART_HOME (SQLite) is set up with `headstart init`; then, in this process,
P partners are imported and E events written through the audit service (`record`, keyed
and chained as in production): each names one partner the way real events do, in turn as
the actor's partner (a download), as the object (a status change) and in the details
(`partner_name`, and inside a `skipped` list as `package.prepare` writes it).

Measured for one partner in the middle of the log, in this process (no start-up time):

  query       what `audit list --partner` runs: the candidate query plus the exact check of
              its rows (`events_about_partner`), for the latest 50 events and for all of them
  scan        the same answer by reading every event of the log and checking it in Python,
              which the query avoids
  candidates  rows the query returned, against the events that name the partner

    PYTHONPATH=src .venv/bin/python bench/audit_partner_filter.py --quick   # 20,000 events, 200 partners
    PYTHONPATH=src .venv/bin/python bench/audit_partner_filter.py           # 200,000 events, 1,000 partners

Prints a table and writes bench/results/audit_partner_filter.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
FOREIGN_VARIABLES = ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY",
                     "HEADSTART_AUDIT_KEY")


def best_of(runs: int, work):  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="20,000 events and 200 partners")
    parser.add_argument("--events", type=int, help="events to write (default 200,000; 20,000 with --quick)")
    parser.add_argument("--partners", type=int, help="partners (default 1,000; 200 with --quick)")
    parser.add_argument("--keep-home", action="store_true", help="keep the throwaway HEADSTART_HOME")
    args = parser.parse_args()
    events = args.events or (20_000 if args.quick else 200_000)
    partners = args.partners or (200 if args.quick else 1_000)

    home = Path(tempfile.mkdtemp(prefix="headstart-bench-audit-"))
    for name in FOREIGN_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(HEADSTART_HOME=str(home), DJANGO_SETTINGS_MODULE="headstart.config.settings")
    try:
        init = subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", "init"], capture_output=True,
                              text=True, check=False, env=os.environ | {"PYTHONPATH": str(REPO / "src")})
        if init.returncode:
            sys.exit(f"headstart init failed: {init.stderr}")
        out = run(events, partners)
    finally:
        if not args.keep_home:
            shutil.rmtree(home, ignore_errors=True)
    out = {"quick": args.quick, "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                            "platform": platform.platform()}, "database": "sqlite"} | out
    print(f"{out['events']} events, {out['partners']} partners; partner {out['partner']!r}: "
          f"{out['events_about_partner']} events about it, {out['candidates']} candidate rows")
    print(f"{'':28} {'seconds':>9}")
    for key in ("query_latest_50_s", "query_all_s", "scan_all_s"):
        print(f"{key:28} {out[key]:>9.4f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "audit_partner_filter.json").write_text(json.dumps(out, indent=2) + "\n")


def run(events: int, partners: int) -> dict[str, object]:
    import django

    django.setup()
    from django.db import transaction

    from headstart.apps.audit.models import AuditEvent
    from headstart.apps.audit.queries import _names, about_partner, events_about_partner
    from headstart.apps.audit.services import Actor, record
    from headstart.apps.partners.services import import_partners

    cli = Actor(name="cli:bench")
    names = [f"Partner {i:05d}" for i in range(partners)]
    import_partners("name,tier\n" + "".join(f"{n},entry\n" for n in names), actor=cli)
    start = time.perf_counter()
    with transaction.atomic():
        for i in range(events):
            name = names[i % partners]
            match i % 4:
                case 0:
                    record(Actor(name="analyst@bench.example", partner=name), "package.download",
                           object_type="advisory", object_id="HS-2026-0001")
                case 1:
                    record(cli, "partner.reinstate", object_type="partner", object_id=name, reason="bench")
                case 2:
                    record(cli, "copy.export", object_type="advisory", object_id="HS-2026-0001", partner_name=name)
                case _:
                    record(cli, "package.prepare", object_type="advisory", object_id="HS-2026-0001", prepared=1,
                           skipped=[{"partner": name, "reason": "no certificate"}])
    written_s = time.perf_counter() - start
    partner = names[partners // 2]
    qs = AuditEvent.objects.order_by("-seq")

    def scan() -> list[int]:
        return [e.seq for e in qs.iterator(chunk_size=2000)
                if e.partner == partner or (e.object_type == "partner" and e.object_id == partner)
                or _names(e.details, partner)]

    latest_s, _ = best_of(3, lambda: list(islice(events_about_partner(qs, partner), 50)))
    all_s, found = best_of(3, lambda: [e.seq for e in events_about_partner(qs, partner)])
    scan_s, scanned = best_of(3, scan)
    candidates = qs.filter(about_partner(partner)).count()
    return {"events": AuditEvent.objects.count(), "partners": partners, "write_events_s": round(written_s, 3),
            "partner": partner, "events_about_partner": len(found), "candidates": candidates,
            "same_answer_as_scan": found == scanned,
            "query_latest_50_s": round(latest_s, 4), "query_all_s": round(all_s, 4), "scan_all_s": round(scan_s, 4)}


if __name__ == "__main__":
    main()
