"""The targets bench/carriers.py checks and the tables it prints.

Targets (issue 4): prose >= 0.1 robust bits per word after every text transformation;
code >= 1 robust bit per 5 lines after every formatter; a single leaker named from any one
artifact after any single transformation of the battery; one of 2 colluders named from the
whole advisory; never an innocent accused. The harsher code paths are reported, not
targeted.
"""

from __future__ import annotations

from collections import defaultdict

from _carriers_advisory import MIX_NOTES, PARTNERS
from _pvalues import evidence_floor_bits, fmt_log10_p

PROSE_TARGET = 0.1  # robust bits per word
CODE_TARGET = 1.0  # robust bits per 5 lines
FORMATTERS = (
    "black",
    "ruff-format",
    "autopep8",
    "autopep8-aggressive",
    "clang-format-llvm",
    "clang-format-google",
    "clang-format-gnu",
    "clang-format-webkit",
    "clang-format-mozilla",
)


# --- targets ----------------------------------------------------------------------------------------------


def targets(
    single: dict[str, list[dict]], families: dict[str, str], coalition_rows: list[dict], baseline_rows: dict
) -> list[dict]:
    out = []

    def target(name: str, cells: list[tuple[str, float, bool]], rule: str) -> None:
        failing = [{"cell": where, "value": value} for where, value, ok in cells if not ok]
        groups: dict[str, int] = defaultdict(int)
        for where, _, _ in cells:
            groups[where.split(" / ")[0]] += 1
        out.append(
            {
                "target": name,
                "rule": rule,
                "pass": not failing,
                "cells": len(cells),
                "cells_per_group": dict(groups),
                "failing": failing,
            }
        )

    def dense(goal: float, fams: tuple[str, ...], only: tuple[str, ...] | None = None) -> list:
        return [
            (f"{a} / {r['transformation']}", r["density"] or 0.0, (r["density"] or 0.0) >= goal)
            for a, rows in single.items()
            if families[a] in fams
            for r in rows
            if only is None or r["transformation"] in only
        ]

    target(
        "prose >= 0.1 robust bits per word",
        dense(PROSE_TARGET, ("prose",)),
        "every prose artifact after every text transformation (bits read correctly / words of the leak)",
    )
    target(
        "code >= 1 robust bit per 5 lines after every formatter",
        dense(CODE_TARGET, ("python", "c"), FORMATTERS),
        "Python and C PoCs after black, ruff format, autopep8 (two levels), clang-format (5 styles)",
    )
    target(
        "(extra) code >= 1 robust bit per 5 lines after every code transformation",
        dense(CODE_TARGET, ("python", "c")),
        "also comment stripping, renaming, excerpts",
    )
    leaker = [
        (f"{a} / {r['transformation']}", r["leaker_named"], r["leaker_named"] == 1.0)
        for a, rows in single.items()
        for r in rows
    ]
    target(
        "a single leaker named from any one artifact after any single transformation",
        leaker,
        "leaker accused at family-wise p <= 1e-6 in every trial of every cell",
    )
    two = [
        (f"{r['mix']}", r["colluder_named"], r["colluder_named"] == 1.0)
        for r in coalition_rows
        if r["colluders"] == 2
    ]
    target("one of 2 colluders named from the whole advisory", two, "in every trial of every mixing mode")
    innocent = (
        [
            (f"{a} / {r['transformation']}", r["innocent_accused"], r["innocent_accused"] == 0)
            for a, rows in single.items()
            for r in rows
        ]
        + [
            (f"{r['colluders']} colluders {r['mix']}", r["innocent_accused"], r["innocent_accused"] == 0)
            for r in coalition_rows
        ]
        + [
            (
                f"{r['colluders']} colluders {r['mix']} (no binary)",
                r["innocent_accused_without_binary"],
                r["innocent_accused_without_binary"] == 0,
            )
            for r in coalition_rows
        ]
    )
    target("no innocent ever accused", innocent, "share of trials with an innocent accused is 0 everywhere")
    base = [
        (f"zero-width {a} / {r['transformation']}", r["innocent_accused"], r["innocent_accused"] == 0)
        for a, rows in baseline_rows["single"].items()
        for r in rows
    ]
    target("(baseline) no innocent accused by the zero-width baseline", base, "exact 64-bit id match")
    return out


# --- printing ---------------------------------------------------------------------------------------------


def print_capacity(rows: list[dict]) -> None:
    print("\n== 1. Capacity (slots found in the sample advisory) ==")
    print(f"{'artifact':12s} {'slots':>6s} {'bits':>8s} {'size':>14s} {'density':>26s}  q: slots")
    for r in rows:
        if r["family"] == "prose":
            dens = f"{r['bits_per_word']:.3f} bits/word ({r['bits_per_prose_word']:.3f}/prose w.)"
            size = f"{r['words']} w ({r['prose_words']})"
        elif r["family"] in ("python", "c"):
            size = f"{r['lines']} lines"
            dens = f"{r['lines_per_bit']:.2f} lines/bit ({r['bits_per_5_lines']:.1f}/5 l.)"
        else:
            size = f"{r['bytes']} bytes"
            dens = f"{r['bits_per_byte']:.2f} bits/byte"
        qs = ", ".join(f"{k}:{v}" for k, v in r["alphabet_sizes"].items())
        print(f"{r['artifact']:12s} {r['slots']:6d} {r['bits']:8.1f} {size:>14s} {dens:>26s}  {qs}")


def print_speed(rows: list[dict]) -> None:
    print(f"\n== 2. Speed (ms; the fastest of {rows[0]['rounds']} rounds) ==")
    print(f"{'artifact':12s} {'first build':>11s} {'build':>8s} {'render/copy':>11s} {'read/leak':>9s}")
    for r in rows:
        print(
            f"{r['artifact']:12s} {r['first_build_ms']:11.1f} {r['build_ms']:8.1f} "
            f"{r['render_ms_per_copy']:11.2f} {r['read_ms_per_leak']:9.2f}"
        )
    print(
        "  first build: carrier_for's first call in this process, imports included; render: one copy "
        "with the carrier's own check;\n  read: one delivered copy"
    )


def print_single(label: str, family: str, rows: list[dict]) -> None:
    unit = {"prose": "bits/word", "python": "bits/5 lines", "c": "bits/5 lines", "binary": "bits/byte"}[
        family
    ]
    target = {"prose": PROSE_TARGET, "python": CODE_TARGET, "c": CODE_TARGET}.get(family)
    print(f"\n-- {label}: single leaker, {rows[0]['trials']} trials per row --")
    print(
        f"{'transformation':40s} {'correct':>7s} {'erased':>7s} {'wrong':>7s} {'robust':>7s} {unit:>12s} "
        f"{'named':>6s} {'innoc.':>6s} {'log10 p':>8s}"
    )
    for r in rows:
        d = r["density"]
        mark = ""
        if target is not None and (family == "prose" or r["transformation"] in FORMATTERS):
            mark = " ok" if d is not None and d >= target else " LOW"
        print(
            f"{r['transformation']:40s} {r['correct']:7.3f} {r['erased']:7.3f} {r['wrong']:7.3f} "
            f"{r['robust_bits']:7.1f} {('-' if d is None else f'{d:.3f}') + mark:>12s} {r['leaker_named']:6.2f} "
            f"{r['innocent_accused']:6.2f} {fmt_log10_p(r['leaker_log10_family_p_median']):>8s}"
        )
        for problem in r["problems"]:
            print(f"{'':40s}   ! {problem}")


def print_coalitions(rows: list[dict], labels: list[str]) -> None:
    print("\n== 5. Coalitions of the 100 partners, whole advisory (attribute over all six books) ==")
    short = {lab: lab.split()[0][:6] for lab in labels}
    head = " ".join(f"{short[lab]:>6s}" for lab in labels)
    print(
        f"{'mix':26s} {'c':>2s} {'named':>6s} {'innoc.':>6s} {'#accused':>8s} {'log10 p':>8s} "
        f"{'no bin.':>7s}   alone: {head}"
    )
    for r in rows:
        alone = " ".join(f"{r['named_from_one_artifact_alone'][lab]:6.2f}" for lab in labels)
        print(
            f"{r['mix']:26s} {r['colluders']:2d} {r['colluder_named']:6.2f} {r['innocent_accused']:6.2f} "
            f"{r['colluders_accused_mean']:8.2f} {fmt_log10_p(r['best_colluder_log10_family_p_median']):>8s} "
            f"{r['colluder_named_without_binary']:7.2f}          {alone}"
        )
        for problem in r["problems"]:
            print(f"{'':26s}   ! {problem}")
    print(
        "  named / innoc.: share of trials with a colluder / an innocent accused from all six artifacts;\n"
        "  #accused: colluders accused on average; log10 p: median of the best colluder's log10 family-wise p;\n"
        "  no bin.: a colluder named from the five text artifacts (everything but the binary PoC);\n"
        "  alone: a colluder named from that one artifact's mixed copy"
    )
    for mode, note in MIX_NOTES.items():
        print(f"  {mode}: {note}")
    print(
        f"\nshare of the symbols read that are a colluder's (the marking assumption)\n{'mix':26s} {'c':>2s} {head}"
    )
    for r in rows:
        shares = " ".join(
            f"{r['read_from_a_colluder'][lab]:6.3f}" if lab in r["read_from_a_colluder"] else f"{'-':>6s}"
            for lab in labels
        )
        print(f"{r['mix']:26s} {r['colluders']:2d} {shares}")


def print_baseline(single: dict[str, list[dict]], baseline: dict) -> None:
    print("\n== 6. Side by side: the prose carrier and the zero-width baseline (64-bit id, exact match) ==")
    for label, rows in baseline["single"].items():
        ours = {r["transformation"]: r for r in single[label]}
        print(f"\n-- {label} --")
        print(
            f"{'transformation':24s} | {'carrier: correct':>16s} {'named':>6s} {'innoc.':>6s} | "
            f"{'zero-width: bits ok':>19s} {'named':>6s} {'innoc.':>6s}"
        )
        for r in rows:
            o = ours[r["transformation"]]
            print(
                f"{r['transformation']:24s} | {o['correct']:16.3f} {o['leaker_named']:6.2f} "
                f"{o['innocent_accused']:6.2f} | {r['bits_correct']:19.3f} {r['leaker_named']:6.2f} "
                f"{r['innocent_accused']:6.2f}"
            )
    print(
        "\nzero-width baseline, coalitions mixing the prose artifacts (named: any artifact's id is a colluder's):"
    )
    for r in baseline["coalitions"]:
        print(
            f"  {r['mix']:14s} c={r['colluders']}: colluder named {r['colluder_named']:.2f}, "
            f"innocent accused {r['innocent_accused']:.2f}"
        )


def print_targets(rows: list[dict]) -> None:
    print("\n== Targets ==")
    for r in rows:
        print(f"[{'PASS' if r['pass'] else 'FAIL'}] {r['target']}  ({r['cells']} cells; {r['rule']})")
        by_group: dict[str, list[dict]] = defaultdict(list)
        for f in r["failing"]:
            by_group[f["cell"].split(" / ")[0]].append(f)
        for group, fails in by_group.items():
            values = [f["value"] for f in fails]
            if len(fails) == r["cells_per_group"].get(group) and len(fails) > 1:
                print(
                    f"         short: {group}: all {len(fails)} cells ({min(values):.3g} to {max(values):.3g})"
                )
            else:
                cells = ", ".join(f"{f['cell'].split(' / ', 1)[-1]} ({f['value']:.3g})" for f in fails)
                print(f"         short: {group}: {cells}")


def shortfalls(
    single: dict[str, list[dict]], families: dict[str, str], capacity_rows: list[dict]
) -> list[dict]:
    """Why each artifact misses a target: its capacity when even the delivered copy falls
    short, then every transformation that does worse than the copy, with the slot kinds it
    loses (the share of that kind's slots no longer read correctly)."""
    out = []
    caps = {r["artifact"]: r for r in capacity_rows}
    for label, rows in single.items():
        fam = families[label]
        goal = PROSE_TARGET if fam == "prose" else CODE_TARGET if fam in ("python", "c") else None
        identity = next(r for r in rows if r["transformation"] == "identity")

        def dense_enough(r: dict, fam: str = fam, goal: float | None = goal) -> bool:
            if goal is None or (fam != "prose" and r["transformation"] not in FORMATTERS):
                return True
            return (r["density"] or 0.0) >= goal

        cells = []
        for r in rows:
            if r["leaker_named"] == 1.0 and dense_enough(r) and r["innocent_accused"] == 0:
                continue
            if (
                r is not identity
                and r["leaker_named"] >= identity["leaker_named"]
                and (dense_enough(r) or not dense_enough(identity))
                and r["innocent_accused"] == 0
            ):
                continue  # no worse than the delivered copy: the capacity line says why
            lost = {
                k: round(identity["correct_by_slot_kind"][k] - v, 3)
                for k, v in r["correct_by_slot_kind"].items()
                if identity["correct_by_slot_kind"][k] - v > 0.05
            }
            cells.append(
                {
                    "transformation": r["transformation"],
                    "leaker_named": r["leaker_named"],
                    "innocent_accused": r["innocent_accused"],
                    "density": r["density"],
                    "robust_bits": r["robust_bits"],
                    "correct": r["correct"],
                    "erased": r["erased"],
                    "wrong": r["wrong"],
                    "leaker_log10_family_p_median": r["leaker_log10_family_p_median"],
                    "slot_kinds_lost": dict(sorted(lost.items(), key=lambda kv: -kv[1])),
                }
            )
        if not cells:
            continue
        failing_as_delivered = not dense_enough(identity) or identity["leaker_named"] < 1.0
        cap = caps[label]
        out.append(
            {
                "artifact": label,
                "slots": cap["slots"],
                "bits": cap["bits"],
                "size": cap.get("words") or cap.get("lines") or cap.get("bytes"),
                "delivered_copy_falls_short": failing_as_delivered,
                "delivered_density": identity["density"],
                "delivered_leaker_named": identity["leaker_named"],
                "delivered_log10_family_p_median": identity["leaker_log10_family_p_median"],
                "cells": cells,
            }
        )
    return out


def print_shortfalls(rows: list[dict]) -> None:
    if not rows:
        return
    print("\n== Where targets are missed ==")
    for a in rows:
        d = "-" if a["delivered_density"] is None else f"{a['delivered_density']:.3f}"
        head = (
            f"{a['artifact']}: {a['slots']} slots, {a['bits']:.0f} bits in {a['size']} words/lines/bytes; "
            f"the delivered copy: density {d}, leaker named {a['delivered_leaker_named']:.2f} "
            f"(median log10 family p {fmt_log10_p(a['delivered_log10_family_p_median'])})"
        )
        print(head + ("  <- short as delivered: capacity" if a["delivered_copy_falls_short"] else ""))
        for r in a["cells"]:
            if r["transformation"] == "identity":
                continue
            d = "-" if r["density"] is None else f"{r['density']:.3f}"
            lost = ", ".join(f"{k} -{v:.2f}" for k, v in list(r["slot_kinds_lost"].items())[:6]) or "-"
            print(
                f"    {r['transformation']:28s} named {r['leaker_named']:.2f} density {d:>6s} "
                f"robust {r['robust_bits']:6.1f} bits, median log10 p {fmt_log10_p(r['leaker_log10_family_p_median'])};"
                f" kinds lost: {lost}"
            )


def print_what_if(rows: list[dict]) -> None:
    if not rows:
        return
    print(
        "\n== 7. What if: the cells where a single leaker is not always named, with uniform codes "
        "(design_coalition=2) instead of the c = 3 design =="
    )
    print(
        f"(no code can name a leaker from fewer than log2(partners / threshold) = {evidence_floor_bits(len(PARTNERS)):.1f} "
        f"bits read correctly)"
    )
    print(
        f"{'artifact':11s} {'transformation':28s} {'robust':>7s} {'default: named':>15s} {'log10 p':>8s} "
        f"{'uniform: named':>15s} {'log10 p':>8s} {'innoc.':>6s}"
    )
    for r in rows:
        if "note" in r:
            print(f"{r['artifact']:11s} {r['transformation']:28s} {r['note']}")
            continue
        print(
            f"{r['artifact']:11s} {r['transformation']:28s} {r['robust_bits']:7.1f} {r['default_named']:15.2f} "
            f"{fmt_log10_p(r['default_log10_p_median']):>8s} {r['uniform_named']:15.2f} "
            f"{fmt_log10_p(r['uniform_log10_p_median']):>8s} {r['uniform_innocent_accused']:6.2f}"
        )
