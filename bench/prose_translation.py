#!/usr/bin/env python3
"""The prose carrier on the corpus write-ups: where its slots live, and translated leaks.

Per write-up (every `exploit.md`, `vulnerability.md`, `bleedingtooth/writeup.md`,
`zenbleed/README.md`): slots and bits, how many of them live in code (code blocks, inline
code, C comments) and in number notation, how many a translation can show (slots with a
survivor pattern), build time and the time to read a whole copy.

Per translation or paraphrase fixture (tests/carriers/prose/fixtures and
tests/fixtures/corpus_leaks), a leak made from each of several partners' copies
(`headstart.leaks.translation.leak_for_copy`: the kept code, inline code and numbers are
that partner's): slots read correctly / erased / wrongly, the bits read correctly, `survivor_match`,
and whether `attribute()` names the leaker among 100 partners at family-wise p <= 1e-6 (and
whether it accuses anyone else; a single leaker needs at least log2(100 / 1e-6) = 26.6 bits).
With it, an upper bound on what any notation marking could carry in what the translator kept
(``kept_bound``): every kept number of value 10 or more given a hex/decimal choice (1 bit) and
a letter-case choice when it is hex with letters (1 bit), in prose, inline code and code blocks
(numbers joined to a name, ``kmalloc-cg-64``, are identifiers and count nothing); every comment
of two or more words in a code block 2 bits (first-word case, closing period); every
``= name + 0x...;`` 1 bit (operand order). A fixture whose bound is below 26.6 bits cannot name
a leaker by what its translator kept, whatever the carrier does.

    PYTHONPATH=src .venv/bin/python bench/prose_translation.py [--quick] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import time
from pathlib import Path

import numpy as np

from headstart.carriers.base import CarrierError
from headstart.carriers.prose import ProseCarrier
from headstart.carriers.prose.code_blocks import is_code_kind
from headstart.leaks.translation import kept_elements, leak_for_copy, line_span
from headstart.marking import Codebook, Leak, attribute, design_for

ROOT = Path(__file__).resolve().parents[1]
NUMBER_KINDS = frozenset(
    {
        "hex-case",
        "hex-padding",
        "hex-decimal",
        "digit-grouping",
        "percent",
        "number-word",
        "inline-literal",
        "code-literal",
    }
)
PARTNERS = [f"partner-{i:03d}" for i in range(100)]
THRESHOLD = 1e-6
# Fixtures of this carrier's tests, with the lines of the original they translate.
OWN_FIXTURES = [
    {
        "fixture": "de_cve_2023_52433_exploit.md",
        "kind": "translation",
        "language": "de",
        "source": "CVE-2023-52433_mitigation/exploit.md",
        "first_line": 61,
        "last_line": 113,
    },
    {
        "fixture": "zh_cve_2023_0461_exploit.md",
        "kind": "translation",
        "language": "zh",
        "source": "CVE-2023-0461_mitigation/exploit.md",
        "first_line": 161,
        "last_line": 201,
    },
    {
        "fixture": "en_paraphrase_cve_2023_52433_exploit.md",
        "kind": "paraphrase",
        "language": "en",
        "source": "CVE-2023-52433_mitigation/exploit.md",
        "first_line": 61,
        "last_line": 113,
    },
]


def kind_of(slot) -> str:
    return slot.key.split("@")[0]


def writeups(corpus: Path) -> list[Path]:
    found = sorted(corpus.glob("*/exploit.md")) + sorted(corpus.glob("*/vulnerability.md"))
    return found + [
        p for p in (corpus / "bleedingtooth/writeup.md", corpus / "zenbleed/README.md") if p.exists()
    ]


def cross_shares(carriers: dict[Path, ProseCarrier], corpus: Path) -> list[dict]:
    """survivor_match of every write-up read against every other write-up's carrier: what a
    matcher that locates leaks by survivors must tell apart (highest first)."""
    texts = {p: p.read_text(encoding="utf-8") for p in carriers}
    rows = [
        {
            "carrier": str(p.relative_to(corpus)),
            "text": str(q.relative_to(corpus)),
            "share": round(c.survivor_match(t)[1], 3),
        }
        for p, c in carriers.items()
        for q, t in texts.items()
        if q.parent != p.parent
    ]
    return sorted(rows, key=lambda r: -r["share"])


def measure_writeup(path: Path, corpus: Path, carriers: dict[Path, ProseCarrier] | None = None) -> dict:
    text = path.read_text(encoding="utf-8")
    row: dict = {"file": str(path.relative_to(corpus)), "words": len(text.split())}
    t0 = time.perf_counter()
    try:
        carrier = ProseCarrier(text)
    except CarrierError as exc:
        return {**row, "slots": 0, "bits": 0.0, "note": str(exc)}
    build = time.perf_counter() - t0
    if carriers is not None:
        carriers[path] = carrier
    slots = carrier.slots
    bits = [math.log2(s.q) for s in slots]
    code = [i for i, s in enumerate(slots) if is_code_kind(kind_of(s))]
    numbers = [i for i, s in enumerate(slots) if kind_of(s) in NUMBER_KINDS and i not in code]
    survivors = carrier.survivor_slots()
    copy = carrier.render_text(np.random.default_rng(1).integers(0, carrier.alphabet_sizes))
    t0 = time.perf_counter()
    carrier.read(copy)
    read = time.perf_counter() - t0
    return {
        **row,
        "slots": len(slots),
        "bits": round(sum(bits), 1),
        "code_slots": len(code),
        "code_bits": round(sum(bits[i] for i in code), 1),
        "number_slots": len(numbers),
        "number_bits": round(sum(bits[i] for i in numbers), 1),
        "translation_readable_slots": len(set(code) | set(survivors)),
        "build_seconds": round(build, 3),
        "read_seconds": round(read, 3),
    }


_KEPT_NUMBER = re.compile(r"(?<![\w.\-])(0[xX][0-9a-fA-F]+|\d+)(?![\w\-]|\.\d)")
_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def _number_bits(tok: str) -> float:
    hexa = tok[:2].lower() == "0x"
    value = int(tok, 16) if hexa else int(tok)
    return (1.0 if value >= 10 else 0.0) + (1.0 if hexa and re.search(r"[a-fA-F]", tok[2:]) else 0.0)


def kept_bound(original: str, first_line: int, last_line: int) -> dict:
    """Places a translator keeps in the original's span and an upper bound on the bits
    notation marks could carry there (see the module's docstring)."""
    start, end = line_span(original, first_line, last_line)
    out = {
        k: [0, 0.0] for k in ("prose_numbers", "inline_numbers", "code_numbers", "code_comments", "code_sums")
    }
    for e in kept_elements(original[start:end]):
        if e.kind == "number":
            key, texts = "prose_numbers", [e.text] if "." not in e.text else []
        elif e.kind == "inline-code":
            key, texts = "inline_numbers", _KEPT_NUMBER.findall(e.text)
        else:
            code = _COMMENT.sub(" ", e.text)
            comments = [
                c for c in _COMMENT.findall(e.text) if len(re.findall(r"(?<!\w)[A-Za-z][a-z]+", c)) >= 2
            ]
            out["code_comments"][0] += len(comments)
            out["code_comments"][1] += 2.0 * len(comments)
            sums = re.findall(r"=\s*\w+\s*\+\s*0[xX]\w+\s*;", code)
            out["code_sums"][0] += len(sums)
            out["code_sums"][1] += float(len(sums))
            key, texts = "code_numbers", _KEPT_NUMBER.findall(code)
        out[key][0] += len(texts)
        out[key][1] += sum(_number_bits(t) for t in texts)
    return {
        "places": {k: n for k, (n, _b) in out.items()},
        "bits": {k: b for k, (_n, b) in out.items()},
        "bound_bits": sum(b for _n, b in out.values()),
    }


def measure_fixture(spec: dict, folder: Path, corpus: Path, trials: int) -> dict:
    original = (corpus / spec["source"]).read_text(encoding="utf-8")
    fixture = (folder / spec["fixture"]).read_text(encoding="utf-8")
    carrier = ProseCarrier(original)
    sizes = carrier.alphabet_sizes
    # The code delivery gives such a file (design_for), as an investigation would meet it.
    book = Codebook(
        b"bench-prose-translation-key-0001",
        f"BENCH/{spec['source']}",
        sizes,
        PARTNERS,
        design_coalition=design_for(sizes),
    )
    right, erased, wrong, named, innocents, shares, bits = [], [], [], 0, 0, [], []
    for leaker in PARTNERS[:trials]:
        codeword = book.codeword(leaker)
        leak = leak_for_copy(
            fixture, original, carrier.render_text(codeword), spec["first_line"], spec["last_line"]
        )
        reading = carrier.read(leak)
        read = reading.symbols != -1
        bad = read & (reading.symbols != np.asarray(codeword))
        right.append(int((read & ~bad).sum()))
        erased.append(int((~read).sum()))
        wrong.append(int(bad.sum()))
        bits.append(float(sum(math.log2(sizes[i]) for i in np.nonzero(read & ~bad)[0])))
        shares.append(carrier.survivor_match(leak)[1])
        result = attribute(book, Leak(reading.symbols, reading.confidence), threshold=THRESHOLD)
        named += leaker in result.accused
        innocents += len(set(result.accused) - {leaker})
    return {
        "fixture": spec["fixture"],
        "kind": spec["kind"],
        "language": spec["language"],
        "source": spec["source"],
        "words": len(fixture.split()),
        "slots": len(sizes),
        "read_correctly": statistics.mean(right),
        "erased": statistics.mean(erased),
        "read_wrongly": statistics.mean(wrong),
        "bits_read_correctly": round(statistics.mean(bits), 1),
        "kept": kept_bound(original, spec["first_line"], spec["last_line"]),
        "survivor_match": round(statistics.mean(shares), 3),
        "named": f"{named}/{trials}",
        "innocents_accused": innocents,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="5 leaking partners per fixture instead of 20")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "prose_translation.json")
    args = ap.parse_args()
    trials = 5 if args.quick else 20

    carriers: dict[Path, ProseCarrier] = {}
    rows = [measure_writeup(p, args.corpus, carriers) for p in writeups(args.corpus)]
    cross = cross_shares({p: c for p, c in carriers.items() if p.name != "vulnerability.md"}, args.corpus)
    print(
        f"{'write-up':52} {'words':>6} {'slots':>5} {'bits':>6} {'code':>5} {'num':>4} {'transl':>6} {'read s':>6}"
    )
    for r in rows:
        print(
            f"{r['file']:52} {r['words']:>6} {r['slots']:>5} {r['bits']:>6} {r.get('code_slots', 0):>5} "
            f"{r.get('number_slots', 0):>4} {r.get('translation_readable_slots', 0):>6} {r.get('read_seconds', 0):>6}"
        )
    print("\nhighest survivor_match of one write-up read against another's carrier:")
    for r in cross[:3]:
        print(f"  {r['text']} against {r['carrier']}: {r['share']}")
    specs = [(s, ROOT / "tests/carriers/prose/fixtures") for s in OWN_FIXTURES]
    shared = ROOT / "tests/fixtures/corpus_leaks/fixtures.json"
    if shared.exists():
        specs += [(s, shared.parent) for s in json.loads(shared.read_text(encoding="utf-8"))]
    fixtures = [measure_fixture(s, folder, args.corpus, trials) for s, folder in specs]
    print()
    print(
        f"{'fixture':58} {'slots':>5} {'right':>6} {'erased':>6} {'wrong':>5} {'bits':>5} {'bound':>5} "
        f"{'match':>5} {'named':>6} {'innoc':>5}"
    )
    for f in fixtures:
        print(
            f"{f['fixture']:58} {f['slots']:>5} {f['read_correctly']:>6.1f} {f['erased']:>6.1f} "
            f"{f['read_wrongly']:>5.1f} {f['bits_read_correctly']:>5.1f} {f['kept']['bound_bits']:>5.0f} "
            f"{f['survivor_match']:>5} {f['named']:>6} {f['innocents_accused']:>5}"
        )
    print("bits: read correctly (mean over leakers); bound: the most notation marks could carry in what the")
    print("translator kept (module docstring); a single leaker among 100 at 1e-6 needs 26.6 bits")
    args.out.write_text(
        json.dumps(
            {
                "quick": args.quick,
                "partners": len(PARTNERS),
                "threshold": THRESHOLD,
                "writeups": rows,
                "fixtures": fixtures,
                "cross_survivor_match_top": cross[:10],
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
