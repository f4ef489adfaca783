"""Proposals for the author: ``{{either|or}}`` alternatives where a write-up carries no mark.

The carrier marks only choices that are right in every context. Many sentences of real
technical prose hold none, so an excerpt of them names nobody. Here each such sentence gets
a proposal the author judges in an editor: keep the ``{{either|or}}`` (accepted) or write the
first choice back (rejected). A proposal is a near-synonym that takes the same complement
("allows X to" / "enables X to"), or another notation of a plain number (4096 / 4,096);
the original wording always comes first, so a rejected proposal is the original again.

Proposals go only where the carrier's finders may go (outside code, identifiers, numbers
that matter, links and quoted strings), never into tables (a ``|`` would split the row),
shuffled lists or ``hs:off`` regions, and never over a slot the carrier found.

    result = suggest(markdown, covered_keys)   # keys of the slots that survive a forum copy
    result.markdown                             # the write-up with every proposal accepted
    result.proposals                            # where, what and why, for a list or --json
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from headstart.carriers.prose.author_syntax import find_author_alternatives, off_regions
from headstart.carriers.prose.finders import Candidate, Scope, find_candidates, match_case
from headstart.carriers.prose.markdown_scan import (
    Block,
    find_shuffle_lists,
    line_of,
    protected_spans,
    scan_blocks,
)

# Near-synonyms with the same grammar (part of speech, inflection and complement) that are
# right in most technical contexts but not all, which is why the carrier does not choose
# them alone (its own, context-free groups are in synonyms.py): the author confirms each.
# Every form is listed; no inflection is guessed.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    ("frees", "releases"),
    ("freed", "released"),
    ("freeing", "releasing"),
    ("allows", "enables"),
    ("allow", "enable"),
    ("allowed", "enabled"),
    ("allowing", "enabling"),
    ("tries to", "attempts to"),
    ("try to", "attempt to"),
    ("tried to", "attempted to"),
    ("trying to", "attempting to"),
    ("leads to", "results in"),
    ("lead to", "result in"),
    ("led to", "resulted in"),
    ("leading to", "resulting in"),
    ("modifies", "changes"),
    ("modify", "change"),
    ("modified", "changed"),
    ("modifying", "changing"),
    ("obtains", "gets"),
    ("obtain", "get"),
    ("obtaining", "getting"),
    ("performs", "carries out"),
    ("perform", "carry out"),
    ("performing", "carrying out"),
    ("contains", "holds"),
    ("containing", "holding"),
    ("demonstrates", "shows"),
    ("demonstrate", "show"),
    ("needs to", "has to"),
    ("need to", "have to"),
    ("needed to", "had to"),
    ("several", "a number of"),
    ("simply", "just"),
    ("afterwards", "later"),
    ("goal", "aim"),
    ("technique", "method"),
    ("techniques", "methods"),
    ("large", "big"),
    ("because", "since"),
    ("in this case", "here"),
    ("at this point", "now"),
    ("after that", "then"),
    ("this means", "this implies"),
    ("required", "needed"),
    ("corresponding", "matching"),
)
# A form followed by one of these words would change meaning or grammar ("allows for" is no
# "enables for", "large number" no "big number").
NOT_BEFORE: dict[str, frozenset[str]] = {
    "allows": frozenset({"for"}),
    "allow": frozenset({"for"}),
    "allowed": frozenset({"for"}),
    "allowing": frozenset({"for"}),
    "large": frozenset({"enough", "number", "numbers", "amount", "amounts", "scale", "pages"}),
    "simply": frozenset({"put"}),
    "because": frozenset({"of"}),
    "corresponding": frozenset({"to"}),
    "this means": frozenset({"of"}),
    "at this point": frozenset({"in", "of"}),
}
# A form after one of these words is a noun ("no need to", "a try to"): no verb is offered.
NOT_AFTER: dict[str, frozenset[str]] = {
    "need to": frozenset({"no", "the", "a", "any", "this", "that"}),
    "try to": frozenset({"a", "the", "another", "one", "first", "second"}),
}
_PREVIOUS_WORD = re.compile(r"([A-Za-z]+)\s*$")
# Phrases offered only before a comma: "after that, the slab" may be "then, the slab", but in
# "after that function returns" the "that" is a determiner.
BEFORE_COMMA_ONLY = frozenset({"after that"})
_SYNONYM_RX = re.compile(
    r"\b(" + "|".join(re.escape(g[0]) for g in sorted(SYNONYMS, key=lambda g: -len(g[0]))) + r")\b",
    re.IGNORECASE,
)
_BY_FORM = {g[0]: g for g in SYNONYMS}
# A count of four or more digits written plainly, followed by what it counts: a quantity,
# not an identifier (an event ID, a port, a year or a CVE number keeps its digits).
_PLAIN_NUMBER = re.compile(
    r"(?<![\w.,#:/-])[1-9]\d{3,}(?=\s+(?:bytes|kilobytes|megabytes|pages|entries|objects|times|iterations|"
    r"threads|processes|sockets|files|packets|messages|keys|allocations|slots|elements|items|rounds|attempts|"
    r"tries|cycles|instructions|requests|connections|nanoseconds|microseconds|milliseconds|seconds|ns|us|ms)\b)"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[A-Z`*_\[(\"])")
_NEXT_WORD = re.compile(r"\s*([A-Za-z]+)")
_WHERE_PROPOSED = frozenset({"paragraph", "list_item", "list_cont", "blockquote"})
WORDS_PER_PROPOSAL = 8  # in a sentence without a mark: one proposal per this many words, at least one


@dataclass(frozen=True)
class Proposal:
    line: int
    column: int
    start: int  # character offsets in the original
    end: int
    original: str
    alternatives: tuple[str, ...]  # the original first
    reason: str

    @property
    def markup(self) -> str:
        return "{{" + "|".join(self.alternatives) + "}}"


@dataclass(frozen=True)
class Suggestions:
    markdown: str  # the original with every proposal written in
    proposals: list[Proposal]
    sentences: int  # sentences where a proposal may go
    unmarked_sentences: int  # of those, the ones without a surviving slot
    without_proposal: list[int]  # lines of unmarked sentences nothing could be proposed for


def slot_positions(markdown: str) -> dict[str, list[int]]:
    """Where each of the carrier's slots (by its key) is written in the original."""
    blocks = scan_blocks(markdown)
    shuffles = find_shuffle_lists(markdown, blocks)
    authored = find_author_alternatives(markdown, blocks)
    found = find_candidates(Scope(markdown, blocks, _editable(markdown, blocks, authored)))
    positions: dict[str, list[int]] = {}
    for c in sorted(authored + found, key=lambda c: (c.start, c.end)):
        positions.setdefault(_key(markdown, c), []).append(c.start)
    for sl in shuffles:
        positions.setdefault(f"list-order@{line_of(markdown, sl.start)}", []).append(sl.start)
    return positions


def suggest(markdown: str, covered_keys: Iterable[str] | None = None) -> Suggestions:
    """Proposals for every sentence that holds no slot of ``covered_keys`` (by default: no
    slot at all). Pass the keys of the slots that survive a forum copy to target those."""
    blocks = scan_blocks(markdown)
    authored = find_author_alternatives(markdown, blocks)
    editable = _editable(markdown, blocks, authored)
    found = find_candidates(Scope(markdown, blocks, editable))
    positions = slot_positions(markdown)
    keys = positions.keys() if covered_keys is None else set(covered_keys) & positions.keys()
    marked = sorted(p for k in keys for p in positions[k])
    taken = [(c.start, c.end) for c in found + authored]

    proposals: list[Proposal] = []
    without: list[int] = []
    sentences = unmarked = 0
    for block in blocks:
        if block.kind not in _WHERE_PROPOSED:
            continue
        for start, end in _sentences(markdown, block):
            sentences += 1
            if any(start <= p < end for p in marked):
                continue
            unmarked += 1
            limit = max(1, len(markdown[start:end].split()) // WORDS_PER_PROPOSAL)
            found_here = _propose(markdown, start, end, editable, taken, limit)
            if not found_here:
                without.append(line_of(markdown, start))
            proposals += found_here
            taken += [(p.start, p.end) for p in found_here]
    proposals.sort(key=lambda p: p.start)
    out, pos = [], 0
    for p in proposals:
        out += [markdown[pos : p.start], p.markup]
        pos = p.end
    out.append(markdown[pos:])
    return Suggestions("".join(out), proposals, sentences, unmarked, without)


def _key(text: str, c: Candidate) -> str:
    """The slot key the carrier gives a candidate (carrier.py, ProseCarrier._group)."""
    if c.family is not None:
        return c.family
    col = c.start - (text.rfind("\n", 0, c.start) + 1) + 1
    return f"{c.kind}@{line_of(text, c.start)}:{col}"


def _editable(text: str, blocks: list[Block], authored: list[Candidate]) -> bytearray:
    """The carrier's mask of what a finder may touch (carrier.py, ProseCarrier._build)."""
    editable = bytearray(len(text))
    for b in blocks:
        if b.prose:
            editable[b.start : b.end] = b"\x01" * (b.end - b.start)
            for s, e in protected_spans(text, b.start, b.end):
                editable[s:e] = bytes(e - s)
    shuffles = find_shuffle_lists(text, blocks)
    for s, e in (
        off_regions(text, blocks)
        + [(sl.start, sl.end) for sl in shuffles]
        + [(c.start, c.end) for c in authored]
    ):
        editable[s:e] = bytes(e - s)
    return editable


def _sentences(text: str, block: Block) -> list[tuple[int, int]]:
    spans, pos = [], block.start
    for m in _SENTENCE_END.finditer(text, block.start, block.end):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, block.end))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _propose(
    text: str, start: int, end: int, editable: bytearray, taken: list[tuple[int, int]], limit: int
) -> list[Proposal]:
    """Up to ``limit`` proposals in text[start:end]: the table's first, then numbers, none
    overlapping another or a slot."""
    mine: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(editable[s:e]) and not any(s < te and ts < e for ts, te in taken + mine)

    out: list[Proposal] = []

    def add(p: Proposal) -> None:
        if len(out) < limit and free(p.start, p.end):
            out.append(p)
            mine.append((p.start, p.end))

    for m in _SYNONYM_RX.finditer(text, start, end):
        form = m.group(1)
        group = _BY_FORM[form.lower()]
        after = _NEXT_WORD.match(text, m.end())
        if after and after.group(1).lower() in NOT_BEFORE.get(group[0], frozenset()):
            continue
        if group[0] in BEFORE_COMMA_ONLY and not text.startswith(",", m.end()):
            continue
        before = _PREVIOUS_WORD.search(text, max(start, m.start() - 40), m.start())
        if before and before.group(1).lower() in NOT_AFTER.get(group[0], frozenset()):
            continue
        if "\n" not in form:
            add(
                _proposal(
                    text,
                    m.start(),
                    m.end(),
                    (form, *(match_case(form, a) for a in group[1:])),
                    f"near-synonym of '{group[0]}'",
                )
            )
    for m in _PLAIN_NUMBER.finditer(text, start, end):
        digits = m.group()
        add(
            _proposal(
                text,
                m.start(),
                m.end(),
                (digits, f"{int(digits):,}"),
                "the same number with a thousands separator",
            )
        )
    out.sort(key=lambda p: p.start)
    return out


def _proposal(text: str, start: int, end: int, alternatives: tuple[str, ...], reason: str) -> Proposal:
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Proposal(line_of(text, start), column, start, end, text[start:end], alternatives, reason)
