"""Benchmark: render, sign and encrypt the sample advisory's package for every partner.

A throwaway HEADSTART_HOME (SQLite) is set up with `headstart init`, then N partners
(default 1,000), each with its own OpenPGP certificate (pysequoia, RFC 4880 profile) and
an admin who accepted the NDA, all in the advanced tier (entitled to every artifact, so
every package holds the full set of marked files). The sample advisory
(src/headstart/samples/tim_overflow) is created and scheduled, which commits to the
codebooks of all N partners. Then, as issue 22 asks:

  per partner   `prepare_all` in one process, each partner's time split by timing the real
                functions as it calls them: render (render_package: the commitment lookup,
                every marked copy, manifest, tar), sign+encrypt (openpgp.sign_and_encrypt),
                other (certificate check, content key, storing the file, database row)
  prepare       the real command, `headstart advisory prepare` in a process of its own on
                every core (HEADSTART_PREPARE_WORKERS unset), from no prepared package: wall
                time, and its memory: the proportional set size (PSS, shared pages split
                between the processes sharing them) and the RSS of the command and its
                worker processes together, sampled every 100 ms, at its peak

Ten packages, spread over the partners, are decrypted with their partners' keys and checked:
the program's signature, the partner's own manifest, the files' digests, and no two alike.
Each issue row is printed beside its target with PASS/FAIL.

    PYTHONPATH=src .venv/bin/python bench/delivery_render.py --quick     # 100 partners
    PYTHONPATH=src .venv/bin/python bench/delivery_render.py             # 1,000 partners

Prints a table and writes bench/results/delivery_render.json. The module also holds the
program set-up and package checks that bench/delivery_rush.py reuses.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import platform
import resource
import shutil
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pysequoia

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
ADVISORY = "HS-2026-0001"
# Variables that would point the benchmark at a real program's database or keys.
FOREIGN_VARIABLES = ("DATABASE_URL", "HEADSTART_MARKING_KEY", "HEADSTART_SIGNING_KEY_FILE", "SECRET_KEY")


# ---- a throwaway program --------------------------------------------------------------------

def isolate_environment(home: Path, *, database_url: str | None = None) -> dict[str, str]:
    """Point this process (and its children) at a fresh HEADSTART_HOME, on SQLite there unless
    the benchmark gives a throwaway database of its own (never one from the caller's environment)."""
    for name in FOREIGN_VARIABLES:
        os.environ.pop(name, None)
    if database_url is not None:
        os.environ["DATABASE_URL"] = database_url
    os.environ["HEADSTART_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "headstart.config.settings"
    return dict(os.environ)


def headstart_init() -> None:
    """`headstart init`, in this process (it also sets Django up)."""
    from headstart.faces.cli.main import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(["init", "--name", "Benchmark program"])
    if code != 0:
        raise SystemExit(f"headstart init failed with exit code {code}")


@dataclass(frozen=True)
class BenchPartner:
    name: str
    email: str  # the partner admin's
    secret: str  # armored secret key: the partner's, kept here to check its package
    token: str = ""


def generate_keys(count: int) -> tuple[list[pysequoia.Tsk], float]:
    started = time.perf_counter()
    keys = [pysequoia.Tsk.generate(user_id=f"Partner {i:04d} <security@partner-{i:04d}.example>",
                                   profile=pysequoia.Profile.RFC4880) for i in range(count)]
    return keys, time.perf_counter() - started


def add_partners(keys: list[pysequoia.Tsk], *, tokens: bool) -> list[BenchPartner]:
    """One active advanced-tier partner per key; its admin has accepted the NDA (and, with
    ``tokens``, has an API token)."""
    from django.db import transaction

    from headstart.apps.accounts.services import add_user, create_token
    from headstart.apps.audit.services import Actor
    from headstart.apps.partners.services import PartnerInput, accept_nda, add_partner

    actor = Actor(name="bench")
    made = []
    with transaction.atomic():  # one commit for all of them, not one per row
        for i, key in enumerate(keys):
            name, slug = f"Partner {i:04d}", f"partner-{i:04d}"
            partner = add_partner(PartnerInput(name, "advanced", f"security@{slug}.example",
                                               str(key.extract_certificate())), actor=actor)
            admin = add_user(f"admin@{slug}.example", actor=actor, partner=partner, role="admin")
            accept_nda(partner, admin, actor=actor)
            token = create_token(admin, actor=actor)[1] if tokens else ""
            made.append(BenchPartner(name, admin.email, str(key), token))
    return made


def schedule_sample_advisory() -> Any:
    """The sample advisory, created and scheduled to be patched in 48 hours: the advanced
    tier's window is open."""
    import yaml
    from django.utils import timezone

    from headstart.apps.advisories.services import ArtifactInput, create_advisory
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery.services import schedule
    from headstart.samples import SAMPLE_DIR

    actor = Actor(name="bench")
    meta = yaml.safe_load((SAMPLE_DIR / "advisory.yaml").read_text())
    items = [ArtifactInput(a["kind"], a["file"], (SAMPLE_DIR / a["file"]).read_bytes()) for a in meta["artifacts"]]
    advisory = create_advisory(meta["id"], title=meta["title"], cve=meta["cve"], cvss=meta["cvss"],
                               patch_at=timezone.now() + dt.timedelta(hours=48), artifacts=items, actor=actor)
    schedule(advisory, actor=actor)
    advisory.refresh_from_db()
    return advisory


# ---- checking a package as its partner would --------------------------------------------------

def open_package(data: bytes, secret: str, program_certificate: str) -> tuple[dict[str, bytes], bytes]:
    """Decrypt with the partner's key, require the program's signature; (files by name, tar)."""
    signer = pysequoia.Cert.from_bytes(program_certificate.encode())
    tsk = pysequoia.Tsk.from_bytes(secret.encode())
    decrypted = pysequoia.decrypt(data, decryptor=tsk.decryptor(), store=lambda ids: [signer])
    if not decrypted.valid_sigs:
        raise AssertionError("the package is not signed by the program")
    plain = bytes(decrypted.bytes)
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        files = {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    return files, plain


def check_package(data: bytes, partner: BenchPartner, program_certificate: str) -> str:
    """The package is this partner's own and consistent; returns its plaintext SHA-256."""
    files, plain = open_package(data, partner.secret, program_certificate)
    manifest = json.loads(files.pop("manifest.json"))
    if manifest["partner"]["name"] != partner.name:
        raise AssertionError(f"{partner.name} received {manifest['partner']['name']}'s package")
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    actual = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    if listed != actual:
        raise AssertionError(f"{partner.name}'s files do not match their manifest digests")
    return hashlib.sha256(plain).hexdigest()


# ---- measuring ------------------------------------------------------------------------------

def summary_ms(seconds: list[float]) -> dict[str, float]:
    a = np.array(seconds) * 1000.0
    return {"median": float(np.median(a)), "p99": float(np.percentile(a, 99)), "mean": float(a.mean()),
            "min": float(a.min()), "max": float(a.max())}


@contextlib.contextmanager
def timing(module: Any, name: str, on_call: Callable[[float], None]) -> Iterator[None]:
    """Call the real function, and report how long each call took."""
    original = getattr(module, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            on_call(time.perf_counter() - started)

    setattr(module, name, timed)
    try:
        yield
    finally:
        setattr(module, name, original)


def prepare_timed(advisory: Any) -> tuple[float, list[dict[str, float]], dict]:
    """prepare_all with each partner's time split into render, sign+encrypt and the rest."""
    from headstart.apps.audit.services import Actor
    from headstart.apps.delivery import preparing, services
    from headstart.crypto import openpgp

    rows: list[dict[str, float]] = []  # one per partner, in the order prepare_all goes
    original_prepare = services.prepare_package

    def prepare_one(*args: Any, **kwargs: Any) -> Any:
        row = {"render": 0.0, "sign_encrypt": 0.0}
        rows.append(row)
        started = time.perf_counter()
        try:
            return original_prepare(*args, **kwargs)
        finally:
            row["total"] = time.perf_counter() - started

    def add_to(part: str) -> Callable[[float], None]:
        def on_call(seconds: float) -> None:
            rows[-1][part] += seconds
        return on_call

    services.prepare_package = preparing.prepare_package = prepare_one
    try:
        with timing(services, "render_package", add_to("render")), \
                timing(openpgp, "sign_and_encrypt", add_to("sign_encrypt")):
            started = time.perf_counter()
            result = preparing.prepare_all(advisory, actor=Actor(name="bench"), workers=1)
            total = time.perf_counter() - started
    finally:
        services.prepare_package = preparing.prepare_package = original_prepare
    for row in rows:
        row["other"] = row["total"] - row["render"] - row["sign_encrypt"]
    return total, rows, result


def forget_prepared_packages() -> None:
    """Drop every prepared package (rows and files): the next prepare starts from none."""
    from django.core.files.storage import storages

    from headstart.apps.delivery.models import PackageFile

    packages = storages["packages"]
    for name in PackageFile.objects.values_list("path", flat=True):
        packages.delete(name)
    PackageFile.objects.all().delete()


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return out


def _memory_kb(pids: list[int]) -> tuple[int, int]:
    """(PSS, RSS) in kB, summed over the processes (smaps_rollup; a process gone counts 0)."""
    pss = rss = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
                elif line.startswith("Rss:"):
                    rss += int(line.split()[1])
    return pss, rss


def prepare_command(env: dict[str, str]) -> dict[str, Any]:
    """`headstart advisory prepare` as staff run it: wall time, peak memory of its process tree."""
    import subprocess
    import threading

    command = [str(Path(sys.executable).parent / "headstart"), "advisory", "prepare", ADVISORY, "--json"]
    started = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = {"pss_kb": 0, "rss_kb": 0, "processes": 0}

    def sample() -> None:
        while proc.poll() is None:
            tree = _tree(proc.pid)
            pss, rss = _memory_kb(tree)
            peak["pss_kb"] = max(peak["pss_kb"], pss)
            peak["rss_kb"] = max(peak["rss_kb"], rss)
            peak["processes"] = max(peak["processes"], len(tree))
            time.sleep(0.1)  # reading smaps_rollup walks page tables: sampled more often, it slows the run

    sampler = threading.Thread(target=sample)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"headstart advisory prepare failed: {err.strip()[-2000:]}")
    result = json.loads(out)
    return {"wall_s": wall, "prepared": len(result["prepared"]), "skipped": len(result["skipped"]),
            "peak_pss_mb": peak["pss_kb"] / 1024, "peak_rss_mb": peak["rss_kb"] / 1024,
            "processes": peak["processes"]}


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # kilobytes on Linux


def _row(measure: str, value: float, target: float, unit: str, *, applies: bool = True) -> dict[str, Any]:
    """An issue row: the value beside its target; a row measured at another size than the
    target's is reported, not judged."""
    verdict = ("PASS" if value <= target else "FAIL") if applies else "n/a (measured at another size)"
    return {"measure": measure, "value": value, "target": f"<= {target:g} {unit}", "unit": unit, "verdict": verdict}


def run(partners: int, *, keep_home: bool) -> dict:
    home = Path(tempfile.mkdtemp(prefix="headstart-bench-render-"))
    try:
        isolate_environment(home)
        headstart_init()
        from headstart.apps.delivery.models import PackageFile
        from headstart.apps.program.models import Program

        keys, keygen_s = generate_keys(partners)
        started = time.perf_counter()
        people = add_partners(keys, tokens=False)
        partners_s = time.perf_counter() - started
        started = time.perf_counter()
        advisory = schedule_sample_advisory()
        schedule_s = time.perf_counter() - started
        rss_before = max_rss_mb()

        total_s, rows, result = prepare_timed(advisory)
        if result["skipped"] or len(result["prepared"]) != partners:
            raise SystemExit(f"prepare_all skipped partners: {result['skipped'][:3]}")
        rss_after = max_rss_mb()
        stored = {p.partner.name: p for p in PackageFile.objects.select_related("partner")}
        sizes = [p.size for p in stored.values()]
        certificate = Program.get().signing_certificate
        sample = people[:: max(1, partners // 10)]
        from django.core.files.storage import storages

        packages = storages["packages"]

        def stored_bytes(name: str) -> bytes:
            with packages.open(stored[name].path, "rb") as fh:
                return bytes(fh.read())

        digests = {check_package(stored_bytes(p.name), p, certificate) for p in sample}
        if len(digests) != len(sample):
            raise AssertionError("two partners received the same package")

        forget_prepared_packages()
        command = prepare_command(dict(os.environ))
        if command["prepared"] != partners:
            raise SystemExit(f"headstart advisory prepare prepared {command['prepared']} of {partners} packages")
        per_partner = [1000 * (r["render"] + r["sign_encrypt"]) for r in rows]
        targets = [
            _row("render + sign + encrypt, per partner, median", float(np.median(per_partner)), 8.0, "ms"),
            _row(f"advisory prepare, {partners} partners, wall time, {os.cpu_count()} cores",
                 command["wall_s"], 6.0, "s", applies=partners == 1000),
            _row(f"memory of advisory prepare, {partners} partners, every core busy (PSS)",
                 command["peak_pss_mb"], 300.0, "MB", applies=partners == 1000),
        ]

        return {
            "benchmark": "delivery_render",
            "partners": partners,
            "advisory": ADVISORY,
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "setup": {"keygen_s": keygen_s, "keygen_ms_per_key": 1000 * keygen_s / partners,
                      "add_partners_s": partners_s, "schedule_with_commitment_s": schedule_s},
            "prepare": {
                "total_s": total_s,
                "partners_per_s": partners / total_s,
                "per_partner_ms": summary_ms([r["total"] for r in rows]),
                "render_ms": summary_ms([r["render"] for r in rows]),
                "sign_encrypt_ms": summary_ms([r["sign_encrypt"] for r in rows]),
                "other_ms": summary_ms([r["other"] for r in rows]),
                "share_of_time": {part: sum(r[part] for r in rows) / sum(r["total"] for r in rows)
                                  for part in ("render", "sign_encrypt", "other")},
            },
            "package_bytes": {"median": float(np.median(sizes)), "min": min(sizes), "max": max(sizes)},
            "memory": {"ru_maxrss_mb_before_prepare": rss_before, "ru_maxrss_mb_after_prepare": rss_after},
            "command": command,
            "targets": targets,
            "checked_packages": len(sample),
        }
    finally:
        from django.db import connections

        connections.close_all()
        if keep_home:
            print(f"HEADSTART_HOME kept at {home}", file=sys.stderr)
        else:
            shutil.rmtree(home, ignore_errors=True)


def print_table(r: dict) -> None:
    p = r["prepare"]
    print(f"\nRender + sign + encrypt the sample advisory for {r['partners']} partners "
          f"({r['machine']['cpus']} CPUs, Python {r['machine']['python']})\n")
    print(f"{'set-up':<34}{'':>12}")
    print(f"  {'key generation (pysequoia)':<32}{r['setup']['keygen_s']:>10.2f} s"
          f"  ({r['setup']['keygen_ms_per_key']:.2f} ms/key)")
    print(f"  {'partners, users, NDA':<32}{r['setup']['add_partners_s']:>10.2f} s")
    print(f"  {'schedule (codebook commitment)':<32}{r['setup']['schedule_with_commitment_s']:>10.2f} s")
    print(f"\n{'per partner (ms)':<20}{'median':>10}{'p99':>10}{'mean':>10}{'max':>10}{'share':>8}")
    for label, key, share in (("render", "render_ms", "render"), ("sign+encrypt", "sign_encrypt_ms", "sign_encrypt"),
                              ("other", "other_ms", "other"), ("total", "per_partner_ms", None)):
        s = p[key]
        pct = f"{100 * p['share_of_time'][share]:.0f}%" if share else ""
        print(f"  {label:<18}{s['median']:>10.2f}{s['p99']:>10.2f}{s['mean']:>10.2f}{s['max']:>10.2f}{pct:>8}")
    print(f"\n  total {p['total_s']:.2f} s for {r['partners']} packages ({p['partners_per_s']:.1f} packages/s); "
          f"package {r['package_bytes']['median'] / 1024:.1f} KiB (median)")
    c = r["command"]
    print(f"  headstart advisory prepare (every core, {c['processes']} processes at most): "
          f"{c['wall_s']:.2f} s; peak memory of its processes: PSS {c['peak_pss_mb']:.0f} MB, "
          f"RSS {c['peak_rss_mb']:.0f} MB")
    print(f"\n{'issue 22 row':<64}{'value':>10}  {'target':<12}")
    for t in r["targets"]:
        print(f"  {t['measure']:<62}{t['value']:>8.2f} {t['unit']:<3} {t['target']:<12}{t['verdict']}")
    print(f"  checked: {r['checked_packages']} packages decrypt with their partner's key, signed, own manifest")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="100 partners")
    parser.add_argument("--keep-home", action="store_true", help="keep the throwaway HEADSTART_HOME")
    args = parser.parse_args()
    partners = 100 if args.quick else args.partners
    if partners < 1:
        parser.error("--partners must be at least 1")
    result = run(partners, keep_home=args.keep_home)
    print_table(result)
    result["quick"] = args.quick
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "delivery_render.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {RESULTS / 'delivery_render.json'}")


if __name__ == "__main__":
    main()
