"""Benchmark: `headstart partner import` of a large CSV, and how long it holds the database.

Each scenario gets a throwaway HEADSTART_HOME (SQLite) set up with `headstart init`, a CSV
file, and then `headstart partner import FILE` as a process of its own, as an operator runs it:

  plain   N rows (default 100,000): name, tier, e-mail; no certificates
  certs   M rows (default 1,000), each with its own OpenPGP certificate (pysequoia, RFC 4880
          profile) armored in the CSV, which the import checks row by row

Measured per scenario:

  total       wall time of the command, from process start to exit
  write       the import's write transaction: its atomic block, as the service times it
              (its log line "written in one transaction of ... s", read at HEADSTART_LOG_LEVEL=INFO)
  lock seen   the longest stretch during which another connection could not take the write
              lock: this process polls BEGIN IMMEDIATE (busy timeout 0) on the database file
              every few milliseconds during the import, as any request that writes (an
              audited read, a sign-in) would. That is what a reader waits at worst.

Checked afterwards: the partner count, one partner.import event naming every partner, and
`headstart audit verify`. The script exits non-zero when a check fails.

    PYTHONPATH=src .venv/bin/python bench/partner_import.py --quick    # 10,000 rows, 200 with certificates
    PYTHONPATH=src .venv/bin/python bench/partner_import.py            # 100,000 rows, 1,000 with certificates

Prints a table and writes bench/results/partner_import.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
# Variables that would point the benchmark at a real program's database or keys.
FOREIGN_VARIABLES = ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY",
                     "HEADSTART_AUDIT_KEY")
WRITE_LINE = re.compile(r"partner import: (\d+) partners written in one transaction of ([0-9.]+) s")
POLL_SECONDS = 0.002


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES}
    env.update(HEADSTART_HOME=str(home), DJANGO_SETTINGS_MODULE="headstart.config.settings",
               PYTHONPATH=str(REPO / "src"), HEADSTART_LOG_LEVEL="INFO")
    return env


def headstart(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "headstart.faces.cli.main", *args], env=env,
                          capture_output=True, text=True, timeout=3600, check=False)


def write_csv(path: Path, rows: int, certificates: list[str] | None) -> None:
    tiers = ("entry", "advanced")
    with path.open("w", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["name", "tier", "email"] + (["pgp_cert"] if certificates else []))
        for i in range(rows):
            row = [f"Partner {i:06d}", tiers[i % 2], f"security@partner-{i:06d}.example"]
            out.writerow(row + ([certificates[i]] if certificates else []))


def certificates(count: int) -> tuple[list[str], float]:
    import pysequoia

    started = time.perf_counter()
    certs = [str(pysequoia.Tsk.generate(user_id=f"Partner {i:06d} <security@partner-{i:06d}.example>",
                                        profile=pysequoia.Profile.RFC4880).extract_certificate())
             for i in range(count)]
    return certs, time.perf_counter() - started


class LockProbe:
    """Polls the write lock from a connection of its own; records the longest refused stretch."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.longest = 0.0
        self.refused_polls = 0
        self.polls = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> LockProbe:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        conn = sqlite3.connect(self.database, timeout=0, isolation_level=None)
        refused_since: float | None = None
        while not self._stop.is_set():
            now = time.perf_counter()
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("ROLLBACK")
                if refused_since is not None:
                    self.longest = max(self.longest, now - refused_since)
                    refused_since = None
            except sqlite3.OperationalError:  # database is locked: a writer holds it
                self.refused_polls += 1
                refused_since = refused_since if refused_since is not None else now
            self.polls += 1
            time.sleep(POLL_SECONDS)
        if refused_since is not None:
            self.longest = max(self.longest, time.perf_counter() - refused_since)
        conn.close()


def scenario(name: str, rows: int, certs: list[str] | None, root: Path, *, keep_home: bool) -> dict[str, Any]:
    home = root / name
    env = environment(home)
    init = headstart(env, "init", "--name", "Benchmark program")
    if init.returncode != 0:
        raise SystemExit(f"headstart init failed: {init.stderr}")
    csv_path = root / f"{name}.csv"
    write_csv(csv_path, rows, certs)
    database = home / "headstart.sqlite3"
    with LockProbe(database) as probe:
        started = time.perf_counter()
        result = headstart(env, "partner", "import", str(csv_path))
        total = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{name}: partner import failed: {result.stderr.strip()[-2000:]}")
    match = WRITE_LINE.search(result.stderr)
    if match is None:
        raise SystemExit(f"{name}: the import did not log its write time:\n{result.stderr[-2000:]}")
    verify = headstart(env, "audit", "verify", "--json")
    with sqlite3.connect(database) as conn:
        partners = conn.execute("SELECT COUNT(*) FROM partners_partner").fetchone()[0]
        event = conn.execute("SELECT details FROM audit_auditevent WHERE action = 'partner.import'").fetchall()
    named = len(json.loads(event[0][0])["partners"]) if len(event) == 1 else 0
    checks = {"partners_imported": partners == rows, "one_import_event_naming_every_partner": named == rows,
              "audit_verify": verify.returncode == 0 and json.loads(verify.stdout)["ok"]}
    if not keep_home:
        shutil.rmtree(home)
        csv_path.unlink()
    return {"rows": rows, "certificates": bool(certs), "total_s": round(total, 3),
            "write_transaction_s": float(match.group(2)), "lock_seen_s": round(probe.longest, 3),
            "probe_polls": probe.polls, "probe_refused_polls": probe.refused_polls, "checks": checks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 rows, 200 with certificates")
    parser.add_argument("--rows", type=int, help="rows without certificates (default 100,000)")
    parser.add_argument("--cert-rows", type=int, help="rows with certificates (default 1,000)")
    parser.add_argument("--keep-home", action="store_true", help="keep the throwaway homes and CSV files")
    args = parser.parse_args()
    rows = args.rows or (10_000 if args.quick else 100_000)
    cert_rows = args.cert_rows or (200 if args.quick else 1_000)
    root = Path(tempfile.mkdtemp(prefix="headstart-bench-import-"))
    try:
        certs, keygen = certificates(cert_rows)
        results = {"plain": scenario("plain", rows, None, root, keep_home=args.keep_home),
                   "certs": scenario("certs", cert_rows, certs, root, keep_home=args.keep_home)}
    finally:
        if not args.keep_home:
            shutil.rmtree(root, ignore_errors=True)
        else:
            print(f"homes kept under {root}", file=sys.stderr)
    out = {"quick": args.quick, "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                            "platform": platform.platform()},
           "database": "sqlite", "certificate_generation_s": round(keygen, 2), "scenarios": results}
    print(f"{'scenario':<10}{'rows':>9}{'total':>10}{'write txn':>11}{'lock seen':>11}  checks")
    for name, r in results.items():
        print(f"{name:<10}{r['rows']:>9,}{r['total_s']:>9.2f}s{r['write_transaction_s']:>10.3f}s"
              f"{r['lock_seen_s']:>10.3f}s  {'ok' if all(r['checks'].values()) else r['checks']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "partner_import.json").write_text(json.dumps(out, indent=2) + "\n")
    if not all(all(r["checks"].values()) for r in results.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
