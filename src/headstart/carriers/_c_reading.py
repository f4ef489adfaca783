"""Reading structural choices from a leak whose names may all be new.

A retyped copy has other names but the same structure, so the leak and the original are
compared on *abstract keys*: every name the program itself defines (variables, functions,
macros, its own struct tags and members) is the one key ``N*``; keywords and the names
the headers supply (library functions, kernel constants, header struct members) keep
their spelling, and literals their value. The abstract streams are aligned with difflib;
a choice is read where the tokens just before and just after its span both align (runs
of at least two tokens) and the leak between them is exactly one of its forms, or from
one side (a run of at least four tokens) where exactly one form follows it. A long form
(eight tokens or more) is compared by likeness instead: at least 90% alike one form and
10 points less alike every other. Swapped function definitions are found whole, each in
the leak's top-level segment most like it. Anything else erases: a reading never guesses.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from headstart.carriers._c_scope import CScope
from headstart.carriers._lexers import Token
from headstart.carriers._names import C_KEYWORDS
from headstart.carriers.literal_forms import C_INT_LITERAL
from headstart.carriers.source_common import align_pairs, segment_pairs

ABSTRACT_NAME = "N*"
# Forms this long or longer (in tokens) may be read from one anchor by similarity.
LONG_FORM = 8
MIN_SIMILARITY = 0.9
MIN_MARGIN = 0.1
MIN_RUN = 2
# A short form read from one side only needs a run at least this long on that side.
ONE_SIDED_RUN = 4
# A definition is found in the leak's top-level segment at least this alike it, with no
# other segment within the margin (choices inside it may have been taken otherwise).
SEGMENT_SIMILARITY = 0.8
SEGMENT_MARGIN = 0.2


class NameSets:
    """Which names of the original are the program's own (abstracted) and which are not."""

    def __init__(
        self, scope: CScope, code: Sequence[Token], all_tokens: Sequence[Token], macros: frozenset[str]
    ) -> None:
        own = {b.name for b in scope.bindings} | set(macros)
        self.own_members: set[str] = set()
        self.own_tags: set[str] = set()
        n = len(code)
        for i, tok in enumerate(code):
            if tok.text not in ("struct", "union", "enum"):
                continue
            j = i + 1
            if j < n and code[j].kind == "name" and code[j].text not in C_KEYWORDS:
                if j + 1 < n and code[j + 1].text == "{":
                    self.own_tags.add(code[j].text)
                j += 1
            if j < n and code[j].text == "{" and tok.text != "enum":
                depth = 0
                for k in range(j, n):
                    t = code[k].text
                    if t == "{":
                        depth += 1
                    elif t == "}":
                        depth -= 1
                        if depth == 0:
                            break
                    elif (
                        code[k].kind == "name"
                        and t not in C_KEYWORDS
                        and code[k + 1].text in (";", ",", "[", ":", ")")
                    ):
                        self.own_members.add(t)
        self.own = own | self.own_tags

    def keys(self, tokens: Sequence[Token], constants: dict[str, str] | None = None) -> list[str]:
        """Abstract keys; ``constants`` maps the text's own constant macros to their values
        (``#define OFFSET 0x1c7db8``): a renamed macro still shows its value."""
        constants = constants or {}
        out = []
        prev = ""
        for tok in tokens:
            kind, text = tok.kind, tok.text
            if kind == "name":
                if prev in (".", "->"):
                    key = ABSTRACT_NAME if text in self.own_members else "A:" + text
                elif prev in ("struct", "union", "enum"):
                    key = ABSTRACT_NAME if text in self.own_tags else "T:" + text
                elif text in C_KEYWORDS:
                    key = "K:" + text
                elif text in constants:
                    key = "V:" + constants[text]
                elif text in self.own or text in self.own_members:
                    key = ABSTRACT_NAME
                else:
                    key = "I:" + text
            elif kind == "number":
                key = number_key(text)
            else:
                key = {"string": "S:", "char": "C:", "op": "O:"}.get(kind, "X:") + text
            out.append(key)
            prev = text
        return out


_DEFINE = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+\(?[ \t]*([0-9][\w]*)[ \t]*\)?[ \t]*(?://[^\n]*|/\*.*?\*/)?[ \t]*$",
    re.MULTILINE,
)


def constant_macros(text: str) -> dict[str, str]:
    """Object-like macros a text defines as one integer constant: name -> value key."""
    out: dict[str, str] = {}
    for m in _DEFINE.finditer(text):
        if C_INT_LITERAL.fullmatch(m.group(2)):
            out[m.group(1)] = number_key(m.group(2))
    return out


def number_key(text: str) -> str:
    m = C_INT_LITERAL.fullmatch(text)
    if m is None:
        return "#" + text.lower()
    digits, suffix = m.groups()
    base = 16 if digits[:2].lower() == "0x" else 8 if digits.startswith("0") and len(digits) > 1 else 10
    return f"#{int(digits, base)}{suffix.lower()}"


def abstract_leak_keys(keys: list[str], known: frozenset[str]) -> list[str]:
    """Leak keys with every ``I:`` name the original never spells turned into ``N*``."""
    return [k if not k.startswith("I:") or k in known else ABSTRACT_NAME for k in keys]


def read_structure(
    original: Sequence[str],
    spans: dict[int, tuple[int, int]],
    forms: dict[int, list[list[str]]],
    leak: Sequence[str],
    original_segments: Sequence[int],
    leak_segments: Sequence[int],
    unique_context: dict[int, tuple[int, int]],
    pairs: dict[int, int] | None = None,
) -> tuple[dict[int, tuple[int, float]], dict[int, int]]:
    """slot -> (symbol, confidence) for every structural slot read from ``leak``.

    The alignment pairs each of the leak's top-level segments with the original's it is
    most like and aligns within the pair, so copy-pasted code in another function cannot
    lend a choice its anchors. ``pairs`` (leak segment -> original segment) may come from an
    earlier pass, whose choices did not move any segment; it is returned for the next."""
    if not leak or not spans:
        return {}, pairs or {}
    if pairs is None:
        matcher = difflib.SequenceMatcher(None, original, leak, autojunk=False)
        blocks = [b for b in matcher.get_matching_blocks() if b.size]
        pairs = segment_pairs(blocks, original_segments, leak_segments)
    # original index -> (leak index, tokens of its run up to it, tokens from it on)
    aligned: dict[int, tuple[int, int, int]] = {}
    for a, b, size in align_pairs(pairs, original, leak, original_segments, leak_segments):
        if size >= MIN_RUN:
            for k in range(size):
                aligned[a + k] = (b + k, k + 1, size - k)
    out: dict[int, tuple[int, float]] = {}
    for slot, (s, e) in spans.items():
        alts = forms[slot]
        need_left, need_right = unique_context.get(slot, (MIN_RUN, MIN_RUN))
        left = aligned.get(s - 1)
        right = aligned.get(e)
        # An anchor counts when its run reaches as far as the context that is unique to this
        # place: copy-pasted loops must not lend each other their anchors.
        if left is not None and left[1] < need_left:
            left = None
        if right is not None and right[2] < need_right:
            right = None
        short = min(len(a) for a in alts) < LONG_FORM
        if left is not None and right is not None and right[0] > left[0]:
            region = list(leak[left[0] + 1 : right[0]])
            found = _best(region, alts, exact=short)
            if found is not None:
                out[slot] = found
            continue
        votes: set[tuple[int, float] | None] = set()
        for side, forward in ((left, True), (right, False)):
            if side is None or (short and side[1 if forward else 2] < ONE_SIDED_RUN):
                continue
            at = side[0] + 1 if forward else side[0]
            votes.add(_best_window(leak, alts, at, forward, exact=short))
        votes.discard(None)
        if len({v[0] for v in votes if v is not None}) == 1:
            out[slot] = min(v for v in votes if v is not None)
    return out, pairs


CONTEXT_LENGTHS = (2, 4, 8, 16, 32, 64)


def unique_contexts(keys: Sequence[str], spans: dict[int, tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """slot -> (K before, K after): the fewest tokens just before (after) the choice's span
    that occur nowhere else in the original; a side with no such context up to 64 tokens
    gets a length no run reaches."""
    counts = {}
    for k in CONTEXT_LENGTHS:
        seen: dict[tuple[str, ...], int] = {}
        for i in range(len(keys) - k + 1):
            window = tuple(keys[i : i + k])
            seen[window] = seen.get(window, 0) + 1
        counts[k] = seen
    never = len(keys) + 1
    out = {}
    for slot, (s, e) in spans.items():
        before = next(
            (k for k in CONTEXT_LENGTHS if s >= k and counts[k][tuple(keys[s - k : s])] == 1), never
        )
        after = next(
            (k for k in CONTEXT_LENGTHS if e + k <= len(keys) and counts[k][tuple(keys[e : e + k])] == 1),
            never,
        )
        out[slot] = (before, after)
    return out


def read_definitions(
    pairs: dict[int, tuple[list[str], list[str]]], leak: Sequence[str], leak_segments: Sequence[int]
) -> dict[int, tuple[int, float]]:
    """slot -> (symbol, confidence) for swaps of two function definitions: each of the
    two is found as the leak's top-level segment most like it (80% alike at least, and
    20 points more than any other segment); their order is the symbol."""
    spans: dict[int, list[int]] = {}
    for i, seg in enumerate(leak_segments):
        spans.setdefault(seg, []).append(i)
    segments = [(seg, list(leak[idx[0] : idx[-1] + 1])) for seg, idx in sorted(spans.items())]
    out: dict[int, tuple[int, float]] = {}
    for slot, (first, second) in pairs.items():
        a = _unique_segment(first, segments)
        b = _unique_segment(second, segments)
        if a is None or b is None or a == b:
            continue
        out[slot] = (0 if a < b else 1, 1.0)
    return out


def _unique_segment(keys: list[str], segments: list[tuple[int, list[str]]]) -> int | None:
    scores = []
    for seg, seg_keys in segments:
        m = difflib.SequenceMatcher(None, keys, seg_keys, autojunk=False)
        near = (
            m.real_quick_ratio() >= SEGMENT_SIMILARITY - SEGMENT_MARGIN
            and m.quick_ratio() >= SEGMENT_SIMILARITY - SEGMENT_MARGIN
        )
        scores.append((m.ratio() if near else 0.0, seg))
    scores.sort(reverse=True)
    if not scores or scores[0][0] < SEGMENT_SIMILARITY:
        return None
    if len(scores) > 1 and scores[1][0] > scores[0][0] - SEGMENT_MARGIN:
        return None
    return scores[0][1]


def _best(region: list[str], alts: list[list[str]], exact: bool) -> tuple[int, float] | None:
    """(form, confidence): the form the region is exactly, or is most alike."""
    if exact:
        hits = [f for f, a in enumerate(alts) if a == region]
        return (hits[0], 1.0) if len(hits) == 1 else None
    return _by_similarity([region] * len(alts), alts)


def _best_window(
    leak: Sequence[str], alts: list[list[str]], at: int, forward: bool, exact: bool
) -> tuple[int, float] | None:
    windows = [
        list(leak[at : at + len(a)]) if forward else list(leak[max(at - len(a), 0) : at]) for a in alts
    ]
    if exact:
        hits = [f for f, (w, a) in enumerate(zip(windows, alts, strict=True)) if w == a]
        return (hits[0], 1.0) if len(hits) == 1 else None
    return _by_similarity(windows, alts)


def _by_similarity(windows: list[list[str]], alts: list[list[str]]) -> tuple[int, float] | None:
    scores = [
        difflib.SequenceMatcher(None, w, a, autojunk=False).ratio()
        for w, a in zip(windows, alts, strict=True)
    ]
    best = max(range(len(scores)), key=lambda f: scores[f])
    if scores[best] < MIN_SIMILARITY:
        return None
    if any(f != best and scores[f] > scores[best] - MIN_MARGIN for f in range(len(scores))):
        return None
    return best, scores[best]
