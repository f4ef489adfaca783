"""Every word choice the finders propose on the real write-ups of ../shared/corpus, checked
by what can be checked mechanically: no subject relative pronoun is dropped, an inflected
alternative has exactly the original's tags (lemminflect), nothing lies in code, a link or
a protected span, and every kind of choice still fires somewhere."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from headstart.carriers.prose.finders import Candidate, Scope, find_candidates
from headstart.carriers.prose.lexicon import THAT_SUBJECTS
from headstart.carriers.prose.markdown_scan import protected_spans, scan_blocks
from headstart.carriers.prose.roles import FLOATING_QUANTIFIERS, word_after
from headstart.carriers.prose.synonyms import PHRASAL_GROUPS, SYNONYM_GROUPS, forms

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
WRITEUPS = sorted(
    [p for d in CORPUS.glob("CVE-*") for p in (d / "vulnerability.md", d / "exploit.md")]
    + [CORPUS / "bleedingtooth" / "writeup.md", CORPUS / "zenbleed" / "README.md"]
)


def candidates(path: Path) -> tuple[str, list[Candidate]]:
    text = path.read_text(encoding="utf-8")
    blocks = scan_blocks(text)
    editable = bytearray(len(text))
    for b in blocks:
        if b.prose:
            editable[b.start : b.end] = b"\x01" * (b.end - b.start)
            for s, e in protected_spans(text, b.start, b.end):
                editable[s:e] = bytes(e - s)
    return text, find_candidates(Scope(text, blocks, editable))


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str, list[Candidate]]]:
    assert len(WRITEUPS) == 26, "the corpus of ../shared/corpus is missing"
    return [(p.parent.name + "/" + p.name, *candidates(p)) for p in WRITEUPS]


def test_no_dropped_that_is_the_subject_of_its_clause(corpus):
    dropped = 0
    for name, text, found in corpus:
        for c in found:
            if c.kind == "optional-that":
                following = (word_after(text, c.end) or "").lower()
                assert following in THAT_SUBJECTS, (name, text[c.start : c.end + 30])
                assert following not in FLOATING_QUANTIFIERS, (name, text[c.start : c.end + 30])
                dropped += 1
    assert dropped >= 5


# Every verb form a synonym or phrasal group may use -> its lemma.
_VERB_FORMS = {
    form: lemma
    for lemma in {m for g in SYNONYM_GROUPS if g.pos == "VERB" for m in g.members}
    | {verb for pg in PHRASAL_GROUPS for verb, _particle in pg.members}
    for form in forms(lemma, "VERB").values()
}


def _tags(word: str) -> frozenset[str]:
    lemma = _VERB_FORMS.get(word)
    if lemma is None:
        return frozenset()
    return frozenset(t for t, f in forms(lemma, "VERB").items() if f == word)


def test_an_inflected_verb_has_exactly_the_tags_of_the_original(corpus):
    checked = 0
    for name, _text, found in corpus:
        for c in found:
            if c.kind not in ("synonym", "phrasal-verb"):
                continue
            # The verb: the last word of a synonym (an article may come first), the first of
            # a verb with its particle.
            if c.kind == "synonym":
                verbs = [re.sub(r"^an? ", "", a.lower()) for a in c.alternatives]
            else:
                verbs = [a.split()[0].lower() for a in c.alternatives]
            tags = _tags(verbs[0])
            if not tags:
                continue  # an adjective or adverb
            for alt in verbs[1:]:
                if alt == "must":
                    assert tags <= {"VB", "VBP", "VBZ"}, (name, c.alternatives)  # no tense to keep
                    continue
                assert tags <= _tags(alt), (name, c.alternatives, tags, _tags(alt))
                checked += 1
    assert checked > 100


def test_no_choice_lies_in_code_a_link_target_or_a_protected_span(corpus):
    for name, text, found in corpus:
        blocks = scan_blocks(text)
        prose = [(b.start, b.end) for b in blocks if b.prose]
        guarded = [span for b in blocks if b.prose for span in protected_spans(text, b.start, b.end)]
        for c in found:
            assert any(s <= c.start and c.end <= e for s, e in prose), (name, c)
            assert not any(s < c.end and c.start < e for s, e in guarded), (name, c)
            assert "`" not in text[c.start : c.end], (name, c)


def test_every_alternative_is_words_and_punctuation_only(corpus):
    for _name, _text, found in corpus:
        for c in found:
            for a in c.alternatives:
                assert re.fullmatch(r"[\w\s,.;'\u2019\u202f%-]*", a), c


def test_every_word_choice_kind_fires_on_the_corpus(corpus):
    kinds = Counter(c.kind for _name, _text, found in corpus for c in found)
    for kind in (
        "synonym",
        "phrasal-verb",
        "modal",
        "whether",
        "quantifier",
        "purpose",
        "naming",
        "intro-comma",
    ):
        assert kinds[kind] >= 3, kinds
