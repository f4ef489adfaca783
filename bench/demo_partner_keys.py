"""Benchmark: what making the demo partners' keys with GnuPG costs `headstart demo`.

`seed` and `demo` have GnuPG make the demo partners' keys when `gpg` is on PATH (a private
temporary GnuPG home, `--quick-gen-key` Ed25519 and `--quick-add-key` Curve25519 per partner),
and pysequoia (`generate_signing_key`) when it is not. Measured, in rounds alternating the two:

  keys   making N keys in this process: crypto.gnupg.generate_keys against generate_signing_key
  demo   `headstart demo --partners N --seed 7 --json` as a process of its own, with gpg on PATH
         and with gpg hidden (PATH through a directory of links to every program on PATH but
         gpg's, so the leak paths through black and clang-format stay the same)

Checked: every demo run names its leaker (`ok`) and says which maker made the keys.

    PYTHONPATH=src .venv/bin/python bench/demo_partner_keys.py --quick   # 1 round
    PYTHONPATH=src .venv/bin/python bench/demo_partner_keys.py           # 3 rounds, 40 partners

Prints a table and writes bench/results/demo_partner_keys.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
HEADSTART = Path(sys.executable).parent / "headstart"
FOREIGN_VARIABLES = ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY",
                     "HEADSTART_AUDIT_KEY", "HEADSTART_HOME")


def path_without_gpg(into: Path) -> str:
    """A PATH with every program of the current one but gpg's (gpg, gpgconf, gpg-agent ...)."""
    for directory in reversed(os.environ.get("PATH", "").split(os.pathsep)):
        if not directory or not Path(directory).is_dir():
            continue
        for entry in Path(directory).iterdir():
            if not entry.name.startswith("gpg") and os.access(entry, os.X_OK):
                link = into / entry.name
                link.unlink(missing_ok=True)
                link.symlink_to(entry)
    return str(into)


def time_keys(partners: int, maker: str) -> float:
    from headstart.crypto import gnupg
    from headstart.crypto.openpgp import generate_signing_key

    uids = [f"Partner {i} <psirt@partner-{i}.example>" for i in range(partners)]
    started = time.perf_counter()
    if maker == "gnupg":
        gnupg.generate_keys(uids)
    else:
        for uid in uids:
            generate_signing_key(uid)
    return time.perf_counter() - started


def time_demo(partners: int, path: str) -> tuple[float, dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k not in FOREIGN_VARIABLES} | {"PATH": path}
    started = time.perf_counter()
    done = subprocess.run([str(HEADSTART), "demo", "--partners", str(partners), "--seed", "7", "--json"],
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"demo failed: {done.stderr[-2000:]}")
    return elapsed, json.loads(done.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="one round")
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    if shutil.which("gpg") is None:
        raise SystemExit("gpg is not on PATH: nothing to compare")
    times: dict[str, list[float]] = {"keys gnupg": [], "keys pysequoia": [], "demo gnupg": [], "demo pysequoia": []}
    with tempfile.TemporaryDirectory(prefix="bench-path-") as links:
        hidden = path_without_gpg(Path(links))
        for _ in range(rounds):
            for maker in ("gnupg", "pysequoia"):
                times[f"keys {maker}"].append(time_keys(args.partners, maker))
            for maker, path in (("gnupg", os.environ["PATH"]), ("pysequoia", hidden)):
                elapsed, result = time_demo(args.partners, path)
                expected = "gnupg" if maker == "gnupg" else "headstart"
                if not result["ok"] or result["partner_keys_made_with"] != expected:
                    raise SystemExit(f"demo with {maker}: ok={result['ok']}, keys {result['partner_keys_made_with']}")
                times[f"demo {maker}"].append(elapsed)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"{'measure':<16} {'median s':>9}  rounds")
    for name, value in medians.items():
        print(f"{name:<16} {value:>9.2f}  {', '.join(f'{v:.2f}' for v in times[name])}")
    delta = medians["demo gnupg"] - medians["demo pysequoia"]
    print(f"demo: GnuPG keys add {delta:+.2f} s ({delta / medians['demo pysequoia']:+.0%}) for {args.partners} partners")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "demo_partner_keys.json").write_text(json.dumps({
        "partners": args.partners, "rounds": rounds, "quick": args.quick,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "gpg": subprocess.run(["gpg", "--version"], capture_output=True, text=True,
                                          check=False).stdout.splitlines()[0]},
        "seconds": times, "median_seconds": medians, "demo_delta_seconds": delta}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
