"""Proposals for the author: ``{{either|or}}`` alternatives where a write-up carries too few marks.

The carrier marks only choices that are right in every context. Many sentences of real
technical prose hold none, so an excerpt of them names nobody. Here every sentence gets room
for one mark per WORDS_PER_PROPOSAL words (at least one); the slots that survive a forum copy
take their places first, and proposals the author judges in an editor fill the rest: keep the
``{{...}}`` (accepted, possibly with fewer alternatives) or write the first choice back
(rejected). The original always comes first, so a rejected proposal is the original again.

What is proposed, the most plausible first:

* hand-read near-synonyms that take the same complement ("leads to" / "results in") and
  security terms WordNet knows only in their everyday sense ("the vulnerability" / "the bug" /
  "the flaw", "bypass" / "defeat" / "circumvent");
* another notation of a plain count (4096 / 4,096);
* WordNet near-synonyms of one word in the original's form (word_choices.py).

Proposals go only where the carrier's finders may go (outside code, identifiers, numbers
that matter, links and quoted strings), never into headings, tables (a ``|`` would split
the row), link texts, shuffled lists or ``hs:off`` regions, and never over a slot the
carrier found.

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
from headstart.carriers.prose.number_notation import merge as merge_numbers
from headstart.carriers.prose.number_notation import number_candidates
from headstart.carriers.prose.word_choices import word_choice

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
    ("leads to", "results in", "causes"),
    ("lead to", "result in", "cause"),
    ("led to", "resulted in", "caused"),
    ("leading to", "resulting in", "causing"),
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
    ("demonstrates", "shows", "illustrates"),
    ("demonstrate", "show", "illustrate"),
    ("needs to", "has to"),
    ("need to", "have to"),
    ("needed to", "had to"),
    ("simply", "just"),
    ("afterwards", "later", "subsequently"),
    ("goal", "aim", "objective"),
    ("technique", "method", "approach"),
    ("techniques", "methods", "approaches"),
    ("large", "big"),
    ("because", "since", "as"),
    ("in this case", "here"),
    ("at this point", "now", "at this stage"),
    ("after that", "then", "afterwards"),
    ("this means", "this implies"),
    ("required", "needed"),
    ("corresponding", "matching"),
    ("several", "multiple", "a number of"),
    # Security prose: words WordNet knows only in their everyday sense.
    ("vulnerability", "bug", "flaw"),
    ("vulnerabilities", "bugs", "flaws"),
    ("attacker", "adversary"),
    ("attackers", "adversaries"),
    ("bypass", "defeat", "circumvent"),
    ("bypassed", "defeated", "circumvented"),
    ("bypassing", "defeating", "circumventing"),
    ("exploit", "abuse", "leverage"),
    ("exploited", "abused", "leveraged"),
    ("exploiting", "abusing", "leveraging"),
    # The first person of a walk-through, said another way.
    ("we can", "we are able to"),
    ("we will", "we are going to"),
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
    "we can": frozenset({"not", "only"}),  # "we are able to not", "we are able to only"
    "at this point": frozenset({"in", "of"}),
}
# A form after one of these words is a noun ("no need to", "a try to"): no verb is offered.
_PASSIVE = frozenset({"is", "are", "was", "were", "be", "been", "being"})
NOT_AFTER: dict[str, frozenset[str]] = {
    "needed to": _PASSIVE,  # "is needed to determine" is no "is had to determine"
    "need to": frozenset({"no", "the", "a", "any", "this", "that"}),
    "try to": frozenset({"a", "the", "another", "one", "first", "second"}),
}
# A form that is also a noun ("the exploit", "a KASLR bypass") is taken as a verb only after
# one of these; a noun only after a determiner ("the vulnerability", not "vulnerability
# research", where "bug research" is another thing).
_VERB_BEFORE = frozenset({"to", "can", "could", "will", "would", "should", "may", "might", "must", "we", "they",
                          "you", "i", "and", "also", "easily", "then", "not"})
_DETERMINER = frozenset({"the", "this", "that", "a", "these", "those", "each", "every", "another", "its", "their",
                         "our", "any", "no", "such", "same", "second", "first", "other"})
ONLY_AFTER: dict[str, frozenset[str]] = {
    "bypass": _VERB_BEFORE,
    "exploit": _VERB_BEFORE,
    "vulnerability": _DETERMINER,
    "vulnerabilities": _DETERMINER | {"two", "three", "multiple", "several", "many", "these", "other"},
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
WORDS_PER_PROPOSAL = 5  # a sentence gets a mark per this many words (at least one): its surviving slots, then proposals


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
    found = _found(markdown, blocks, _editable(markdown, blocks, authored))
    positions: dict[str, list[int]] = {}
    for c in sorted(authored + found, key=lambda c: (c.start, c.end)):
        positions.setdefault(_key(markdown, c), []).append(c.start)
    for sl in shuffles:
        positions.setdefault(f"list-order@{line_of(markdown, sl.start)}", []).append(sl.start)
    return positions


def suggest(markdown: str, covered_keys: Iterable[str] | None = None) -> Suggestions:
    """Proposals for every sentence, in the room its slots of ``covered_keys`` (by default:
    every slot) leave. Pass the keys of the slots that survive a forum copy."""
    blocks = scan_blocks(markdown)
    authored = find_author_alternatives(markdown, blocks)
    editable = _editable(markdown, blocks, authored)
    found = _found(markdown, blocks, editable)
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
            kept = sum(start <= p < end for p in marked)
            unmarked += not kept
            budget = max(1, len(markdown[start:end].split()) // WORDS_PER_PROPOSAL)
            found_here = _propose(markdown, start, end, editable, taken, budget - kept if kept else budget)
            if not kept and not found_here:
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


def _found(text: str, blocks: list[Block], editable: bytearray) -> list[Candidate]:
    """The prose slots the carrier finds by itself (carrier.py, ProseCarrier._build)."""
    found = find_candidates(Scope(text, blocks, editable))
    return merge_numbers(found, number_candidates(text, blocks, lambda s, e: all(editable[s:e])))


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


_TOKEN = re.compile(r"`[^`\n]*`|[A-Za-z]+(?:['\u2019][a-z]+)?|[^\sA-Za-z`]")
# Characters next to a word that make it part of a name, a path, a compound or a number.
_GLUED = frozenset("-_/.@#$%&*=<>+~\\")
_LINK_TEXT = re.compile(r"(?<!!)\[[^\]\n]*\](?=[(\[])")


def _glued(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start - 1] in _GLUED) or (end < len(text) and text[end] in _GLUED)


def _propose(
    text: str, start: int, end: int, editable: bytearray, taken: list[tuple[int, int]], limit: int
) -> list[Proposal]:
    """Up to ``limit`` proposals in text[start:end], the most plausible first, none
    overlapping another, a slot, or anything the carrier keeps as it is."""
    if limit <= 0:
        return []
    links = [m.span() for m in _LINK_TEXT.finditer(text, start, end)]

    def free(s: int, e: int, mine: list[tuple[int, int]]) -> bool:
        return (
            all(editable[s:e])
            and not any(s < te and ts < e for ts, te in taken + mine)
            and not any(ls <= s < le for ls, le in links)
        )

    ranked = sorted(
        _phrase_proposals(text, start, end) + _word_proposals(text, start, end) + _number_proposals(text, start, end),
        key=lambda t: (-t[0], t[1].start),
    )
    out: list[Proposal] = []
    spans: list[tuple[int, int]] = []
    for _, p in ranked:
        if len(out) == limit:
            break
        if free(p.start, p.end, spans):
            out.append(p)
            spans.append((p.start, p.end))
    out.sort(key=lambda p: p.start)
    return out


# How plausible an author finds each kind (higher first): the hand-read phrases, then a
# number's notation, then WordNet's words by their own score (word_choices.WordChoice).
_PHRASE_SCORE = 3.0
_NUMBER_SCORE = 2.5


def _phrase_proposals(text: str, start: int, end: int) -> list[tuple[float, Proposal]]:
    out = []
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
        if group[0] in ONLY_AFTER and (before is None or before.group(1).lower() not in ONLY_AFTER[group[0]]):
            continue
        if _glued(text, m.start(), m.end()):  # "use-after-free", "attacker-controlled"
            continue
        if m.end() < len(text) and not text[m.end()].isspace() and text[m.end()] not in ",.;:)":
            continue  # "we can't" is no "we are able to't"
        if "\n" in form:
            continue
        alternatives = (form, *(match_case(form, a) for a in group[1:]))
        out.append((_PHRASE_SCORE, _proposal(text, m.start(), m.end(), alternatives, f"near-synonym of '{group[0]}'")))
    return out


def _number_proposals(text: str, start: int, end: int) -> list[tuple[float, Proposal]]:
    return [
        (
            _NUMBER_SCORE,
            _proposal(
                text, m.start(), m.end(), (m.group(), f"{int(m.group()):,}"), "the same number with a thousands separator"
            ),
        )
        for m in _PLAIN_NUMBER.finditer(text, start, end)
    ]


def _word_proposals(text: str, start: int, end: int) -> list[tuple[float, Proposal]]:
    """WordNet near-synonyms of single words (word_choices), each judged with its neighbours."""
    tokens = list(_TOKEN.finditer(text, start, end))
    out = []
    for i, m in enumerate(tokens):
        word = m.group()
        if not word[0].isalpha() or not word.isalpha():
            continue
        if _glued(text, m.start(), m.end()):
            continue
        if m.end() < len(text) and text[m.end()] == "(":  # a function named in prose
            continue
        previous = tokens[i - 1].group() if i > 0 else None
        following = tokens[i + 1].group() if i + 1 < len(tokens) else None
        if previous is not None and not previous[0].isalpha():
            previous = None if previous[0] != "`" else "x"  # a clause start, or a name in code
        if word[0].isupper() and any(t.group()[0].isalnum() for t in tokens[:i]):  # a name inside a sentence
            continue
        if following is not None and not following[0].isalpha() and following[0] not in "`,.;:)":
            continue
        choice = word_choice(word, previous, following)
        if choice is not None:
            out.append((choice.score, _proposal(text, m.start(), m.end(), choice.alternatives, choice.reason)))
    return out


def _proposal(text: str, start: int, end: int, alternatives: tuple[str, ...], reason: str) -> Proposal:
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Proposal(line_of(text, start), column, start, end, text[start:end], alternatives, reason)
