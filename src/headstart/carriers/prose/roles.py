"""A word's grammatical role, decided conservatively from the words around it.

No tagger model can be installed here that reads technical prose well enough to trust (the
Pattern tagger shipped with TextBlob tags "We use the start" as noun-verb), so the rules
that delete, move or inflect a word decide from closed lists of neighbours and answer
"unsure" (False) whenever the neighbours do not settle it: a missed choice costs a slot,
a wrong one costs a partner's trust in the copy.
"""

from __future__ import annotations

import re

import lemminflect

# fmt: off
SUBJECT_PRONOUNS: frozenset[str] = frozenset({"i", "we", "you", "they", "he", "she", "it"})
MODALS: frozenset[str] = frozenset({
    "can", "could", "may", "might", "must", "shall", "should", "will", "would",
})
DO_FORMS: frozenset[str] = frozenset({
    "do", "does", "did", "don't", "doesn't", "didn't", "not", "never", "won't", "wouldn't",
    "can't", "cannot", "couldn't", "shouldn't",
})
# Adverbs that stand between a subject (or modal) and its verb.
VERB_ADVERBS: frozenset[str] = frozenset({
    "also", "then", "still", "eventually", "ultimately", "directly", "only", "just", "often",
    "usually", "always", "never", "now", "immediately", "finally", "first", "actually", "simply",
    "typically", "normally", "indirectly", "automatically", "again", "quickly", "easily",
    "probably", "likely", "subsequently", "effectively", "therefore", "thus",
})
# After these, a form that could be a noun or a verb ("results", "attempts", "need") is the verb.
VERBAL_BEFORE: frozenset[str] = (
    SUBJECT_PRONOUNS | MODALS | DO_FORMS | VERB_ADVERBS | frozenset({"to", "which", "that", "who"})
)
# Quantifiers that may float after a subject ("processes that all share ports": "all" is
# no subject there, "that" is).
FLOATING_QUANTIFIERS: frozenset[str] = frozenset({"all", "each", "both", "every", "some", "any", "no"})

# Words that are never a noun after "each" ("child processes, each with a namespace").
FUNCTION_WORDS: frozenset[str] = frozenset({
    "with", "in", "on", "for", "to", "from", "at", "by", "of", "into", "onto", "as", "than", "and",
    "or", "but", "if", "when", "while", "which", "that", "who", "whose", "through", "via", "per",
    "after", "before", "between", "within", "without", "during", "under", "over", "about",
    "across", "against", "along", "around", "among", "other", "one", "time",
})
# fmt: on

_WORD = re.compile(r"[A-Za-z][A-Za-z'\u2019]*")
_STOP = re.compile(r"[.!?;:]\s|[.!?;:]$|\n\s*\n")


def words_before(text: str, pos: int, limit: int, n: int = 3) -> list[str]:
    """The up to ``n`` words before ``pos`` in the same clause, lower case, nearest last;
    nothing is taken across a stop, a colon or a paragraph break, nor from before ``limit``."""
    start = max(limit, pos - 80)
    chunk = text[start:pos]
    stops = list(_STOP.finditer(chunk))
    if stops:
        chunk = chunk[stops[-1].end() :]
    return [w.lower().replace("\u2019", "'") for w in _WORD.findall(chunk)][-n:]


def word_before(text: str, pos: int, limit: int) -> str | None:
    """The word right before ``pos`` (only spaces between), lower case; None if punctuation,
    markup or the block start comes first."""
    m = re.search(r"([A-Za-z][A-Za-z'\u2019]*)[ \t]*\n?[ \t]*$", text[max(limit, pos - 40) : pos])
    if m is None:
        return None
    return m.group(1).lower().replace("\u2019", "'")


_NEXT = re.compile(r"[ \t]*\n?[ \t]*([A-Za-z][A-Za-z'\u2019-]*)")


def word_after(text: str, pos: int) -> str | None:
    """The word right after ``pos`` (only spaces or one line break between), as written;
    None if punctuation or markup comes first."""
    m = _NEXT.match(text, pos)
    return m.group(1) if m else None


def words_after(text: str, pos: int, n: int) -> list[str]:
    """Up to ``n`` words after ``pos``, stopping at the first thing that is not a word."""
    out = []
    for _ in range(n):
        m = _NEXT.match(text, pos)
        if m is None:
            break
        out.append(m.group(1))
        pos = m.end()
    return out


def is_singular_noun(word: str) -> bool:
    """``word`` is a singular common noun: lemminflect knows it as a noun lemma, or does not
    know it at all (technical nouns: "qdisc", "skb") and it is no function word, and it is no
    form of a verb alone ("contains")."""
    if not word.islower() or word in FUNCTION_WORDS:
        return False
    lemmas = lemminflect.getAllLemmas(word)
    if not lemmas:
        return not word.endswith(("s", "ed", "ing", "ly"))
    return word in lemmas.get("NOUN", ())


def is_base_verb(word: str) -> bool:
    """``word`` is the base form of a verb lemminflect knows ("trigger", "leak")."""
    return word.islower() and word in lemminflect.getAllLemmas(word).get("VERB", ())


def is_verb_form(word: str) -> bool:
    """``word`` is a form of a verb lemminflect knows ("overwrite", "frees", "return"), lower
    case; after an adverb such as "simply" that makes it the verb."""
    return word.islower() and "VERB" in lemminflect.getAllLemmas(word)


def may_be_noun(word: str) -> bool:
    """``word`` may be a noun ("places", "need", "hold")."""
    return "NOUN" in lemminflect.getAllLemmas(word)


def is_verb_context(before: str | None) -> bool:
    """After ``before``, a noun-or-verb form is the verb ("which results in", "we need to")."""
    return before is not None and before in VERBAL_BEFORE


def starts_clause_subject(following: list[str], subjects: frozenset[str]) -> bool:
    """``following`` (the words after a "that") opens a clause with its own subject, so the
    "that" is a complementizer or an object relative, never the subject of its clause.
    A floating quantifier ("that all share") decides nothing and is refused."""
    if not following:
        return False
    first = following[0].lower()
    return first in subjects and first not in FLOATING_QUANTIFIERS
