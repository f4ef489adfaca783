#!/usr/bin/env python3
"""How an investigation matches a translated or paraphrased leak, on the corpus write-ups.

A text piece that matches no delivered file by its English words is matched by its
survivors (code, identifiers, numbers in order; headstart.apps.investigations.matching,
survivor_matches) to the prose file that shares the most of them, at or above SURVIVOR_BAR.
Measured here, on every corpus write-up (`*/exploit.md`, `*/vulnerability.md`,
`bleedingtooth/writeup.md`, `zenbleed/README.md`):

- cross shares: survivor_match of each whole write-up against every other write-up's carrier
  (the bar must stay above the highest);
- excerpts: contiguous excerpts (40%, 20%, 10%, 5% of the lines; quick: 40% and 10%) of each
  write-up against every carrier: how often another write-up shares more than the excerpt's own
  (the matcher would pick the wrong file), ties (read against both), and the highest share of
  another write-up (an English excerpt keeps the same survivors a translation of it does);
- fixtures: each translation and paraphrase fixture made into several partners' leaks
  (headstart.leaks.translation.leak_for_copy): the word-shingle similarity the text matcher
  decides on (matched by words at >= 0.3), the survivor share with its own original and the best
  share of any other write-up, and which file survivor_matches picks among all 26;
- cost: survivor_matches of one unrelated translation against the other 25 write-ups' carriers,
  per carrier, and of a 4 MB text made of it (a part of a long dump).

    PYTHONPATH=src .venv/bin/python bench/investigation_translation.py [--quick] [--corpus PATH]

Prints a table and writes bench/results/investigation_translation.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OWN_FIXTURES = ROOT / "tests/carriers/prose/fixtures"
CORPUS_LEAKS = ROOT / "tests/fixtures/corpus_leaks"
FIXTURES = [
    (OWN_FIXTURES / "de_cve_2023_52433_exploit.md", "CVE-2023-52433_mitigation/exploit.md", 61, 113),
    (OWN_FIXTURES / "en_paraphrase_cve_2023_52433_exploit.md", "CVE-2023-52433_mitigation/exploit.md", 61, 113),
    (OWN_FIXTURES / "zh_cve_2023_0461_exploit.md", "CVE-2023-0461_mitigation/exploit.md", 161, 201),
]


def setup_django() -> None:
    # matching imports the advisory models; nothing here touches a database.
    os.environ.setdefault("HEADSTART_HOME", tempfile.mkdtemp(prefix="headstart-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "headstart.config.settings")
    import django

    django.setup()


def writeups(corpus: Path) -> list[Path]:
    return (sorted(corpus.glob("*/exploit.md")) + sorted(corpus.glob("*/vulnerability.md"))
            + [p for p in (corpus / "bleedingtooth/writeup.md", corpus / "zenbleed/README.md") if p.exists()])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer excerpt sizes and 3 partners' leaks per fixture")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "investigation_translation.json")
    args = ap.parse_args()
    setup_django()

    from headstart.apps.investigations import matching
    from headstart.carriers.prose import ProseCarrier
    from headstart.leaks.translation import leak_for_copy

    corpus = args.corpus
    paths = writeups(corpus)
    texts = {p: p.read_text(encoding="utf-8") for p in paths}
    carriers = {p: ProseCarrier(texts[p]) for p in paths}
    name = {p: str(p.relative_to(corpus)) for p in paths}
    originals = {p: matching.Original(f"HS-{i:04d}", "writeup.md", "writeup", i, texts[p], texts[p].encode())
                 for i, p in enumerate(paths)}
    by_id = {originals[p].artifact_id: carriers[p] for p in paths}

    def carrier_of(o: matching.Original) -> ProseCarrier:
        return by_id[o.artifact_id]

    # Whole write-ups against each other.
    cross = sorted(({"text": name[q], "carrier": name[p], "share": round(c.survivor_match(texts[q])[1], 3)}
                    for p, c in carriers.items() for q in paths if q != p), key=lambda r: -r["share"])

    # Contiguous excerpts.
    fractions = (0.4, 0.1) if args.quick else (0.4, 0.2, 0.1, 0.05)
    excerpts = []
    for frac in fractions:
        n_ex = wrong = ties = 0
        worst = {"share": 0.0}
        for p in paths:
            lines = texts[p].splitlines(keepends=True)
            width, step = max(1, int(len(lines) * frac)), max(1, int(len(lines) * 0.05))
            for start in range(0, max(1, len(lines) - width + 1), step):
                excerpt = "".join(lines[start:start + width])
                own_shared, own = carriers[p].survivor_match(excerpt)
                if own_shared < matching.SURVIVOR_MIN_SHARED:
                    continue
                n_ex += 1
                for q, c in carriers.items():
                    if q == p:
                        continue
                    shared, share = c.survivor_match(excerpt)
                    if shared < matching.SURVIVOR_MIN_SHARED:
                        continue
                    wrong += share > own
                    ties += share == own
                    if share > worst["share"]:
                        worst = {"share": round(share, 3), "excerpt_of": name[p], "first_line": start + 1,
                                 "other": name[q], "own_share": round(own, 3)}
        excerpts.append({"fraction": frac, "excerpts": n_ex, "another_shares_more": wrong,
                         "another_ties": ties, "highest_other": worst})

    # Translation and paraphrase fixtures, as partners' leaks.
    specs = list(FIXTURES) + [(CORPUS_LEAKS / s["fixture"], s["source"], s["first_line"], s["last_line"])
                              for s in json.loads((CORPUS_LEAKS / "fixtures.json").read_text(encoding="utf-8"))]
    trials = 3 if args.quick else 10
    fixtures = []
    for fixture, source, first, last in specs:
        own_path = corpus / source
        c = carriers[own_path]
        word_sim, own_shares, other_best, picked = [], [], [], []
        for seed in range(trials):
            copy = c.render_text(np.random.default_rng(seed).integers(0, c.alphabet_sizes))
            leak = leak_for_copy(fixture.read_text(encoding="utf-8"), texts[own_path], copy, first, last)
            leave_out = matching.volatile_words(c)
            mine = matching.shingles(matching.words(leak), leave_out=leave_out)
            theirs = matching.shingles(originals[own_path].words, leave_out=leave_out)
            word_sim.append(len(mine & theirs) / max(1, min(len(mine), len(theirs))))
            own_shares.append(c.survivor_match(leak)[1])
            other_best.append(max(carriers[q].survivor_match(leak)[1] for q in paths if q != own_path))
            found = matching.survivor_matches(0, leak, list(originals.values()), carrier_of)
            picked.append([name[q] for q in paths if any(m.original is originals[q] for m in found)])
        fixtures.append({
            "fixture": fixture.name, "source": source, "leaks": trials,
            "word_similarity_mean": round(statistics.mean(word_sim), 3),
            "matched_by_words": sum(s >= matching.MIN_CONTAINMENT for s in word_sim),
            "own_share_min": round(min(own_shares), 3), "own_share_mean": round(statistics.mean(own_shares), 3),
            "best_other_share": round(max(other_best), 3),
            "survivors_pick_own_only": sum(p == [source] for p in picked),
        })

    # Cost of the fallback for a piece that matches nothing: every prose carrier is asked.
    unrelated = (CORPUS_LEAKS / "CVE-2023-0461_mitigation.exploit.de.md").read_text(encoding="utf-8")
    others = [originals[p] for p in paths if name[p] != "CVE-2023-0461_mitigation/exploit.md"]
    t0 = time.perf_counter()
    rounds = 3
    for _ in range(rounds):
        assert matching.survivor_matches(0, unrelated, others, carrier_of) == []
    per_piece = (time.perf_counter() - t0) / rounds
    # A 4 MB part of a dump (HEADSTART_INTAKE_MAX_TEXT_BYTES) full of numbers and identifiers.
    big = (unrelated * (4_000_000 // len(unrelated) + 1))[:4_000_000]
    t0 = time.perf_counter()
    matching.survivor_matches(0, big, others, carrier_of)
    per_big_piece = time.perf_counter() - t0

    worst_cross = cross[0]
    bar = matching.SURVIVOR_BAR
    checks = {
        "bar_above_every_cross_share": worst_cross["share"] < bar,
        "no_excerpt_shares_more_with_another": all(e["another_shares_more"] == 0 for e in excerpts),
        "every_fixture_leak_clears_the_bar": all(f["own_share_min"] >= bar for f in fixtures),
        "survivors_pick_the_own_write_up_for_every_fixture_leak": all(
            f["survivors_pick_own_only"] == f["leaks"] for f in fixtures),
    }
    print(f"survivor bar {bar}, at least {matching.SURVIVOR_MIN_SHARED} shingles shared")
    print("highest cross shares (whole write-up read against another's carrier):")
    for r in cross[:4]:
        print(f"  {r['text']:48} against {r['carrier']:48} {r['share']}")
    print(f"\n{'excerpt':>8} {'count':>6} {'other>own':>9} {'ties':>5} {'highest other':>13}")
    for e in excerpts:
        print(f"{e['fraction']:>8} {e['excerpts']:>6} {e['another_shares_more']:>9} {e['another_ties']:>5} "
              f"{e['highest_other']['share']:>13}")
    print(f"\n{'fixture':56} {'words':>6} {'by words':>8} {'own min':>7} {'other':>6} {'picked':>6}")
    for f in fixtures:
        print(f"{f['fixture']:56} {f['word_similarity_mean']:>6} {f['matched_by_words']:>4}/{f['leaks']:<3} "
              f"{f['own_share_min']:>7} {f['best_other_share']:>6} {f['survivors_pick_own_only']:>4}/{f['leaks']}")
    print(f"\nfallback for an unrelated translation against {len(others)} write-ups: {per_piece * 1000:.0f} ms "
          f"({per_piece * 1000 / len(others):.1f} ms a carrier, carriers already built); "
          f"a 4 MB part: {per_big_piece:.2f} s")
    for k, v in checks.items():
        print(f"  {'PASS' if v else 'FAIL'}  {k}")
    args.out.write_text(json.dumps({
        "quick": args.quick, "survivor_bar": bar, "survivor_min_shared": matching.SURVIVOR_MIN_SHARED,
        "writeups": len(paths), "cross_top": cross[:10], "excerpts": excerpts, "fixtures": fixtures,
        "fallback_seconds_per_piece": round(per_piece, 4), "fallback_seconds_4mb_part": round(per_big_piece, 3),
        "fallback_carriers": len(others), "checks": checks,
    }, indent=1) + "\n", encoding="utf-8")
    sys.exit(0 if all(checks.values()) else 1)


if __name__ == "__main__":
    main()
