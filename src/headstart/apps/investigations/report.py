"""The investigation report: a verdict in plain words, and a self-contained printable HTML page.

The page has no external resource at all (inline CSS, an inline SVG plot) and embeds the
result as JSON in a <script type="application/json" id="investigation-data"> element:
the same document `headstart investigate --json` prints.

The plot shows, for every partner considered, -log10 of the family-wise p-value (higher
is stronger evidence), with a line at -log10(threshold): a bar crossing the line is an
accusation. It plots p-values rather than raw scores because the partners' scores are
not on one scale when they hold copies of different files.
"""

from __future__ import annotations

import math
from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

_FLOOR = 1e-300  # p-values are plotted down to here (-log10 = 300)


def _p(value: float) -> str:
    """A probability for people: three significant digits; an underflow to 0 as a bound."""
    return f"{value:.3g}" if value > 0 else "< 1e-300"


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def verdict(result: dict) -> str:
    """What the evidence shows, in plain words, honest about what it does not show."""
    parts = []
    for exact in result.get("exact_matches", []):
        parts.append(f"{exact['piece']} is byte for byte the copy of {exact['file']} ({exact['advisory']}) "
                     f"delivered to {exact['partner']}.")
    threshold = result["threshold"]
    accused = result["accused"]
    if not result.get("advisories"):
        parts.append("The material matches none of the program's advisories, so no mark could be read and "
                     "nobody is accused.")
        return " ".join(parts)
    matched = _names([a["advisory"] for a in result["advisories"]])
    if accused:
        who = _names([a["partner"] for a in accused])
        worst = max(a["family_p_value"] for a in accused)
        copies = "the copy" if len(accused) == 1 else "the copies"
        parts.append(
            f"The material comes from {matched}. The marks read from it ({result['positions_read']} positions) "
            f"identify {copies} delivered to {who}: the chance that marks this close arise for an innocent partner "
            f"is at most {_p(worst)} after accounting for all {result['partners_considered']} partners considered "
            f"(threshold {_p(threshold)}).")
        if len(accused) > 1:
            parts.append("Several partners accused together is what copies mixed by colluders look like.")
        parts.append("This names a copy, not a person: anyone who had that copy (the partner's staff, a "
                     "compromised system, someone it was passed on to) could have published it. The audit trail "
                     "below shows who downloaded it and from where.")
    elif result["partners_considered"] == 0:
        parts.append(f"The material comes from {matched}, but no mark could be scored (no partner has received "
                     "the matching files, or no mark survived in the material). Nobody is accused.")
    else:
        best = result["scores"][0]  # the smallest p-value
        family = min(1.0, best["p_value"] * result["partners_considered"])
        parts.append(
            f"The material comes from {matched}, but the {result['positions_read']} marks read do not single out "
            f"any of the {result['partners_considered']} partners considered at the threshold {_p(threshold)}: the "
            f"strongest candidate, {best['partner']}, has a family-wise p-value of {_p(family)}. Nobody is accused.")
    parts += _survivors_said(result)
    parts += _exports_said(result)
    commitment = result.get("commitment_check", {})
    if commitment.get("ok") is False:
        parts.append("WARNING: the codebook commitment check failed (see below); do not act on this report until "
                     "that is explained.")
    return " ".join(parts)


def _survivors_said(result: dict) -> list[str]:
    """A piece matched by its surviving code and numbers (a translation or a paraphrase) is read
    only there: say so, since its English marks are not read."""
    found = {f"{p['name']} ({m['advisory']}/{m['file']})": None for p in result.get("pieces", [])
             for m in p.get("matches", []) if m.get("matched_by") == "survivors"}
    if not found:
        return []
    one = len(found) == 1
    return [(f"{_names(list(found))} {'was' if one else 'were'} matched by the code, identifiers and numbers "
             f"{'it shares' if one else 'they share'} with the delivered file, not by {'its' if one else 'their'} "
             "words (a translation or a paraphrase): only the marks in those are read; the others count as erased.")]


def _exports_said(result: dict) -> list[str]:
    """A copy named by the evidence that staff also exported could have leaked from the export:
    say so beside the verdict, with who exported it and when."""
    seen: dict[tuple[str, str, str], None] = {}
    for row in [*result["accused"], *result.get("exact_matches", [])]:
        for route in row.get("routes", []):  # results stored before routes were recorded have none
            if route["route"] == "export":
                seen[(row["partner"], route["by"] or "an unrecorded staff member", route["at"])] = None
    if not seen:
        return []
    exports = "; ".join(f"{partner}'s copy by {by} at {at}" for partner, by, at in seen)
    return [(f"Staff also exported {exports}: the export left the program too, so whoever held it could have "
            "published the material. The routes below list every way the copy left.")]


def _minus_log10(p: float) -> float:
    return -math.log10(max(p, _FLOOR))


def plot_svg(scores: list[dict], threshold: float, width: int = 720, height: int = 260) -> str:
    """Bars of -log10(family-wise p) for every partner, best first, with the threshold line."""
    left, right, top, bottom = 48, 12, 22, 40
    inner_w, inner_h = width - left - right, height - top - bottom
    line = _minus_log10(threshold)
    values = [_minus_log10(s["family_p_value"]) for s in scores]
    # The axis stops at 3x the threshold line (at least 30): innocents' bars stay readable next
    # to the line, and a bar that goes beyond is drawn to the top with its height in its label.
    y_max = min(max([line * 1.25, *values]), max(line * 3, 30.0)) or 1.0
    step = 10 ** math.floor(math.log10(y_max / 4)) if y_max > 4 else 1
    while y_max / step > 8:
        step *= 2

    def y(v: float) -> float:
        return top + inner_h - inner_h * v / y_max

    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="evidence against each partner">')]
    tick = 0.0
    while tick <= y_max + 1e-9:
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
                   f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" class="tick" text-anchor="end">{tick:g}</text>')
        tick += step
    n = max(len(scores), 1)
    slot = inner_w / n
    bar = max(min(slot * 0.8, 40), 0.5)
    for i, (s, value) in enumerate(zip(scores, values, strict=True)):
        v = min(value, y_max)
        x = left + i * slot + (slot - bar) / 2
        accused = s["family_p_value"] <= threshold
        out.append(f'<rect x="{x:.2f}" y="{y(v):.2f}" width="{bar:.2f}" height="{max(y(0) - y(v), 0.5):.2f}" '
                   f'class="{"accused" if accused else "partner"}"><title>{escape(s["partner"])}: family-wise p = '
                   f'{_p(s["family_p_value"])}</title></rect>')
        beyond = f" ({value:.0f} ↑)" if value > y_max else ""
        if accused or beyond or (i < 3 and n <= 60):
            out.append(f'<text x="{x + bar / 2:.1f}" y="{y(v) - 4:.1f}" class="label" text-anchor="middle">'
                       f'{escape(s["partner"][:24])}{beyond}</text>')
    out.append(f'<line x1="{left}" x2="{width - right}" y1="{y(line):.1f}" y2="{y(line):.1f}" class="threshold"/>'
               f'<text x="{width - right}" y="{y(line) - 5:.1f}" class="threshold-label" text-anchor="end">'
               f'accusation threshold: family-wise p = {_p(threshold)}</text>'
               f'<text x="{left}" y="{height - 10}" class="axis">partners considered, strongest evidence first '
               f'({len(scores)})</text>'
               f'<text x="12" y="{top + inner_h / 2:.0f}" class="axis" transform="rotate(-90 12 {top + inner_h / 2:.0f})" '
               f'text-anchor="middle">-log10 family-wise p</text></svg>')
    return "".join(out)


def render(result: dict) -> str:
    """The self-contained HTML report for a result dict (as stored and printed)."""
    accused_names = {a["partner"] for a in result["accused"]}
    context = {
        "r": result,
        "plot": mark_safe(plot_svg(result["scores"], result["threshold"])) if result["scores"] else "",
        "accused_names": accused_names,
        "threshold_text": _p(result["threshold"]),
        "minus_log10_threshold": f"{_minus_log10(result['threshold']):.2f}",
        "scores": [dict(s, p_text=_p(s["p_value"]), family_text=_p(s["family_p_value"]),
                        accused=s["partner"] in accused_names) for s in result["scores"][:50]],
        "accused": [dict(a, p_text=_p(a["p_value"]), family_text=_p(a["family_p_value"])) for a in result["accused"]],
        "more_scores": max(len(result["scores"]) - 50, 0),
    }
    return render_to_string("investigations/report.html", context)
