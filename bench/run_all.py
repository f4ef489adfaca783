#!/usr/bin/env python3
"""Run every benchmark in its quick mode, one after another (`make bench`).

Pass --full for the full runs (tens of minutes to hours on a 2-core machine). Each
script prints its table and writes bench/results/<name>.json; this prints a summary.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUICK = {
    "marking_design.py": ["--quick"],
    "marking_codes.py": ["--quick"],
    "carriers.py": ["--quick"],
    "corpus.py": ["--quick"],
    "c_poc_structure.py": ["--quick"],
    "prose_translation.py": ["--quick"],
    "investigation_translation.py": ["--quick"],
    "delivery_render.py": ["--quick"],
    "delivery_rush.py": ["--quick"],
    "audit_partner_filter.py": ["--quick"],
    "intake_memory.py": ["--quick"],
    "investigation_speed.py": ["--quick"],
    "partner_import.py": ["--quick"],
    "demo_partner_keys.py": ["--quick"],
    "yara_rules.py": ["--quick"],
    "suricata_rules.py": ["--quick"],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--full", action="store_true", help="full runs instead of quick ones")
    ap.add_argument("only", nargs="*", help="scripts to run (default: all)")
    args = ap.parse_args()
    env = dict(os.environ, PYTHONPATH=str(HERE.parent / "src"))
    results = []
    for script, quick_args in QUICK.items():
        if args.only and script not in args.only:
            continue
        argv = [sys.executable, str(HERE / script)] + ([] if args.full else quick_args)
        print(f"\n=== {script} {' '.join(argv[2:])}", flush=True)
        started = time.monotonic()
        code = subprocess.call(argv, env=env)
        results.append((script, code, time.monotonic() - started))
    print("\n=== summary")
    for script, code, seconds in results:
        print(f"{'ok  ' if code == 0 else 'FAIL'}  {script:<24} {seconds:7.1f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
