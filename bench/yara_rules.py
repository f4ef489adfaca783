"""Benchmark: the YARA rules generated from trigger specifications, run by yara-x.

For each specification (the sample advisory's TIM format, and the PNG tRNS-overflow
specification in tests/fixtures/png_trns) the rule `headstart.triggers.yara_rules` writes
is compiled with yara-x and scanned over:

  copies   the PoC as N partners receive it: each partner's codeword from the program's
           codebook (headstart.marking.Codebook, a random key), rendered by the binary
           carrier. Target: every copy matched, and the original.
  benign   files of the format that do not trigger the bug, and other files:
             near misses   the PoC with one tested field moved across its condition
                           (headstart.triggers.corpus.near_misses), checksums recomputed
             built         valid files built from the specification (build) with random
                           values on both sides of each condition, kept when the
                           specification's own evaluator says they miss the trigger
             machine       PNG files under /usr (real images of the second format) and
                           files from /usr/bin and /usr/lib
           Target: none matched.

Every rule is scanned over every benign file, whatever its format. Also measured: compile
time and scan rate in files per second (indicative: the machine is shared).

    PYTHONPATH=src .venv/bin/python bench/yara_rules.py --quick   # 200 copies, 600 machine files
    PYTHONPATH=src .venv/bin/python bench/yara_rules.py           # 1,000 copies, every PNG under /usr, 2,000 others

Prints a table and writes bench/results/yara_rules.json; exits non-zero when a row fails.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import random
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import yara_x

from headstart.carriers.binary import BinaryCarrier
from headstart.marking import Codebook
from headstart.samples import SAMPLE_DIR
from headstart.triggers import Spec, TriggerError, build, evaluate, load_spec, parse
from headstart.triggers.corpus import near_misses
from headstart.triggers.yara_rules import yara_rule

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results"
PNG_DIR = REPO / "tests" / "fixtures" / "png_trns"
MAX_FILE = 4_000_000


def triggers(spec: Spec, data: bytes) -> bool | None:
    try:
        return all(r.holds for r in evaluate(spec, parse(spec, data)))
    except TriggerError:
        return None


def built_tim(spec: Spec, rng: random.Random) -> bytes:
    height = rng.choice([0, 1, 2, 0x3ff, 0x400, 0x401, rng.randrange(0, 0x800)])
    length = min(0xffff, max(0, height * 2 + rng.choice([-1, 0, 1, -height, rng.randrange(-20, 20)])))
    chunks = [{"kind": rng.choice([0, 1, 2, 3, 0x10, 0x20]), "length": length, "body": rng.randbytes(length)}]
    chunks += [{"kind": 0x20, "length": 3, "body": b"abc"}] * rng.randrange(0, 3)
    return build(spec, {"width": rng.choice([0x3ffe, 0x3fff, 0x4000, rng.randrange(0, 1 << 32)]), "height": height,
                        "created": rng.randrange(1 << 32), "comment": "benign TIM file.", "chunks": chunks})


def built_png(spec: Spec, rng: random.Random) -> bytes:
    entries = rng.choice([1, 2, 16, 255, 256])
    trns = max(0, entries + rng.choice([-1, 0, 1, 2, -entries, 100]))
    chunks = [("PLTE", rng.randbytes(3 * entries)), ("tRNS", rng.randbytes(trns))]
    if rng.random() < 0.2:
        chunks.insert(0, ("gAMA", b"\x00\x00\xb1\x8f"))
    if rng.random() < 0.2:
        chunks.reverse()
    idat = zlib.compress(b"\x00\x00\x01")
    return build(spec, {
        "ihdr": {"width": 2, "height": 1, "bit_depth": 8, "color_type": rng.choice([3, 3, 2, 6]),
                 "compression_method": 0, "filter_method": 0, "interlace_method": 0},
        "chunks": [{"length": len(b), "type": t, "body": b} for t, b in [*chunks, ("IDAT", idat), ("IEND", b"")]]})


FORMATS = {
    "tim": (SAMPLE_DIR / "tim.ksy.yaml", SAMPLE_DIR / "poc.tim", "HS-2026-0001", built_tim),
    "png": (PNG_DIR / "png.ksy.yaml", PNG_DIR / "poc.png", "HS-2026-0002", built_png),
}


def machine_files(png_limit: int | None, other_limit: int) -> dict[str, list[Path]]:
    pngs = sorted(p for p in Path("/usr").rglob("*.png") if p.is_file() and p.stat().st_size <= MAX_FILE)
    others: list[Path] = []
    for root in (Path("/usr/bin"), Path("/usr/lib")):
        others += sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()
                         and p.suffix != ".png" and 0 < p.stat().st_size <= MAX_FILE)
    rng = random.Random(11)
    rng.shuffle(others)
    return {"machine PNG": pngs[:png_limit] if png_limit else pngs, "machine other": others[:other_limit]}


def partner_copies(spec_text: str, poc: bytes, scope: str, n: int) -> list[bytes]:
    carrier = BinaryCarrier(spec_text, poc)
    partners = [f"partner-{i:05d}" for i in range(n)]
    book = Codebook(key=os.urandom(32), scope=scope, alphabet_sizes=[len(s.alternatives) for s in carrier.slots],
                    partners=partners)
    return [carrier.render(book.codeword(p).tolist()) for p in partners]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="200 copies a rule, 300 machine PNGs, 300 other files")
    ap.add_argument("--copies", type=int, help="partners' copies per rule (default 1,000; 200 with --quick)")
    args = ap.parse_args()
    n_copies = args.copies or (200 if args.quick else 1000)
    rng = random.Random(19)

    rules: dict[str, tuple[yara_x.Rules, str, float]] = {}
    benign: dict[str, list[tuple[str, bytes]]] = {"near misses": [], "built": []}
    copies: dict[str, list[bytes]] = {}
    originals: dict[str, bytes] = {}
    for fmt, (spec_path, poc_path, ident, builder) in FORMATS.items():
        spec_text, poc = spec_path.read_text(), poc_path.read_bytes()
        spec = load_spec(spec_text)
        started = time.perf_counter()
        text = yara_rule(spec, name=f"{ident.replace('-', '_')}_{poc_path.name.replace('.', '_')}").text
        compiled = yara_x.compile(text)
        rules[fmt] = (compiled, text, time.perf_counter() - started)
        originals[fmt] = poc
        copies[fmt] = partner_copies(spec_text, poc, f"{ident}/{poc_path.name}/v1", n_copies)
        benign["near misses"] += [(f"{fmt} near miss {i}", d) for i, d in enumerate(near_misses(spec, poc, rng))]
        built = 0
        while built < (100 if args.quick else 400):
            data = builder(spec, rng)
            if triggers(spec, data) is False:
                benign["built"].append((f"{fmt} built {built}", data))
                built += 1
    for group, paths in machine_files(300 if args.quick else None, 300 if args.quick else 2000).items():
        benign[group] = [(str(p), p.read_bytes()) for p in paths]

    rows: list[dict[str, Any]] = []
    failed = False
    print(f"{'rule':<6} {'copies matched':>16} {'original':>9} " + " ".join(f"{g:>15}" for g in benign)
          + f" {'benign matched':>16}  target  result")
    for fmt, (compiled, text, compile_s) in rules.items():
        scanner = yara_x.Scanner(compiled)
        matched_copies = sum(bool(scanner.scan(c).matching_rules) for c in copies[fmt])
        original = bool(scanner.scan(originals[fmt]).matching_rules)
        per_group: dict[str, dict[str, Any]] = {}
        started = time.perf_counter()
        for group, files in benign.items():
            hits = [name for name, data in files if scanner.scan(data).matching_rules]
            per_group[group] = {"matched": len(hits), "total": len(files), "examples": hits[:5]}
        scan_s = time.perf_counter() - started
        benign_matched = sum(g["matched"] for g in per_group.values())
        benign_total = sum(g["total"] for g in per_group.values())
        ok = matched_copies == len(copies[fmt]) and original and benign_matched == 0
        failed |= not ok
        print(f"{fmt:<6} {f'{matched_copies} / {len(copies[fmt])}':>16} {'yes' if original else 'NO':>9} "
              + " ".join(f"{str(g['matched']) + ' / ' + str(g['total']):>15}" for g in per_group.values())
              + f" {f'{benign_matched} / {benign_total}':>16}  all / 0  {'PASS' if ok else 'FAIL'}")
        rows.append({"rule": fmt, "copies_matched": matched_copies, "copies": len(copies[fmt]),
                     "original_matched": original, "benign": per_group, "benign_matched": benign_matched,
                     "benign_total": benign_total, "target": "every copy and the original matched, no benign file",
                     "result": "PASS" if ok else "FAIL", "rule_chars": len(text), "compile_s": round(compile_s, 4),
                     "files_per_s": round(benign_total / scan_s) if scan_s else None})
    print("\n" + "\n".join(f"{r['rule']}: generated and compiled in {r['compile_s'] * 1000:.1f} ms, "
                           f"{r['rule_chars']} characters; benign corpus scanned at {r['files_per_s']} files/s"
                           for r in rows))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "yara_rules.json").write_text(json.dumps({
        "quick": args.quick, "engine": f"yara-x {importlib.metadata.version('yara-x')}",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}, "rows": rows}, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
