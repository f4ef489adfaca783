"""Issue 17's targets measured on real material: ../shared/corpus, 100 partners,
family-wise threshold 1e-6.

Every file is marked by the carrier headstart.carriers.carrier_for gives it, with a real
headstart.marking.Codebook (delivery's design, design_for); leaks are made with
headstart.leaks and read back by the same carriers; accusations come only from
headstart.marking.attribute (bench/_pvalues.py). Nothing here is tuned: whatever the
carriers, the decoder and the leak transforms do when this runs is what it measures.

Rows (each printed with its target and PASS/FAIL, and for a FAIL one line of why):

1. robust bits per word after a forum copy: each corpus write-up alone (every
   vulnerability.md and exploit.md, bleedingtooth/writeup.md, zenbleed/README.md), a
   random partner's copy rendered to HTML and copied as text
   (headstart.leaks.text.markdown_html_text, the path `advisory check` uses), read back;
   the sum of log2 q over the slots read correctly, divided by the words of the leak.
   Median over the write-ups (a write-up without a carrier counts 0), each file in the JSON.
2. the same with every proposal of headstart.carriers.prose.suggest accepted (the
   proposals target the slots that did not survive row 1's forum copy).
3. a 300-word contiguous excerpt of a forum copy (random write-up, random start, random
   leaker of 100) names the leaker: without markup, and with suggest's proposals accepted.
4. each German translation fixture (tests/fixtures/corpus_leaks, about 40% of a write-up)
   made into a partner's leak by headstart.leaks.translation.leak_for_copy, investigated
   against its whole advisory; 5. the English paraphrase fixture, the same (no target).
6. every corpus PoC (each exploit.c, zenbleed.c) and the sample's Python PoC retyped
   (headstart.leaks.code.retype_c / retype_python: every name the program defines changed,
   reformatted, comments gone), investigated against its advisory.
7. the first 40% of a PoC copy's lines, the same.
8. 3 colluders of 100 pool their copies of a whole advisory (write-up + PoC) and post one
   mix (headstart.leaks.mixing, per sentence for prose and per line for code): majority,
   random, and delete every unit that differs; a colluder accused. Then the same with each
   write-up replaced by its copy with suggest's proposals accepted (no target of its own).
9. the unrestricted attack on a q = 4 code (n = 300 partners, c = 3, m = 600 slots,
   design 3): colluders write a valid symbol none of them holds where they differ
   (headstart.marking.simulate); a colluder accused by attribute().
10. innocent partners accused over every trial above: must be 0.

"Investigated" means what `headstart investigate` does, in the pure libraries: every file
of the advisory with a carrier reads the leak and attribute() combines every reading in
one call (bench/_corpus_material.investigate).

    PYTHONPATH=src .venv/bin/python bench/corpus.py --quick   # a few minutes
    PYTHONPATH=src .venv/bin/python bench/corpus.py           # about 20 minutes

Prints the table and writes bench/results/corpus.json.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _carriers_advisory import PARTNERS, judge_readings, read, words
from _corpus_material import (
    DEFAULT_CORPUS,
    KEY,
    Built,
    Corpus,
    build,
    investigate,
    reading_row,
    writeup_paths,
)
from _pvalues import THRESHOLD, evidence_floor_bits, verdict

from headstart.leaks.code import CodeTransformError, retype_c, retype_python
from headstart.leaks.mixing import delete_differing, majority, mix_units
from headstart.leaks.text import markdown_html_text
from headstart.leaks.translation import leak_for_copy
from headstart.marking import Codebook, attribute, simulate

RESULTS = Path(__file__).resolve().parent / "results" / "corpus.json"
FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "corpus_leaks"
PYTHON_POC = "samples/poc_tim_overflow.py"
EXCERPT_WORDS = 300
POC_SHARE = 0.4

TRIALS = {
    # row: (quick, full)
    "forum": (1, 3),  # copies per write-up
    "excerpt": (20, 200),
    "translation": (2, 10),  # leakers per fixture
    "retyped": (1, 4),  # leakers per PoC
    "first40": (1, 4),
    "collusion": (4, 20),  # per mode
    "unrestricted": (20, 100),
}


class Tally:
    """Innocent partners accused, over every trial of every row."""

    def __init__(self) -> None:
        self.trials = 0
        self.innocents = 0
        self.where: list[str] = []
        self.failures: list[str] = []  # trials that could not run (a copy that did not render)

    def failed(self, row: str, exc: Exception) -> str:
        note = f"{row}: {type(exc).__name__}: {exc}"[:300]
        self.failures.append(note)
        return note

    def add(self, row: str, accused_innocents: set[str]) -> None:
        self.trials += 1
        if accused_innocents:
            self.innocents += len(accused_innocents)
            self.where.append(f"{row}: {sorted(accused_innocents)}")


def row(measure: str, measured: str, target: str, passed: bool | None, why: str = "", **extra) -> dict:
    return {"measure": measure, "measured": measured, "target": target, "pass": passed,
            "why": "" if passed else why, **extra}


# --- 1 and 2: robust bits per word after a forum copy ----------------------------------------------------


def forum_density(files: dict[str, Built], rng: random.Random, trials: int) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for path, built in files.items():
        if built.artifact is None:
            out[path] = {"slots": 0, "bits": 0.0, "robust_bits_per_word": 0.0, "note": built.note}
            continue
        densities, rows, keys = [], [], set()
        for _ in range(trials):
            partner = rng.randrange(len(PARTNERS))
            try:
                leak = markdown_html_text(built.copy(partner))
            except Exception as exc:  # noqa: BLE001 - a copy that does not render is a finding
                rows.append({"read": 0, "right": 0, "wrong": 0, "robust_bits": 0.0, "words": 0,
                             "problem": f"copy failed: {type(exc).__name__}: {exc}"[:200]})
                densities.append(0.0)
                continue
            reading, problem = read(built.artifact, leak)
            r = reading_row(built, reading, {partner}, problem)
            r["words"] = words(leak)
            densities.append(r["robust_bits"] / max(1, r["words"]))
            rows.append(r)
            right = (reading.symbols == built.codeword(partner)) & (reading.confidence > 0)
            keys |= {s.key for s, ok in zip(built.artifact.carrier.slots, right.tolist(), strict=True) if ok}
        out[path] = {
            "slots": built.slots,
            "bits": round(built.bits, 1),
            "words": max(r["words"] for r in rows),
            "problems": sorted({r["problem"] for r in rows if r.get("problem")}),
            "read": statistics.median(r["read"] for r in rows),
            "right": statistics.median(r["right"] for r in rows),
            "wrong": statistics.median(r["wrong"] for r in rows),
            "robust_bits": statistics.median(r["robust_bits"] for r in rows),
            "robust_bits_per_word": statistics.median(densities),
            "robust_keys": sorted(keys),
        }
    return out


def suggest_function() -> Callable | None:
    """headstart.carriers.prose.suggest.suggest when it exists (``advisory suggest``'s core)."""
    try:
        from headstart.carriers.prose.suggest import suggest
    except ImportError:
        return None
    return suggest


def suggested_writeups(corpus: Corpus, plain: dict[str, dict], suggest: Callable) -> dict[str, Built]:
    """Each write-up with every proposal accepted, built like the original."""
    out = {}
    for path in plain:
        original = (corpus.root / path).read_bytes()
        keys = plain[path].get("robust_keys") if plain[path].get("slots") else None
        proposals = suggest(original.decode("utf-8"), keys)
        accepted = proposals.markdown.encode("utf-8")
        built = build(corpus.root, str(corpus.root / path), "writeup", corpus.advisory_of(path) + "-suggested",
                      accepted)
        built.path = path
        built.note = (built.note + "; " if built.note else "") + (
            f"{len(proposals.proposals)} proposals accepted; {proposals.unmarked_sentences} of "
            f"{proposals.sentences} sentences had no surviving slot, {len(proposals.without_proposal)} of them "
            "got no proposal")
        out[path] = built
    return out


def density_row(measure: str, per_file: dict[str, dict], target: float) -> dict:
    values = [v["robust_bits_per_word"] for v in per_file.values()]
    median = statistics.median(values)
    no_carrier = [p for p, v in per_file.items() if not v.get("slots")]
    # Capacity before any leak, per word of the forum copy: the ceiling of the measure.
    ceiling = statistics.median(v["bits"] / v["words"] if v.get("words") else 0.0 for v in per_file.values())
    kept = sum(v.get("right", 0) for v in per_file.values()) / max(1, sum(v.get("slots", 0) for v in per_file.values()))
    why = (f"the median write-up carries {ceiling:.3f} bits per word before any leak; the forum copy keeps "
           f"{kept:.0%} of all slots" + (f"; no carrier for {', '.join(no_carrier)}" if no_carrier else ""))
    return row(measure, f"{median:.3f}", f">= {target}", median >= target, why, value=median,
               notes=[f"no carrier: {p}" for p in no_carrier])


# --- 3: a 300-word excerpt of a forum copy ------------------------------------------------------------


def excerpt_trials(files: list[Built], rng: random.Random, trials: int, tally: Tally, label: str) -> dict:
    named = 0
    bits: list[float] = []
    no_carrier = 0
    for _ in range(trials):
        built = rng.choice(files)
        partner = rng.randrange(len(PARTNERS))
        if built.artifact is None:
            no_carrier += 1
            bits.append(0.0)
            continue
        try:
            leak = markdown_html_text(built.copy(partner))
        except Exception as exc:  # noqa: BLE001 - a copy that does not render is a finding
            tally.failed(label, exc)
            bits.append(0.0)
            continue
        spans = [m.span() for m in re.finditer(r"\S+", leak)]
        if len(spans) > EXCERPT_WORDS:
            start = rng.randrange(len(spans) - EXCERPT_WORDS + 1)
            leak = leak[spans[start][0] : spans[start + EXCERPT_WORDS - 1][1]]
        found = investigate([built], leak, {partner})
        named += bool(found.verdict.guilty_accused)
        tally.add(label, found.verdict.innocents_accused)
        bits.append(found.readings[built.path]["robust_bits"])
    return {"trials": trials, "named": named, "share": named / trials, "median_robust_bits": statistics.median(bits),
            "no_carrier_trials": no_carrier}


def excerpt_row(measure: str, result: dict, target: float) -> dict:
    floor = evidence_floor_bits(len(PARTNERS))
    why = (f"median {result['median_robust_bits']:.1f} robust bits in an excerpt; a single leaker needs at "
           f"least {floor:.1f} (log2(100 / 1e-6))")
    if result["no_carrier_trials"]:
        why += f"; {result['no_carrier_trials']} trials on a write-up without carrier"
    share = result["share"]
    return row(measure, f"{share:.2f} ({result['named']}/{result['trials']})", f">= {target}", share >= target, why,
               value=share)


# --- 4 and 5: translation and paraphrase fixtures ---------------------------------------------------------


def fixture_trials(corpus: Corpus, rng: random.Random, trials: int, tally: Tally, kind: str) -> dict[str, dict]:
    manifest = json.loads((FIXTURES / "fixtures.json").read_text())
    out = {}
    for entry in manifest:
        if entry["kind"] != kind:
            continue
        folder = entry["source"].split("/")[0]
        files = corpus.advisory(folder)
        writeup = next(f for f in files if f.path == entry["source"])
        fixture = (FIXTURES / entry["fixture"]).read_text()
        results = []
        for _ in range(trials):
            partner = rng.randrange(len(PARTNERS))
            if writeup.artifact is None:
                results.append({"named": False, "readings": {writeup.path: {"problem": writeup.note}}})
                continue
            try:
                copy = writeup.copy(partner)
            except Exception as exc:  # noqa: BLE001 - a copy that does not render is a finding
                results.append({"named": False, "readings": {writeup.path: {"problem": tally.failed(kind, exc)}}})
                continue
            leak = leak_for_copy(fixture, writeup.original_text(), copy, entry["first_line"], entry["last_line"])
            found = investigate(files, leak, {partner})
            tally.add(f"{kind} {entry['fixture']}", found.verdict.innocents_accused)
            # As the product's matcher does with a translation (by its survivors): the write-up alone.
            alone = investigate([writeup], leak, {partner})
            tally.add(f"{kind} {entry['fixture']}, write-up alone", alone.verdict.innocents_accused)
            results.append({"named": bool(found.verdict.guilty_accused), "readings": found.readings,
                            "log10_family_p": found.verdict.guilty_log10_family_p,
                            "named_by_writeup_alone": bool(alone.verdict.guilty_accused)})
        out[entry["fixture"]] = {
            "source": entry["source"], "lines": [entry["first_line"], entry["last_line"]],
            "trials": trials, "named": sum(r["named"] for r in results),
            "named_by_writeup_alone": sum(r.get("named_by_writeup_alone", False) for r in results),
            "readings": [r["readings"] for r in results],
            "best_log10_family_p": min((r.get("log10_family_p", 0.0) for r in results), default=0.0),
        }
    return out


def _reading_summary(per_trial: list[dict[str, dict]]) -> str:
    """'exploit.md right 2 wrong 0 of 55; exploit.c right 0 wrong 1 of 177' (medians over trials)."""
    parts = []
    for path in per_trial[0]:
        rows = [t[path] for t in per_trial if path in t]
        if not rows[0].get("slots"):
            parts.append(f"{path.split('/')[-1]}: {rows[0].get('problem', 'no carrier')[:60]}")
            continue
        right = statistics.median(r["right"] for r in rows)
        wrong = statistics.median(r["wrong"] for r in rows)
        parts.append(f"{path.split('/')[-1]} {right:.0f} right {wrong:.0f} wrong of {rows[0]['slots']}")
    return "; ".join(parts)


def fixture_row(measure: str, results: dict[str, dict], target: str | None) -> dict:
    every = [name for name, r in results.items() if r["named"] == r["trials"]]
    measured = f"{len(every)} of {len(results)} fixtures named in every trial (" + ", ".join(
        f"{name.split('.')[0]} {r['named']}/{r['trials']}" for name, r in results.items()) + "; write-up alone: " + \
        ", ".join(f"{r['named_by_writeup_alone']}/{r['trials']}" for r in results.values()) + ")"
    passed = None if target is None else len(every) == len(results)
    why = " | ".join(f"{name.split('.')[0]}: {_reading_summary(r['readings'])}" for name, r in results.items()
                     if r["named"] < r["trials"])
    return row(measure, measured, target or "(reported, no target)", passed, why,
               value=len(every) / max(1, len(results)))


# --- 6 and 7: PoCs retyped, and their first 40% -----------------------------------------------------------


def poc_files(corpus: Corpus) -> list[tuple[Built, list[Built]]]:
    """(the PoC, every file of its advisory): each corpus PoC, and the sample's Python PoC alone."""
    out = []
    for folder in sorted(corpus.advisories):
        files = corpus.advisory(folder)
        out.append((files[1], files))
    python = corpus.poc(PYTHON_POC)
    return [*out, (python, [python])]


def first_lines(text: str, seed: int = 0) -> str:
    lines = text.splitlines(keepends=True)
    return "".join(lines[: math.ceil(POC_SHARE * len(lines))])


def retype(text: str, family: str, seed: int) -> str:
    return retype_python(text, seed=seed) if family == "python" else retype_c(text, seed=seed)


def poc_trials(corpus: Corpus, rng: random.Random, trials: int, tally: Tally, label: str,
               transform: Callable[[str, str, int], str]) -> dict[str, dict]:
    out = {}
    for poc, files in poc_files(corpus):
        results = []
        for t in range(trials):
            partner = rng.randrange(len(PARTNERS))
            if poc.artifact is None:
                results.append({"named": False, "readings": {poc.path: {"problem": poc.note}}})
                continue
            try:
                copy = poc.copy(partner)
            except Exception as exc:  # noqa: BLE001 - a copy that does not render is a finding
                results.append({"named": False, "readings": {poc.path: {"problem": tally.failed(label, exc)}}})
                continue
            try:
                leak = transform(copy, poc.family, t)
            except CodeTransformError as exc:
                results.append({"named": False, "readings": {poc.path: {"problem": f"transform failed: {exc}"}}})
                continue
            found = investigate(files, leak, {partner})
            tally.add(f"{label} {poc.path}", found.verdict.innocents_accused)
            results.append({"named": bool(found.verdict.guilty_accused), "readings": found.readings})
        out[poc.path] = {"trials": trials, "named": sum(r["named"] for r in results),
                         "readings": [r["readings"] for r in results]}
    return out


def poc_row(measure: str, results: dict[str, dict], target: float) -> dict:
    trials = sum(r["trials"] for r in results.values())
    named = sum(r["named"] for r in results.values())
    share = named / max(1, trials)
    missed = [p for p, r in results.items() if r["named"] < r["trials"]]
    right = wrong = slots = 0.0
    problems = []
    for path, r in results.items():
        rows = [t.get(path, {}) for t in r["readings"]]
        if rows and rows[0].get("slots"):
            right += statistics.median(x["right"] for x in rows)
            wrong += statistics.median(x["wrong"] for x in rows)
            slots += rows[0]["slots"]
        elif rows:
            problems.append(f"{path}: {rows[0].get('problem', '')[:80]}")
    why = (f"PoC carriers read {right:.0f} slots right and {wrong:.0f} wrong of {slots:.0f} (medians, summed over "
           f"PoCs); not named: {', '.join(p.split('/')[0] for p in missed)}")
    return row(measure, f"{share:.2f} ({named}/{trials})", f">= {target}", share >= target, why, value=share,
               notes=problems)


# --- 8: three colluders, whole advisory ------------------------------------------------------------------

MODES: dict[str, Callable[[list[str], str, int], str]] = {
    "majority": lambda copies, unit, seed: majority(copies, unit, seed),
    "random": lambda copies, unit, seed: mix_units(copies, unit, seed),
    "delete-differing": lambda copies, unit, seed: delete_differing(copies, unit),
}


def collusion_trials(corpus: Corpus, rng: random.Random, trials: int, tally: Tally,
                     suggested: dict[str, Built] | None = None) -> dict[str, dict]:
    """Three colluders mix their copies of one advisory; ``suggested`` replaces each write-up by
    its copy with every proposal accepted."""
    out = {}
    folders = sorted(corpus.advisories)
    label = "collusion, suggested" if suggested else "collusion"
    for mode, mix in MODES.items():
        named = 0
        detail = []
        for t in range(trials):
            folder = rng.choice(folders)
            colluders = rng.sample(range(len(PARTNERS)), 3)
            pairs, rows = [], {}
            for built in corpus.advisory(folder):
                built = (suggested or {}).get(built.path, built)
                if built.artifact is None:
                    rows[built.path] = {"slots": 0, "problem": built.note}
                    continue
                unit = "sentence" if built.family == "prose" else "line"
                try:
                    copies = [built.copy(c) for c in colluders]
                except Exception as exc:  # noqa: BLE001 - a copy that does not render is a finding
                    rows[built.path] = {"slots": built.slots, "problem": tally.failed(f"{label} {mode}", exc)}
                    continue
                mixed = mix(copies, unit, t)
                reading, problem = read(built.artifact, mixed)
                pairs.append((built.artifact.book, reading))
                rows[built.path] = reading_row(built, reading, set(colluders), problem)
            result = judge_readings(pairs, {PARTNERS[c] for c in colluders})
            tally.add(f"{label} {mode} {folder}", result.innocents_accused)
            named += bool(result.guilty_accused)
            detail.append({"advisory": folder, "named": bool(result.guilty_accused), "readings": rows})
        out[mode] = {"trials": trials, "named": named, "share": named / trials, "detail": detail}
    return out


def collusion_row(mode: str, result: dict, suffix: str = "") -> dict:
    share = result["share"]
    missed = [d for d in result["detail"] if not d["named"]]
    why = ""
    if missed:
        bits = statistics.median(sum(r.get("robust_bits", 0.0) for r in d["readings"].values()) for d in missed)
        why = (f"{len(missed)} trials named nobody; their median colluder-matching bits read {bits:.1f} "
               f"(a single leaker alone needs {evidence_floor_bits(len(PARTNERS)):.1f})")
    return row(f"3 colluders, whole advisory: {mode}{suffix}", f"{share:.2f} ({result['named']}/{result['trials']})",
               ">= 0.95", share >= 0.95, why, value=share)


# --- 9: the unrestricted attack on a q = 4 code ------------------------------------------------------------


def unrestricted_trials(rng: random.Random, trials: int, tally: Tally) -> dict:
    partners = [f"p{i:03d}" for i in range(300)]
    book = Codebook(KEY, "bench-corpus/unrestricted-q4/v1", [4] * 600, partners, design_coalition=3)
    g = np.random.default_rng(rng.randrange(2**32))
    named = 0
    for _ in range(trials):
        colluders = simulate.coalition(book, 3, g)
        leak = simulate.leak(book, colluders, "unrestricted", rng=g)
        result = verdict(attribute(book, leak, threshold=THRESHOLD), colluders)
        tally.add("unrestricted q=4", result.innocents_accused)
        named += bool(result.guilty_accused)
    return {"trials": trials, "named": named, "share": named / trials}


# --- the run ------------------------------------------------------------------------------------------------


def git_state() -> dict:
    root = Path(__file__).resolve().parents[1]

    def git(*argv: str) -> str:
        done = subprocess.run(["git", *argv], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    dirty = [line[3:] for line in git("status", "--porcelain", "src").splitlines()]
    return {"commit": git("rev-parse", "HEAD"), "uncommitted_src_files": dirty}


def print_table(rows: list[dict]) -> None:
    print("\n| measure | measured | target | result | why (when it fails) |")
    print("|---|---|---|---|---|")
    for r in rows:
        result = "-" if r["pass"] is None else ("PASS" if r["pass"] else "FAIL")
        print(f"| {r['measure']} | {r['measured']} | {r['target']} | {result} | {r['why']} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer trials (a few minutes)")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the corpus folder (../shared/corpus)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    n = {k: v[0] if args.quick else v[1] for k, v in TRIALS.items()}
    rng = random.Random(args.seed)
    corpus = Corpus(args.corpus)
    tally = Tally()
    started = time.monotonic()
    seconds: dict[str, float] = {}
    rows: list[dict] = []

    def timed(name: str, fn: Callable):
        t0 = time.monotonic()
        value = fn()
        seconds[name] = round(time.monotonic() - t0, 1)
        print(f"  {name}: {seconds[name]} s", flush=True)
        return value

    writeups = {p: corpus.writeup(p) for p in writeup_paths(args.corpus)}
    plain = timed("forum copy", lambda: forum_density(writeups, rng, n["forum"]))
    rows.append(density_row("robust bits per word after a forum copy, median over the write-ups, no markup",
                            plain, 0.12))
    suggest = suggest_function()
    suggested: dict[str, dict] = {}
    suggested_files: dict[str, Built] = {}
    if suggest is None:
        rows.append(row("the same with all of suggest's proposals accepted", "not measured: suggest does not exist yet",
                        ">= 0.35", False, "not measured: suggest does not exist yet"))
    else:
        suggested_files = timed("suggest", lambda: suggested_writeups(corpus, plain, suggest))
        suggested = timed("forum copy, suggested", lambda: forum_density(suggested_files, rng, n["forum"]))
        rows.append(density_row("the same with all of suggest's proposals accepted", suggested, 0.35))

    excerpt = timed("excerpts", lambda: excerpt_trials(list(writeups.values()), rng, n["excerpt"], tally,
                                                        "excerpt"))
    rows.append(excerpt_row("a 300-word excerpt of a forum copy names the single leaker, no markup", excerpt, 0.5))
    excerpt_marked = None
    if suggested_files:
        excerpt_marked = timed("excerpts, suggested", lambda: excerpt_trials(
            list(suggested_files.values()), rng, n["excerpt"], tally, "excerpt, suggested"))
        rows.append(excerpt_row("the same with suggest's proposals accepted", excerpt_marked, 0.95))
    else:
        rows.append(row("the same with suggest's proposals accepted", "not measured: suggest does not exist yet",
                        ">= 0.95", False, "not measured: suggest does not exist yet"))

    translations = timed("translations", lambda: fixture_trials(corpus, rng, n["translation"], tally,
                                                                 "translation"))
    rows.append(fixture_row("a German translation of 40% of a write-up names the leaker", translations,
                            "named in every fixture"))
    paraphrases = timed("paraphrase", lambda: fixture_trials(corpus, rng, n["translation"], tally, "paraphrase"))
    rows.append(fixture_row("an English paraphrase of 554 words names the leaker", paraphrases, None))

    retyped = timed("retyped PoCs", lambda: poc_trials(corpus, rng, n["retyped"], tally, "retyped",
                                                        retype))
    rows.append(poc_row("a PoC retyped (every exploit.c, zenbleed.c, the Python PoC) names the leaker", retyped,
                        0.9))
    first40 = timed("first 40% of PoCs", lambda: poc_trials(corpus, rng, n["first40"], tally, "first 40%",
                                                             lambda text, family, seed: first_lines(text)))
    rows.append(poc_row("the first 40% of a PoC's lines names the leaker", first40, 0.9))

    collusion = timed("collusion", lambda: collusion_trials(corpus, rng, n["collusion"], tally))
    rows += [collusion_row(mode, collusion[mode]) for mode in MODES]
    collusion_marked = None
    if suggested_files:
        collusion_marked = timed("collusion, suggested", lambda: collusion_trials(
            corpus, rng, n["collusion"], tally, suggested_files))
        rows += [collusion_row(mode, collusion_marked[mode], ", with suggest's proposals accepted") for mode in MODES]

    unrestricted = timed("unrestricted", lambda: unrestricted_trials(rng, n["unrestricted"], tally))
    share = unrestricted["share"]
    rows.append(row("q = 4 unrestricted attack, n = 300, c = 3, m = 600: a colluder accused",
                    f"{share:.2f} ({unrestricted['named']}/{unrestricted['trials']})", ">= 0.95", share >= 0.95,
                    "attribute() does not catch colluders who write symbols none of them holds", value=share))
    rows.append(row("innocent partners accused, over every trial above", f"{tally.innocents} in {tally.trials} trials",
                    "0", tally.innocents == 0, "; ".join(tally.where[:5]), value=tally.innocents))

    build_notes = [f"{b.path} ({b.kind}): {b.note}" for b in corpus.built() if b.artifact is None]
    print_table(rows)
    if build_notes:
        print("\nFiles without a carrier (each counts as unmarked in its rows):")
        for note in build_notes:
            print(f"  {note}")
    if tally.failures:
        print(f"\nTrials that could not run (counted as not named): {len(tally.failures)}")
        for note in tally.failures[:10]:
            print(f"  {note}")
    result = {
        "quick": args.quick,
        "corpus": str(args.corpus),
        "partners": len(PARTNERS),
        "threshold": THRESHOLD,
        "trials": n,
        "seed": args.seed,
        "forum_path": "headstart.leaks.text.markdown_html_text (Markdown -> HTML -> text)",
        "seconds": {**seconds, "total": round(time.monotonic() - started, 1)},
        "targets": rows,
        "carriers": {b.path + f" ({b.kind})": {"slots": b.slots, "bits": round(b.bits, 1), "note": b.note,
                                               "build_s": round(b.build_s, 2)} for b in corpus.built()},
        "forum_copy_per_file": plain,
        "forum_copy_per_file_suggested": suggested,
        "suggest": {path: {"slots": b.slots, "bits": round(b.bits, 1), "note": b.note}
                    for path, b in suggested_files.items()},
        "excerpt": excerpt,
        "excerpt_suggested": excerpt_marked,
        "translations": translations,
        "paraphrase": paraphrases,
        "retyped_pocs": retyped,
        "first_40_percent_of_pocs": first40,
        "collusion": collusion,
        "collusion_suggested": collusion_marked,
        "unrestricted": unrestricted,
        "innocents_accused": {"count": tally.innocents, "trials": tally.trials, "where": tally.where},
        "trials_that_could_not_run": tally.failures,
        "sources": git_state(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, default=float) + "\n")
    print(f"\nwrote {args.out} ({result['seconds']['total']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
