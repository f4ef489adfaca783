"""Benchmark of the C carrier on the 14 real C PoCs of ../shared/corpus.

Per file: lines, slots and bits by kind (names, literal forms, and the structural choices:
increment, commute, polarity, order, definitions); whether gcc compiles the original here
and what the carrier's compiler check says; after a retyped leak (headstart.leaks.code.
retype_c: every name the program defines renamed, clang-format in a style the seed picks,
comments stripped) the share of slots read correctly, erased and wrong, by kind; render
time per copy and read time per leak. For the files gcc compiles here, per structural kind,
whether copies that take that kind's other forms (all other slots as written) compile to
identical code at -O0 and at -O2, function by function.

    PYTHONPATH=src .venv/bin/python bench/c_poc_structure.py --quick   # one leak per file
    PYTHONPATH=src .venv/bin/python bench/c_poc_structure.py           # three leaks per file

Prints tables and writes bench/results/c_poc_structure.json.
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import time
from pathlib import Path

import numpy as np

from headstart.carriers._c_compile import compile_error, object_code
from headstart.carriers.c_source import CCarrier
from headstart.leaks.code import retype_c

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
POCS = [
    *sorted(CORPUS.glob("CVE-*/exploit.c")),
    CORPUS / "bleedingtooth" / "exploit.c",
    CORPUS / "zenbleed" / "zenbleed.c",
]
STRUCTURAL = ("increment", "augment", "commute", "zero", "null", "comma", "polarity", "loop", "order", "definitions", "defines")
KINDS = ("name", "int", *STRUCTURAL)


def kinds_of(carrier: CCarrier) -> list[str]:
    return [k or s.key.split(":")[0] for s, k in zip(carrier.slots, carrier.struct_kinds(), strict=True)]


def measure_file(path: Path, leaks: int) -> dict:
    source = path.read_text()
    started = time.perf_counter()
    carrier = CCarrier(source)
    build_s = time.perf_counter() - started
    kinds = kinds_of(carrier)
    slots = collections.Counter(kinds)
    bits = collections.Counter()
    for s, k in zip(carrier.slots, kinds, strict=True):
        bits[k] += math.log2(s.q)
    rng = np.random.default_rng(len(source))
    counts: collections.Counter = collections.Counter()
    render_ms, read_s = [], []
    for seed in range(leaks):
        codeword = [int(rng.integers(s.q)) for s in carrier.slots]
        t = time.perf_counter()
        copy = carrier.render(codeword).decode()
        render_ms.append((time.perf_counter() - t) * 1000)
        leak = retype_c(copy, seed=seed)
        t = time.perf_counter()
        reading = carrier.read(leak)
        read_s.append(time.perf_counter() - t)
        for i, k in enumerate(kinds):
            sym = int(reading.symbols[i])
            counts[k, "slots"] += 1
            counts[k, "erased" if sym < 0 else "right" if sym == codeword[i] else "wrong"] += 1
    return {
        "file": path.parent.name,
        "lines": source.count("\n"),
        "slots": len(carrier.slots),
        "bits": round(sum(bits.values()), 1),
        "slots_by_kind": {k: slots[k] for k in KINDS},
        "bits_by_kind": {k: round(bits[k], 1) for k in KINDS},
        "compiles_here": compile_error(source) is None,
        "compiler_check": carrier.compiler_check,
        "build_s": round(build_s, 2),
        "render_ms_median": round(float(np.median(render_ms)), 1),
        "read_s_median": round(float(np.median(read_s)), 2),
        "retyped": {f"{k}:{w}": counts[k, w] for k in KINDS for w in ("slots", "right", "erased", "wrong")},
    }


def gcc_identity(path: Path) -> dict:
    """Per structural kind and optimisation level: sections whose code differs from the
    original's when every slot of that kind takes its 2nd (and last) form."""
    source = path.read_text()
    carrier = CCarrier(source, compiler_check=False)
    kinds = kinds_of(carrier)
    out: dict = {}
    for opt in ("-O0", "-O2"):
        original = object_code(source, opt)
        for kind in STRUCTURAL:
            if kind not in kinds:
                continue
            differing: set[str] = set()
            for level in (1, 3):
                cw = [
                    min(level, s.q - 1) if k == kind else 0 for s, k in zip(carrier.slots, kinds, strict=True)
                ]
                code = object_code(carrier.render(cw).decode(), opt, carrier.renamed_symbols(cw))
                differing |= {s for s in set(original) | set(code) if original.get(s) != code.get(s)}
            out[f"{kind}{opt}"] = {"slots": kinds.count(kind), "differing_sections": sorted(differing)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="one retyped leak per file instead of three")
    args = ap.parse_args()
    leaks = 1 if args.quick else 3
    rows = [measure_file(p, leaks) for p in POCS]
    print(f"{'file':28} {'lines':>5} {'slots':>5} {'bits':>6} {'struct':>6} {'s.bits':>6} "
          f"{'right':>6} {'wrong':>5} {'struct right':>12} {'gcc':>4} {'render ms':>9} {'read s':>6}")  # fmt: skip
    total: collections.Counter = collections.Counter()
    for r in rows:
        rt = r["retyped"]
        total.update(rt)
        struct_n = sum(r["slots_by_kind"][k] for k in STRUCTURAL)
        struct_bits = sum(r["bits_by_kind"][k] for k in STRUCTURAL)
        right = sum(rt[f"{k}:right"] for k in KINDS)
        wrong = sum(rt[f"{k}:wrong"] for k in KINDS)
        s_right = sum(rt[f"{k}:right"] for k in STRUCTURAL)
        s_all = sum(rt[f"{k}:slots"] for k in STRUCTURAL)
        print(f"{r['file'][:28]:28} {r['lines']:5} {r['slots']:5} {r['bits']:6} {struct_n:6} {struct_bits:6.1f} "
              f"{right / max(sum(rt[f'{k}:slots'] for k in KINDS), 1):6.2f} {wrong:5} "
              f"{s_right / max(s_all, 1):12.2f} {'yes' if r['compiles_here'] else 'no':>4} "
              f"{r['render_ms_median']:9} {r['read_s_median']:6}")  # fmt: skip
    print("\nafter retyping, over all files: slots read right / erased / wrong, by kind")
    summary = {}
    for k in KINDS:
        n = total[f"{k}:slots"]
        summary[k] = {w: total[f"{k}:{w}"] for w in ("slots", "right", "erased", "wrong")}
        print(f"  {k:12} {n:5} slots  right {total[f'{k}:right'] / max(n, 1):.3f}  "
              f"erased {total[f'{k}:erased'] / max(n, 1):.3f}  wrong {total[f'{k}:wrong']}")  # fmt: skip
    identity = {r["file"]: gcc_identity(CORPUS / r["file"] / "exploit.c") for r in rows
                if r["compiles_here"] and r["file"] != "zenbleed"}  # fmt: skip
    print("\ngcc: sections whose code differs when every slot of a kind takes another form")
    for name, kinds in identity.items():
        print(f"  {name}")
        for key, v in kinds.items():
            print(f"    {key:18} slots {v['slots']:3}  differing {len(v['differing_sections'])}")
    result = {"quick": args.quick, "leaks_per_file": leaks, "files": rows, "retyped_summary": summary,
              "gcc_identity": identity}  # fmt: skip
    out = HERE / "results" / "c_poc_structure.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
