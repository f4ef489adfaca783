"""Slot finders, one per kind of meaning-preserving choice.

Each finder scans the prose blocks of an original and proposes candidates: a span of
the original, the alternatives that may replace it (the original text first), and
whether all occurrences of the same form should share one slot (spellings and
hyphenations are coordinated, so a copy never spells one word two ways). A finder
only proposes spans whose every character is editable (outside code, identifiers,
numbers that matter, quoted strings and links); overlaps are settled by priority.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from headstart.carriers.prose.lexicon import (
    ABBREVIATIONS,
    AFTER_HAD,
    COMPOUND_HEADS,
    COMPOUND_MODIFIERS,
    CONTRACT_ONLY,
    CONTRACT_THAT_IS,
    CONTRACTIONS,
    COUNTED_NOUNS,
    DETERMINERS,
    EXPAND_IS,
    EXPAND_ONLY,
    FINITE_AUX,
    HAVE_CONTRACTIONS,
    HYPHENATION_GROUPS,
    INTRO_ADVERBS,
    INTRO_PREPOSITIONS,
    MID_ADVERBS,
    NAMING_AFTER,
    NEGATED_PRONOUNS,
    NOT_AFTER_CAN,
    NOT_AFTER_EACH,
    NOT_ANTECEDENTS,
    NOT_PARTICIPLES,
    NOT_PLURAL,
    NOT_PURPOSE,
    NUMBER_WORDS,
    NUMERIC_COMPARISONS,
    PARTICIPLES,
    PHRASE_CHOICES,
    PHRASE_NEXT_DETERMINER,
    PHRASE_NEXT_DIGIT,
    PHRASE_NEXT_NOUN_PHRASE,
    PHRASE_NOT_AFTER,
    PHRASE_NOT_AFTER_COMMA,
    PHRASE_NOT_BEFORE,
    RELATIVE_NEXT,
    SENTENCE_CONNECTIVES,
    SENTENCE_PHRASES,
    SPELLING_PAIRS,
    THAT_INSERT_VERBS,
    THAT_SUBJECTS,
    THAT_VERBS,
    WHETHER_VERBS,
    WOULD_CONTRACTIONS,
)
from headstart.carriers.prose.markdown_scan import Block
from headstart.carriers.prose.roles import (
    MODALS as MODAL_WORDS,
)
from headstart.carriers.prose.roles import (
    SUBJECT_PRONOUNS,
    is_base_verb,
    is_singular_noun,
    is_verb_context,
    is_verb_form,
    may_be_noun,
    starts_clause_subject,
    word_after,
    word_before,
    words_after,
)
from headstart.carriers.prose.synonyms import (
    _DETERMINER_BEFORE,
    NOUN_LIKE,
    OBJECT_OPENERS,
    PARTICLES,
    PHRASAL_GROUPS,
    PhrasalGroup,
    forms,
    inflect_like,
    surface_forms,
    tags_of,
)


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    alternatives: tuple[str, ...]
    kind: str
    family: str | None = None  # occurrences with the same family share one slot
    priority: int = 50  # lower wins an overlap


class Scope:
    """What the finders may touch: the original, its prose blocks, an editable mask."""

    def __init__(self, text: str, blocks: list[Block], editable: bytearray) -> None:
        self.text = text
        self.blocks = [b for b in blocks if b.prose]
        self.editable = editable
        self.apostrophe = "\u2019" if text.count("\u2019") > text.count("'") else "'"

    def ok(self, start: int, end: int) -> bool:
        if end == start:
            return start < len(self.text) and bool(self.editable[start])
        return all(self.editable[start:end])

    def boundary_ok(self, start: int, end: int) -> bool:
        """The span is a whole word or phrase, not part of a compound or identifier."""
        t = self.text
        before = t[start - 1] if start > 0 else " "
        after = t[end] if end < len(t) else " "
        after2 = t[end + 1] if end + 1 < len(t) else " "
        if before.isalnum() or before in "-_/\\@.'\u2019":
            return False
        if after.isalnum() or after in "-_/\\@'\u2019":
            return False
        return not (after in ".:" and (after2.isalnum() or after2 == "_"))

    def sentence_start(self, block: Block, pos: int) -> bool:
        """True if ``pos`` begins a sentence (after markup such as list markers)."""
        t = self.text
        i = pos - 1
        while i >= block.start and t[i] in " \t\n*_>":
            i -= 1
        if i < block.start:
            return True
        if t[i] in ".!?":
            return True
        # Only list markers or a heading mark stand between the block start and pos.
        head = t[block.start : pos]
        return bool(re.fullmatch(r"[ \t>]*(?:[-*+]|\d{1,9}[.)]|#{1,6})[ \t*_]*", head))

    def prose_matches(self, rx: re.Pattern[str]) -> Iterator[tuple[Block, re.Match[str]]]:
        for block in self.blocks:
            for m in rx.finditer(self.text, block.start, block.end):
                yield block, m


def match_case(model: str, word: str) -> str:
    """``word`` written in the case pattern of ``model`` (lower, Capitalised, UPPER)."""
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _lower_or_sentence_case(scope: Scope, block: Block, start: int, word: str) -> bool:
    if word == word.lower():
        return True
    return word[:1].isupper() and word[1:] == word[1:].lower() and scope.sentence_start(block, start)


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    alts = sorted(set(phrases), key=len, reverse=True)
    # A phrase may run over a line break inside a paragraph.
    body = "|".join(
        re.escape(p).replace(r"\ ", r"[ \t]*\n?[ \t]*(?<=\s)").replace("'", "['\u2019]") for p in alts
    )
    return re.compile(r"(?<![\w'\u2019-])(?:" + body + r")(?![\w'\u2019-])", re.IGNORECASE)


def _norm_phrase(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\u2019", "'")).lower()


def _with_apostrophe(scope: Scope, s: str) -> str:
    return s.replace("'", scope.apostrophe)


# --- finders ---------------------------------------------------------------------------

_SPELLING = {}
for _us, _uk in SPELLING_PAIRS:
    _SPELLING[_us] = _uk
    _SPELLING[_uk] = _us
_WORD = re.compile(r"[A-Za-z]+")


def find_spelling(scope: Scope) -> Iterator[Candidate]:
    for block, m in scope.prose_matches(_WORD):
        word = m.group()
        other = _SPELLING.get(word.lower())
        if other is None or not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), word):
            continue
        yield Candidate(
            m.start(), m.end(), (word, match_case(word, other)), "spelling", f"spelling:{word}", 40
        )


_HYPHEN_FORMS: dict[str, tuple[str, ...]] = {}
for _group in HYPHENATION_GROUPS:
    for _form in _group:
        _HYPHEN_FORMS[_form] = _group
for _hyphenated, _open in COMPOUND_MODIFIERS:
    _HYPHEN_FORMS[_hyphenated] = (_hyphenated, _open)
_HYPHEN_RX = _phrase_regex(_HYPHEN_FORMS)


def find_hyphenation(scope: Scope) -> Iterator[Candidate]:
    for block, m in scope.prose_matches(_HYPHEN_RX):
        text = m.group()
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), text):
            continue
        group = _HYPHEN_FORMS[_norm_phrase(text)]
        alts = (text, *(match_case(text, g) for g in group if g != _norm_phrase(text)))
        yield Candidate(m.start(), m.end(), alts, "hyphenation", f"hyphenation:{text}", 40)


_COMPOUND_RX = re.compile(
    r"(?<![\w'\u2019-])([A-Za-z][a-z]+)-(" + "|".join(COMPOUND_HEADS) + r")(?![\w'\u2019-])"
)
_NOT_COMPOUND_FIRST = frozenset(
    {"non", "pre", "re", "co", "un", "self", "anti", "multi", "cross", "sub", "semi", "ex", "post"}
    | {"well", "ill", "so", "all", "over", "under", "de", "mis", "inter", "intra", "counter"}
)


def find_compound_modifiers(scope: Scope) -> Iterator[Candidate]:
    """ "a stream-based engine" / "a stream based engine": a lower-case word joined to a
    participle or adjective such as "based", "controlled", "specific" (see
    COMPOUND_HEADS). Coordinated like any hyphenation."""
    for block, m in scope.prose_matches(_COMPOUND_RX):
        text = m.group()
        first = m.group(1)
        if first.lower() in _NOT_COMPOUND_FIRST or _norm_phrase(text) in _HYPHEN_FORMS:
            continue
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), text):
            continue
        yield Candidate(
            m.start(), m.end(), (text, first + " " + m.group(2)), "hyphenation", f"hyphenation:{text}", 41
        )


_CONTRACT = dict(CONTRACTIONS)
_EXPAND = {short: full for full, short in CONTRACTIONS}
_CONTRACT_ONLY = dict(CONTRACT_ONLY)
_THAT_IS, _THATS = CONTRACT_THAT_IS
_EXPAND_IS = dict(EXPAND_IS)
_HAVE = dict(HAVE_CONTRACTIONS)
_HAVE_EXPAND = {short: full for full, short in HAVE_CONTRACTIONS}
_WOULD = dict(WOULD_CONTRACTIONS)
_WOULD_EXPAND = {short: full for full, short in WOULD_CONTRACTIONS}
_NEGATED = {form: group for group in NEGATED_PRONOUNS for form in group}
_EXPAND_ONLY = dict(EXPAND_ONLY)
_CONTRACTION_RX = _phrase_regex(
    list(_EXPAND_ONLY)
    + list(_CONTRACT)
    + list(_EXPAND)
    + list(_CONTRACT_ONLY)
    + list(_NEGATED)
    + [_THAT_IS]
    + list(_EXPAND_IS)
    + list(_HAVE)
    + list(_HAVE_EXPAND)
    + list(_WOULD)
    + list(_WOULD_EXPAND)
)
_NEXT_WORD = re.compile(r"(?:[ \t]+|[ \t]*\n[ \t]*)[A-Za-z]")  # on the same line or the next
_FOLLOWING_WORDS = re.compile(r"[ \t]*\n?[ \t]*([A-Za-z]+)")


def _verb_after(text: str, pos: int) -> str | None:
    """The first word after ``pos`` that is not an adverb ("it's only written" gives
    "written"), lower case; None if punctuation or markup comes first."""
    for _ in range(4):
        m = _FOLLOWING_WORDS.match(text, pos)
        if m is None:
            return None
        word = m.group(1).lower()
        if word not in MID_ADVERBS and not (word.endswith("ly") and len(word) > 4):
            return word
        pos = m.end()
    return None


def _may_be_participle(word: str) -> bool:
    """True unless ``word`` certainly is no past participle."""
    return word.endswith(("ed", "en", "wn", "ne", "un")) or word in PARTICIPLES


def _is_participle(word: str) -> bool:
    """True only for a certain past participle ("seen", "tested")."""
    if word in PARTICIPLES:
        return True
    return word.endswith("ed") and len(word) >= 5 and word not in NOT_PARTICIPLES


def find_contractions(scope: Scope) -> Iterator[Candidate]:
    for block, m in scope.prose_matches(_CONTRACTION_RX):
        text = m.group()
        key = _norm_phrase(text)
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), text):
            continue
        followed_by_word = bool(_NEXT_WORD.match(scope.text, m.end()))
        verb = _verb_after(scope.text, m.end()) if followed_by_word else None
        priority = 20
        alts: tuple[str, ...]
        if key in _EXPAND_ONLY:
            alts = (text, match_case(text, _EXPAND_ONLY[key]))
        elif key in _NEGATED:
            alts = (text, *(match_case(text, f) for f in _NEGATED[key] if f != key))
        elif key in _CONTRACT:
            alts = (text, match_case(text, _CONTRACT[key]))
        elif key in _EXPAND:
            alts = (text, match_case(text, _EXPAND[key]))
        elif key in _CONTRACT_ONLY and followed_by_word:
            alts = (text, match_case(text, _CONTRACT_ONLY[key]))
        elif key == _THAT_IS and followed_by_word:
            # After the relative-pronoun finder: "that is" there is "that" / "which" first.
            alts, priority = (text, match_case(text, _THATS)), 59
        elif key in _EXPAND_IS and verb is not None and not _may_be_participle(verb):
            alts = (text, match_case(text, _EXPAND_IS[key]))
        elif key in _HAVE and verb is not None and _is_participle(verb):
            alts = (text, match_case(text, _HAVE[key]))
        elif key in _HAVE_EXPAND and followed_by_word:
            alts = (text, match_case(text, _HAVE_EXPAND[key]))
        elif key in _WOULD and verb is not None and not _may_be_participle(verb):
            alts = (text, match_case(text, _WOULD[key]))
        elif key in _WOULD_EXPAND and verb and not _may_be_participle(verb) and verb not in AFTER_HAD:
            alts = (text, match_case(text, _WOULD_EXPAND[key]))
        else:
            continue
        alts = (alts[0], *(_with_apostrophe(scope, a) for a in alts[1:]))
        yield Candidate(m.start(), m.end(), alts, "contraction", None, priority)


_SENTENCE_GROUPS: dict[str, tuple[str, ...]] = {}
for _group in SENTENCE_CONNECTIVES:
    for _form in _group:
        _SENTENCE_GROUPS.setdefault(_form, _group)
for _group in SENTENCE_CONNECTIVES:
    _SENTENCE_GROUPS[_group[0]] = _group
_SENTENCE_RX = re.compile(
    r"(?<![\w-])(?:"
    + "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in sorted(_SENTENCE_GROUPS, key=len, reverse=True))
    + r")(?=\s+\w)"
)


def find_sentence_connectives(scope: Scope) -> Iterator[Candidate]:
    for block, m in scope.prose_matches(_SENTENCE_RX):
        if not scope.sentence_start(block, m.start()):
            continue
        text = m.group()
        key = " ".join(text.split())  # the form, wherever the original breaks its line
        group = _SENTENCE_GROUPS[key]
        yield Candidate(m.start(), m.end(), (text, *(g for g in group if g != key)), "connective", None, 25)


_PHRASES: dict[str, tuple[str, ...]] = {g[0]: g for g in PHRASE_CHOICES}
_PHRASE_RX = _phrase_regex(_PHRASES)


_NEXT_TOKEN = re.compile(r"\s+([A-Za-z]+|\d)")


def _phrase_fits(scope: Scope, key: str, start: int, end: int) -> bool:
    """The guards of PHRASE_NOT_BEFORE and its neighbours, on the words around."""
    if key in PHRASE_NOT_AFTER_COMMA:
        i = start - 1
        while i >= 0 and scope.text[i].isspace():
            i -= 1
        if i >= 0 and scope.text[i] == ",":
            return False
    if key in PHRASE_NOT_AFTER:
        prev = re.search(r"([A-Za-z']+)[ \t\n]*$", scope.text[max(0, start - 30) : start])
        if prev is not None and prev.group(1).lower() in PHRASE_NOT_AFTER[key]:
            return False
    nxt = _NEXT_TOKEN.match(scope.text, end)
    word = nxt.group(1).lower() if nxt else ""
    if word in PHRASE_NOT_BEFORE.get(key, ()):
        return False
    if key in PHRASE_NEXT_DIGIT:
        return word.isdigit()
    if key in PHRASE_NEXT_DETERMINER:
        return word in DETERMINERS
    if key in PHRASE_NEXT_NOUN_PHRASE:
        return word in DETERMINERS or (word.endswith("ing") and len(word) > 4)
    return True


def find_phrases(scope: Scope) -> Iterator[Candidate]:
    for block, m in scope.prose_matches(_PHRASE_RX):
        text = m.group()
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), text):
            continue
        if not _phrase_fits(scope, _norm_phrase(text), m.start(), m.end()):
            continue
        group = _PHRASES[_norm_phrase(text)]
        yield Candidate(
            m.start(), m.end(), (text, *(match_case(text, g) for g in group[1:])), "phrase", None, 30
        )


_ABBREV_RX = re.compile(r"(?<![\w.])(e\.g\.|i\.e\.)(,?)(?=\s)")
_ABBREV = {g[0]: g for g in ABBREVIATIONS}


def find_abbreviations(scope: Scope) -> Iterator[Candidate]:
    for _block, m in scope.prose_matches(_ABBREV_RX):
        group = _ABBREV[m.group(1)]
        text = m.group()
        yield Candidate(
            m.start(), m.end(), (text, *(g for g in group if g != text)), "abbreviation", None, 25
        )


_CONJ_RX = re.compile(r"(,?)[ \t]+(and|or)[ \t]+(?=[\w`*_\[(])")
_STOP = {
    "and",
    "or",
    "but",
    "which",
    "that",
    "who",
    "when",
    "if",
    "because",
    "while",
    "where",
    "then",
    "so",
    "although",
    "though",
    "since",
    "as",
    "whether",
    "both",
    "either",
    "neither",
    "between",
    "unless",
    "until",
    "once",
    "after",
    "before",
    "whereas",
    "than",
    "not",
    # An element that starts with a verb follows an apposition, not a list comma:
    # "The kind, a 16-bit integer at offset 32, is 1 or 2".
    "is",
    "are",
    "was",
    "were",
    "be",
    "has",
    "have",
    "had",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "does",
    "do",
    "did",
}
_LATER_CONJ = re.compile(r"[ \t\n]+(?:and|or|nor)[ \t\n]+")


def find_serial_commas(scope: Scope) -> Iterator[Candidate]:
    """The Oxford comma in lists of three or more: "A, B, and C" / "A, B and C"."""
    t = scope.text
    for block, m in scope.prose_matches(_CONJ_RX):
        comma_pos = m.start(1)
        # The list element before the conjunction, back to the previous list comma.
        sent_start = max(block.start, *(t.rfind(c, block.start, comma_pos) + 1 for c in ".;:!?("))
        prev = t.rfind(",", sent_start, comma_pos)
        while prev >= 0 and not (prev + 1 < len(t) and t[prev + 1] in " \t\n" and scope.ok(prev, prev + 1)):
            prev = t.rfind(",", sent_start, prev)
        if prev < 0:
            continue
        element = t[prev + 1 : comma_pos]
        words = re.findall(r"[\w`'-]+", element)
        if (
            not 1 <= len(words) <= 4
            or any(w.lower() in _STOP for w in words)
            or re.search(r"[;:()]", element)
        ):
            continue
        if not re.search(r"\w", t[sent_start:prev]):
            continue  # nothing before the first comma: not a list
        _start, sent_end = _sentence_bounds(t, block, m.end())
        if _LATER_CONJ.search(t, m.end(), sent_end):
            continue  # only the list's last conjunction takes the serial comma
        if m.group(1):
            if scope.ok(comma_pos, comma_pos + 1):
                yield Candidate(comma_pos, comma_pos + 1, (",", ""), "serial-comma", None, 35)
        elif scope.ok(comma_pos, comma_pos):
            yield Candidate(comma_pos, comma_pos, ("", ","), "serial-comma", None, 35)


_HEX_RX = re.compile(r"(?<![\w.$#/\\-])0[xX][0-9A-Fa-f]+(?![\w-])")
_GROUPED_RX = re.compile(r"(?<![\w.,$#:/\\-])[1-9]\d{0,2}(?:,\d{3})+(?![\w-]|[.,]\d)")
_LONG_RX = re.compile(r"(?<![\w.,$#:/\\-])[1-9]\d{4,}(?![\w-]|[.,]\d)")
_UNIT_RX = re.compile(
    r"(?<![\w.,$#:/\\-])[1-9]\d{3}(?=[ \t]+(?:bytes|pixels|rows|columns|entries|chunks|files|records|"
    r"users|times|iterations|milliseconds|seconds|requests|partners|samples)\b)"
)
_PERCENT_RX = re.compile(r"(?<![\w.,$#:/\\-])(\d+(?:\.\d+)?)(%|\s+percent\b|\s+per\s+cent\b)")


# SI style (ISO 80000): digits grouped by a narrow no-break space, "65 535".
_SI_SPACE = "\u202f"


def _group_digits(digits: str) -> str:
    return f"{int(digits):,}"


def find_numbers(scope: Scope) -> Iterator[Candidate]:
    """Number formats with the value unchanged: hex case, digit grouping, percent style."""
    t = scope.text
    for _block, m in scope.prose_matches(_HEX_RX):
        digits = m.group()[2:]
        letters = [c for c in digits if c.isalpha()]
        if not letters or not (all(c.islower() for c in letters) or all(c.isupper() for c in letters)):
            continue
        flipped = m.group()[:2] + (digits.upper() if letters[0].islower() else digits.lower())
        yield Candidate(m.start(), m.end(), (m.group(), flipped), "hex-case", None, 45)
    for _block, m in scope.prose_matches(_GROUPED_RX):
        alts = (m.group(), m.group().replace(",", ""), m.group().replace(",", _SI_SPACE))
        yield Candidate(m.start(), m.end(), alts, "digit-grouping", None, 45)
    for rx in (_LONG_RX, _UNIT_RX):
        for _block, m in scope.prose_matches(rx):
            grouped = _group_digits(m.group())
            alts = (m.group(), grouped, grouped.replace(",", _SI_SPACE))
            yield Candidate(m.start(), m.end(), alts, "digit-grouping", None, 45)
    for _block, m in scope.prose_matches(_PERCENT_RX):
        number = m.group(1)
        forms = (number + "%", number + " percent", number + " per cent")
        orig = m.group()
        style = 0 if m.group(2) == "%" else (1 if "percent" in m.group(2) else 2)
        if t[m.end() : m.end() + 1].isalnum():
            continue
        yield Candidate(
            m.start(),
            m.end(),
            (orig, *(f for i, f in enumerate(forms) if i != style)),
            "percent",
            None,
            45,
        )


_NUMWORD_RX = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")[ \t]+([a-z]{3,})(?![\w'\u2019-])")


def find_number_words(scope: Scope) -> Iterator[Candidate]:
    """ "two bytes" / "2 bytes": a small count before a plural noun, never at a sentence start."""
    t = scope.text
    for block, m in scope.prose_matches(_NUMWORD_RX):
        if m.group(2) not in COUNTED_NOUNS:
            continue
        before = t[block.start : m.start(1)].rstrip()
        if not before or not (before[-1].isalpha() or before[-1] in ",;:("):
            continue
        if not scope.boundary_ok(m.start(1), m.end(1)):
            continue
        if word_before(t, m.start(1), block.start) in DETERMINERS | {"these", "those", "the"}:
            continue  # "the two objects" reads oddly as "the 2 objects"
        word = m.group(1)
        yield Candidate(m.start(1), m.end(1), (word, NUMBER_WORDS[word]), "number-word", None, 45)


_INTRO_RX = re.compile(
    r"(?:" + "|".join(re.escape(a).replace(r"\ ", r"[ \t]+") for a in INTRO_ADVERBS) + r")(,)(?=[ \t]+\w)"
    r"|(?:" + "|".join(INTRO_PREPOSITIONS) + r")(?:\s+[\w`'.-]+){1,4}?(,)(?=\s+\w)"
)


_INTRO_BARE_RX = re.compile(
    r"(?:" + "|".join(re.escape(a).replace(r"\ ", r"[ \t]+") for a in INTRO_ADVERBS) + r")()[ \t]+([a-z]+)\b"
)


def find_intro_commas(scope: Scope) -> Iterator[Candidate]:
    """ "On Windows, the process ..." / "On Windows the process ...": the comma after a
    short introductory phrase is optional. Without a comma in the original, only a
    known phrase followed by a subject ("the", "we", ...) is taken, so the phrase
    boundary is certain."""
    for block, m in scope.prose_matches(_INTRO_RX):
        if not scope.sentence_start(block, m.start()):
            continue
        comma = m.start(1) if m.group(1) else m.start(2)
        if re.match(r"\s+[\w'-]+,", scope.text[comma + 1 : comma + 40]):
            continue  # "Once the width exceeds 0x3fff, however, ..." pairs with a parenthetical
        yield Candidate(comma, comma + 1, (",", ""), "intro-comma", None, 55)
    for block, m in scope.prose_matches(_INTRO_BARE_RX):
        if m.group(2) in THAT_SUBJECTS and scope.sentence_start(block, m.start()):
            yield Candidate(m.start(1), m.start(1), ("", ","), "intro-comma", None, 55)


_RELATIVE_RX = re.compile(
    r"(?<=[a-z])[ \t]+(that|which)(?=[ \t]+(?:(?:" + "|".join(RELATIVE_NEXT) + r")\b|([a-z]+s)\b))"
)


def _is_noun(before: list[str]) -> bool:
    """Whether the last of these words is a noun: one introduced by a determiner ("the bytes
    that", "a structure that"), or a plural ("Versions that")."""
    noun = before[-1].lower()
    return any(w.lower() in DETERMINERS for w in before[-4:-1]) or (
        noun.endswith("s") and not noun.endswith("ss") and noun not in NOT_PLURAL
    )


def find_relatives(scope: Scope) -> Iterator[Candidate]:
    """ "a structure that is serialized" / "a structure which is serialized": a
    restrictive relative clause (no comma before it), introduced by either word."""
    t = scope.text
    for block, m in scope.prose_matches(_RELATIVE_RX):
        before = re.findall(r"[A-Za-z']+", t[max(block.start, m.start() - 60) : m.start()])[-4:]
        if not before or before[-1].lower() in NOT_ANTECEDENTS:
            continue
        # The word before must be a noun; in "can't do that should" it is not: there
        # "that" is a pronoun.
        if not _is_noun(before):
            continue
        # Another verb ending in -s ("a pointer that references the chain") only when it is
        # no noun as well: "the problem that leaks ..." has "that" as a complementizer.
        if m.group(2) and not (is_verb_form(m.group(2)) and not may_be_noun(m.group(2))):
            continue
        word = m.group(1)
        yield Candidate(
            m.start(1), m.end(1), (word, "which" if word == "that" else "that"), "relative", None, 58
        )


_ETC_RX = re.compile(r",[ \t]+(etc\.|and[ \t]+so[ \t]+on\.)(?=\s*(?:$|[A-Z*\n]))")


def find_etc(scope: Scope) -> Iterator[Candidate]:
    """ "..., etc." / "..., and so on." at the end of a sentence."""
    for _block, m in scope.prose_matches(_ETC_RX):
        word = m.group(1)
        alts = (word, "and so on.") if word == "etc." else (word, "etc.")
        yield Candidate(m.start(1), m.end(1), alts, "etc", None, 45)


_THAT_RX = re.compile(
    r"\b(?:"
    + "|".join(re.escape(v).replace(r"\ ", r"[ \t]+") for v in THAT_VERBS)
    + r")[ \t]+(that[ \t]+)([A-Za-z]+)\b"
)


def find_optional_that(scope: Scope) -> Iterator[Candidate]:
    """ "we believe that the overflow ..." / "we believe the overflow ...": the
    complementizer only, recognised by the subject that follows it."""
    for _block, m in scope.prose_matches(_THAT_RX):
        if not starts_clause_subject([m.group(2)], THAT_SUBJECTS) or "\n" in m.group(1):
            continue
        yield Candidate(m.start(1), m.end(1), (m.group(1), ""), "optional-that", None, 50)


_THAT_INSERT_RX = re.compile(
    r"(?<![\w'\u2019-])(?:" + "|".join(THAT_INSERT_VERBS) + r")([ \t]+)(?=([A-Za-z]+)\b)"
)
_CLAUSE_HEAD = re.compile(r"[ \t]*(`[^`\n]+`|[A-Za-z][\w'\u2019-]*)")


def _clause_follows(text: str, pos: int, first: str) -> bool:
    """After ``pos`` stands a subject and its finite verb: a personal pronoun, or a
    determiner and at most two more words (no second determiner), then an auxiliary or a
    verb form that is no noun ("the chain is", "the kernel frees")."""
    words: list[str] = []
    while len(words) < 4:
        m = _CLAUSE_HEAD.match(text, pos)
        if m is None:
            return False
        words.append(m.group(1))
        pos = m.end()
    low = [w.lower() for w in words]
    # A pronoun is the whole subject; a determiner opens a noun phrase of up to three words.
    candidates = low[1:2] if first.lower() in SUBJECT_PRONOUNS else low[1:4]
    for i, w in enumerate(candidates):
        if w in FINITE_AUX or (w.endswith("s") and is_verb_form(w) and not may_be_noun(w)):
            return True
        if w in DETERMINERS or w in THAT_SUBJECTS or not (w.isalpha() or w.startswith("`")) or i == 2:
            return False
    return False


def find_that_insertion(scope: Scope) -> Iterator[Candidate]:
    """ "we know the chain is freed" / "we know that the chain is freed": a complement clause
    after a verb that is certainly a verb may take "that"; only where the subject and its
    finite verb follow at once, so the clause is certain ("we know the address the kernel
    uses" has no clause, and is left alone)."""
    t = scope.text
    for _block, m in scope.prose_matches(_THAT_INSERT_RX):
        first = m.group(2)
        if not starts_clause_subject([first], THAT_SUBJECTS | {"i", "he", "she"}) or first.lower() == "that":
            continue
        if "\n" in m.group(1) or not _clause_follows(t, m.end(1), first):
            continue
        yield Candidate(m.end(1), m.end(1), ("", "that "), "optional-that", None, 50)


_BUT_RX = re.compile(r"(,)[ \t]+(?:but|yet)[ \t]+(?=\w)")
_CLAUSE_AND_RX = re.compile(r"(,)[ \t]+(?:and|or)[ \t]+(?=\w)")


_CLAUSE_END = re.compile(r"[.;:!?](?=\s|$)")


def _sentence_bounds(t: str, block: Block, pos: int) -> tuple[int, int]:
    """The clause around ``pos``: from after the previous stop to the next one."""
    start = block.start
    for m in _CLAUSE_END.finditer(t, block.start, pos):
        start = m.end()
    end = _CLAUSE_END.search(t, pos, block.end)
    return start, end.start() if end else block.end


def find_clause_commas(scope: Scope) -> Iterator[Candidate]:
    """The comma before "but" or a clause-joining "and"/"or" is optional, unless it pairs
    with a later comma (a parenthetical: "the viewer, and the service, are ...")."""
    t = scope.text
    for rx, min_after in ((_BUT_RX, 2), (_CLAUSE_AND_RX, 4)):
        for block, m in scope.prose_matches(rx):
            comma = m.start(1)
            start, end = _sentence_bounds(t, block, m.end())
            after = t[m.end() : end]
            words_after = re.findall(r"[\w`'-]+", after)
            if len(words_after) < min_after or "," in " ".join(after.split()[:5]):
                continue
            if len(re.findall(r"\w+", t[start:comma])) < 3:
                continue
            if re.search(r",\s", t[start:comma]):
                continue  # a list of clauses: the serial-comma finder decides there
            if "(" in t[start:comma] and ")" not in t[start:comma]:
                continue
            if scope.ok(comma, comma + 1):
                yield Candidate(comma, comma + 1, (",", ""), "clause-comma", None, 60)


_SEMICOLON_RX = re.compile(r";([ \t]+)([a-z]{2,}(?:['\u2019][a-z]+)?)\b")


def find_semicolons(scope: Scope) -> Iterator[Candidate]:
    """ "...; otherwise the decoder ..." / "... . Otherwise the decoder ...": two
    independent clauses, joined or as two sentences."""
    t = scope.text
    for block, m in scope.prose_matches(_SEMICOLON_RX):
        start = max(block.start, *(t.rfind(c, block.start, m.start()) + 1 for c in ".!?:"))
        ends = [i for i in (t.find(c, m.end(), block.end) for c in ".!?:") if i >= 0]
        end = min(ends, default=block.end)
        before, after = t[start : m.start()], t[m.end(2) : end]
        if ";" in before or ";" in after or "(" in before or ")" in after:
            continue
        if len(re.findall(r"\w+", before)) < 3 or len(re.findall(r"\w+", after)) < 2:
            continue
        if not scope.boundary_ok(m.start(2), m.end(2)):
            continue
        word = m.group(2)
        alts = (m.group(), "." + m.group(1) + word[0].upper() + word[1:])
        yield Candidate(m.start(), m.end(), alts, "semicolon", None, 65)


_COMPARISONS = {g[0]: g for g in NUMERIC_COMPARISONS}
_COMPARISON_RX = re.compile(
    r"(?<![\w-])(" + "|".join(re.escape(c).replace(r"\ ", r"[ \t]+") for c in _COMPARISONS) + r")(?=[ \t]+\d)"
)


def find_comparisons(scope: Scope) -> Iterator[Candidate]:
    """ "greater than 0x3fff" / "larger than 0x3fff": only before a number."""
    for block, m in scope.prose_matches(_COMPARISON_RX):
        text = m.group(1)
        if not _lower_or_sentence_case(scope, block, m.start(), text):
            continue
        group = _COMPARISONS[_norm_phrase(text)]
        yield Candidate(
            m.start(),
            m.end(),
            (text, *(match_case(text, g) for g in group[1:])),
            "comparison",
            None,
            30,
        )


_WHILE_RX = re.compile(r"(?<=,)[ \t]+(while|whereas)(?=[ \t]+[a-z])")


def find_contrast(scope: Scope) -> Iterator[Candidate]:
    """ ", while the allocation ..." / ", whereas the allocation ...": after a comma,
    "while" contrasts (the temporal "while" takes no comma)."""
    for _block, m in scope.prose_matches(_WHILE_RX):
        word = m.group(1)
        yield Candidate(
            m.start(1), m.end(1), (word, "whereas" if word == "while" else "while"), "contrast", None, 30
        )


_PARENTHETICAL_RX = re.compile(r"(?<=,)[ \t]+(however|though)(?=[,;.](?:\s|$))")


def find_parenthetical_however(scope: Scope) -> Iterator[Candidate]:
    """ "The CRC values, however, are checked" / "The CRC values, though, are checked":
    the parenthetical between commas (or before a stop), never "however you like"."""
    for _block, m in scope.prose_matches(_PARENTHETICAL_RX):
        word = m.group(1)
        other = "though" if word == "however" else "however"
        yield Candidate(m.start(1), m.end(1), (word, other), "however", None, 30)


_OBJECT_THAT_RX = re.compile(
    r"(?<=[a-z])[ \t]+(that[ \t]+)(?=(?:" + "|".join(sorted(THAT_SUBJECTS)) + r")\b)"
)


def find_object_relatives(scope: Scope) -> Iterator[Candidate]:
    """ "the positives that you observe" / "the positives you observe": a relative (or
    complement) clause with its own subject after a noun; "that" may go. The noun is
    recognised as find_relatives recognises it; "so that", "such that", "now that" and
    the verbs of find_optional_that are left to their own rules."""
    t = scope.text
    for block, m in scope.prose_matches(_OBJECT_THAT_RX):
        before = re.findall(r"[A-Za-z']+", t[max(block.start, m.start() - 60) : m.start()])[-4:]
        if not before or before[-1].lower() in NOT_ANTECEDENTS:
            continue
        noun = before[-1].lower()
        if noun in THAT_VERBS or noun in DETERMINERS:
            continue
        if any(w.lower() in ("so", "such") for w in before[-3:]):
            continue  # "so small that no data fits": a result clause keeps its "that"
        if not _is_noun(before):
            continue
        # "processes that all share ports": a floating quantifier leaves "that" the subject.
        if not starts_clause_subject(words_after(t, m.end(1) - 1, 1), THAT_SUBJECTS):
            continue
        yield Candidate(m.start(1), m.end(1), (m.group(1), ""), "optional-that", None, 52)


_SHORT_HEX_RX = re.compile(r"(?<![\w.$#/\\-])0[xX](?:[0-9A-Fa-f]{3}|[0-9A-Fa-f]{7})(?![\w-])")


def find_hex_padding(scope: Scope) -> Iterator[Candidate]:
    """ "0x400" / "0x0400": a leading zero to a whole number of bytes, value unchanged."""
    for _block, m in scope.prose_matches(_SHORT_HEX_RX):
        text = m.group()
        if any(c.isalpha() for c in text[2:]):
            continue  # the hex-case finder owns these
        yield Candidate(m.start(), m.end(), (text, text[:2] + "0" + text[2:]), "hex-padding", None, 46)


# --- word choices decided by role (synonyms.py, roles.py) -----------------------------

_SYNONYM_FORMS = surface_forms()
_SYNONYM_RX = re.compile(
    r"(?<![\w'\u2019.-])(" + "|".join(sorted(_SYNONYM_FORMS, key=len, reverse=True)) + r")(?![\w'\u2019-])",
    re.IGNORECASE,
)
_VOWEL_SOUND_EXCEPTIONS = ("use", "usu", "uni", "one", "eu")  # "a useful", "a unique"


def _article_for(word: str) -> str:
    w = word.lower()
    if w.startswith(("hour", "honest")):
        return "an"
    if w.startswith(_VOWEL_SOUND_EXCEPTIONS):
        return "a"
    return "an" if w[:1] in "aeiou" else "a"


def _with_article(scope: Scope, block: Block, start: int, end: int, alts: list[str]) -> Candidate | None:
    """Alternatives for the word at ``start``..``end``; when "a"/"an" stands before it and an
    alternative needs the other article, the article joins the slot."""
    t = scope.text
    m = re.search(r"(?<![\w'\u2019-])(an?|An?)([ \t]+)$", t[max(block.start, start - 6) : start])
    if m is None or all(_article_for(a) == _article_for(alts[0]) for a in alts):
        return Candidate(start, end, tuple(alts), "synonym", None, 32)
    art_start = start - len(m.group(0))
    article = m.group(1)
    full = [match_case(article, _article_for(a)) + m.group(2) + a for a in alts]
    full[0] = t[art_start:end]
    return Candidate(art_start, end, tuple(full), "synonym", None, 32)


def _code_next(text: str, pos: int) -> bool:
    """Inline code follows on the same line: a name, so the object of the verb before it."""
    return bool(re.match(r"[ \t]+`[^`\n]+`", text[pos : pos + 200]))


def find_synonyms(scope: Scope) -> Iterator[Candidate]:
    """ "modified" / "altered", "the entire chain" / "the whole chain", "usually" /
    "typically": curated groups (synonyms.py), each member inflected to the original's form
    by lemminflect, each guarded by the neighbours that would give it another sense."""
    t = scope.text
    for block, m in scope.prose_matches(_SYNONYM_RX):
        word = m.group(1)
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), word):
            continue
        low = word.lower()
        nxt = word_after(t, m.end())
        nxt_low = nxt.lower() if nxt else None
        before = word_before(t, m.start(), block.start)
        for group, lemma in _SYNONYM_FORMS[low]:
            if nxt_low in group.not_before or before in group.not_after:
                continue
            if group.attributive and (nxt is None or not nxt.islower()):
                continue
            if group.plural_next and (
                nxt_low is None or not nxt_low.endswith("s") or nxt_low.endswith(("ss", "us", "is"))
            ):
                continue
            if group.pos == "VERB" and (before in _DETERMINER_BEFORE or (before is None and nxt_low is None)):
                continue  # "the start", "a permit": a noun, or a word alone
            if (
                group.object_next
                and nxt_low not in OBJECT_OPENERS
                and not (group.code_object and _code_next(t, m.end()))
            ):
                continue
            if group.pos == "VERB" and may_be_noun(low) and not is_verb_context(before):
                continue  # "the places", "a need": only after a subject, a modal or "to"
            if group.verb_next and (nxt_low is None or not is_verb_form(nxt_low)):
                continue
            if group.mid_sentence and scope.sentence_start(block, m.start()):
                continue
            if group.not_particle and PARTICLES & {w.lower() for w in _clause_words_after(t, m.end(), 8)}:
                continue
            alts = [word]
            for other in group.members:
                if other == lemma:
                    continue
                form = inflect_like(low, lemma, other, group.pos)
                if form is not None and form != low:
                    alts.append(match_case(word, form))
            alts += [match_case(word, e) for e in group.extra]
            if len(alts) < 2:
                continue
            c = _with_article(scope, block, m.start(), m.end(), alts)
            if c is not None:
                yield c
            break


_PHRASAL_FORMS: dict[str, list[tuple[PhrasalGroup, int, str]]] = {}
for _pg in PHRASAL_GROUPS:
    for _i, (_lemma, _particle) in enumerate(_pg.members):
        if _pg.detect and _i not in _pg.detect:
            continue
        for _form in set(forms(_lemma, "VERB").values()):
            _PHRASAL_FORMS.setdefault(f"{_form} {_particle}", []).append((_pg, _i, _form))
_PHRASAL_RX = _phrase_regex(_PHRASAL_FORMS)


# Words after which a subject pronoun opens its own clause ("so we need to"); after a noun
# it may open a relative clause with a gap ("the tools we have to work with").
_CLAUSE_OPENERS = frozenset(
    {
        "and",
        "but",
        "so",
        "then",
        "now",
        "thus",
        "therefore",
        "first",
        "also",
        "because",
        "since",
        "if",
        "when",
        "once",
        "after",
        "before",
        "as",
        "while",
        "instead",
        "finally",
        "here",
        "again",
        "still",
        "just",
        "hence",
        "eventually",
        "unless",
        "until",
        "otherwise",
        "or",
        "whether",
    }
)


def _opens_clause(text: str, block: Block, pos: int) -> bool:
    """The pronoun right before ``pos`` starts a clause: punctuation, the block start or a
    conjunction or adverb of _CLAUSE_OPENERS stands before it."""
    m = re.search(r"([A-Za-z]+)[ \t]+$", text[max(block.start, pos - 40) : pos])
    if m is None:
        return False
    head = text[max(block.start, pos - 40) : pos][: m.start()]
    prev = re.search(r"([A-Za-z']+)[ \t\n]*$", head)
    if prev is None or not re.search(r"[A-Za-z'][ \t\n]*$", head):
        return True  # punctuation, markup or the block start before the pronoun
    return prev.group(1).lower() in _CLAUSE_OPENERS


_NOT_BEFORE_MODAL = frozenset({"to", "don't", "doesn't", "not", "didn't", "never", "do", "does"})


def find_phrasal_verbs(scope: Scope) -> Iterator[Candidate]:
    """ "leads to" / "results in", "we need to" / "we have to", "tried to" / "attempted to":
    a verb with its particle, inflected alike; a form that may be a noun ("the results in
    the table", "the need to") is taken only where the word before makes it a verb."""
    t = scope.text
    for block, m in scope.prose_matches(_PHRASAL_RX):
        text = m.group()
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), text):
            continue
        key = _norm_phrase(text)
        before = word_before(t, m.start(), block.start)
        following = [w.lower() for w in words_after(t, m.end(), 2)]
        if before in SUBJECT_PRONOUNS and not _opens_clause(t, block, m.start()):
            continue  # "all primitives we need to complete ...": "need" has the noun as object
        for pg, i, form in _PHRASAL_FORMS[key]:
            lemma = pg.members[i][0]
            # A singular "this" before an -s form makes it a verb: "this results in" (the
            # noun would be "these results").
            if form in NOUN_LIKE and not (
                is_verb_context(before) or (before == "this" and form.endswith("s"))
            ):
                continue
            if not following or following[0] in pg.not_next:
                continue
            if pg.next_words is not None and following[0] not in pg.next_words:
                continue
            alts = [text]
            for j, (other, other_particle) in enumerate(pg.members):
                if j == i:
                    continue
                alt_form = inflect_like(form, lemma, other, "VERB")
                if alt_form is not None:
                    alts.append(match_case(text, f"{alt_form} {other_particle}"))
            # "we need to" / "it has to" / "it must": no tense to keep; never after a modal
            # ("will need to"), "to" or a negation ("don't have to" is no "must not").
            present = tags_of(form, lemma, "VERB") <= {"VB", "VBP", "VBZ"}
            if pg.modal and present and before not in MODAL_WORDS and before not in _NOT_BEFORE_MODAL:
                alts.append(match_case(text, pg.modal))
            if len(alts) > 1:
                yield Candidate(m.start(), m.end(), tuple(alts), "phrasal-verb", None, 31)
            break


_ABLE_BE = {"i": "am", "we": "are", "you": "are", "they": "are"}
_CAN_RX = re.compile(r"(?<![\w'\u2019-])(I|[Ww]e|[Yy]ou|[Tt]hey)[ \t]+(can)(?=[ \t]+([a-z]+)\b)")


def find_can(scope: Scope) -> Iterator[Candidate]:
    """ "we can overwrite" / "we are able to overwrite": ability, after a personal subject
    only ("it can happen" is possibility, and stays)."""
    for block, m in scope.prose_matches(_CAN_RX):
        verb = m.group(3)
        if verb in NOT_AFTER_CAN:
            continue
        if verb in MID_ADVERBS or verb.endswith("ly"):
            continue
        if m.group(1) != "I" and not _lower_or_sentence_case(scope, block, m.start(1), m.group(1)):
            continue
        able = f"{_ABLE_BE[m.group(1).lower()]} able to"
        yield Candidate(m.start(2), m.end(2), ("can", able), "modal", None, 31)


_WHETHER_RX = re.compile(
    r"(?<![\w'\u2019-])(?:"
    + "|".join(v.replace(" ", r"[ \t]+") for v in WHETHER_VERBS)
    + r")[ \t]+(if|whether)(?=[ \t]+([a-z]+)\b)"
)


def find_whether(scope: Scope) -> Iterator[Candidate]:
    """ "check if the chain is bound" / "check whether the chain is bound": an indirect
    question after a verb of asking or knowing; "whether or not" is left to its phrase."""
    for _block, m in scope.prose_matches(_WHETHER_RX):
        if m.group(2) == "or":
            continue
        word = m.group(1)
        yield Candidate(
            m.start(1), m.end(1), (word, "whether" if word == "if" else "if"), "whether", None, 31
        )


_EACH_RX = re.compile(r"(?<![\w'\u2019-])(each|every|Each|Every)(?=[ \t]+([a-z]+)\b)")
_NOT_BEFORE_EVERY = frozenset({"almost", "nearly", "not", "virtually", "practically"})


def find_each_every(scope: Scope) -> Iterator[Candidate]:
    """ "each element" / "every element": a distributive determiner before a singular noun
    (WordNet-free rule: the next word is lower case, not a plural, not a verb form of the
    closed list, and no adverb that only "every" takes stands before)."""
    t = scope.text
    for block, m in scope.prose_matches(_EACH_RX):
        word, noun = m.group(1), m.group(2)
        if noun in NOT_AFTER_EACH or noun in DETERMINERS or noun in MID_ADVERBS:
            continue
        if noun in RELATIVE_NEXT or noun in MODAL_WORDS or not is_singular_noun(noun):
            continue  # "each contains", "each with": "each" is a pronoun there
        if word_before(t, m.start(), block.start) in _NOT_BEFORE_EVERY:
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), word):
            continue
        other = "every" if word.lower() == "each" else "each"
        yield Candidate(m.start(), m.end(), (word, match_case(word, other)), "quantifier", None, 33)


_SO_THAT_RX = re.compile(r"(?<![\w'\u2019-])so[ \t]+that(?=[ \t]+([A-Za-z]+)\b)")


def find_so_that(scope: Scope) -> Iterator[Candidate]:
    """ "so that we can" / "so we can": purpose, before a clause with its own subject (a
    comma before it makes "so" a result, and the pair is left alone)."""
    t = scope.text
    for _block, m in scope.prose_matches(_SO_THAT_RX):
        if not starts_clause_subject([m.group(1)], THAT_SUBJECTS):
            continue
        i = m.start() - 1
        while i >= 0 and t[i] in " \t":
            i -= 1
        if i >= 0 and t[i] == ",":
            continue
        yield Candidate(m.start(), m.end(), (m.group(), "so"), "purpose", None, 31)


_NAMED_RX = re.compile(r"(?<![\w'\u2019-])(called|named)(?=[ \t]+[`\"'\u201c*])")


def find_named(scope: Scope) -> Iterator[Candidate]:
    """ "a function called `foo`" / "a function named `foo`": naming, after a noun or "is",
    before a quoted or code name ("we called `foo`" is a call, and is left alone)."""
    t = scope.text
    for block, m in scope.prose_matches(_NAMED_RX):
        if word_before(t, m.start(), block.start) not in NAMING_AFTER:
            continue
        word = m.group(1)
        yield Candidate(
            m.start(), m.end(), (word, "named" if word == "called" else "called"), "naming", None, 31
        )


_THEN_RX = re.compile(r"(Then|Next|After that|Afterwards)(,?)(?=[ \t]+([a-z]+)\b)")


def find_then(scope: Scope) -> Iterator[Candidate]:
    """ "Then we free the object" / "Next, we free ..." / "After that, we free ...": the next
    step at a sentence start, before a subject."""
    for block, m in scope.prose_matches(_THEN_RX):
        if not scope.sentence_start(block, m.start()):
            continue
        if not starts_clause_subject([m.group(3)], THAT_SUBJECTS):
            continue
        forms_ = ("Then", "Next,", "After that,")
        orig = m.group(1) + m.group(2)
        if m.group(1) == "Afterwards":
            forms_ = ("Afterwards,", "After that,", "Then")
        alts = (orig, *(f for f in forms_ if f.rstrip(",") != m.group(1)))
        yield Candidate(m.start(), m.end(), alts, "connective", None, 24)


_SENTENCE_PHRASES = {g[0]: g for g in SENTENCE_PHRASES}
_SENTENCE_PHRASE_RX = re.compile(
    r"(?<![\w'\u2019-])(?:"
    + "|".join(
        re.escape(p).replace(r"\ ", r"[ \t]*\n?[ \t]*")
        for p in sorted(_SENTENCE_PHRASES, key=len, reverse=True)
    )
    + r")(?![\w'\u2019-])"
)


def find_sentence_phrases(scope: Scope) -> Iterator[Candidate]:
    """ "Note that ..." / "Notice that ...", "As mentioned earlier" / "As mentioned before":
    fixed openings, only where a sentence starts."""
    for block, m in scope.prose_matches(_SENTENCE_PHRASE_RX):
        if not scope.sentence_start(block, m.start()):
            continue
        group = _SENTENCE_PHRASES[" ".join(m.group().split())]
        yield Candidate(m.start(), m.end(), (m.group(), *group[1:]), "phrase", None, 29)


_TO_PURPOSE_RX = re.compile(r"(To|In order to)[ \t]+([a-z]+)\b")


def find_purpose_to(scope: Scope) -> Iterator[Candidate]:
    """ "To trigger the bug, we ..." / "In order to trigger the bug, we ...": an infinitive
    that opens a sentence and ends at a comma is a purpose; the two forms mean the same."""
    t = scope.text
    for block, m in scope.prose_matches(_TO_PURPOSE_RX):
        if not scope.sentence_start(block, m.start()):
            continue
        verb = m.group(2)
        if verb in DETERMINERS or verb in NOT_PURPOSE:
            continue
        _start, end = _sentence_bounds(t, block, m.end())
        comma = t.find(",", m.end(), end)
        if comma < 0 or not 1 <= len(re.findall(r"\w+", t[m.end() : comma])) <= 12:
            continue  # "To recap, ...": a comment on the text, no purpose
        if not is_base_verb(verb):
            continue
        alts = ("To", "In order to") if m.group(1) == "To" else ("In order to", "To")
        yield Candidate(m.start(1), m.end(1), alts, "purpose", None, 28)


_CLAUSE_INTRO_RX = re.compile(
    r"(If|When|Once|After|Before|While|Although|Unless|Whenever|Because|As soon as"
    r"|In|On|At|By|For|With|Without|During|Under|Within|From|Through|Using)"
    r"[ \t]+[^.;:!?\n]*?(,)[ \t]+([A-Za-z]+)\b"
)
_PREPOSITIONS_OPENING = frozenset(
    {
        "In",
        "On",
        "At",
        "By",
        "For",
        "With",
        "Without",
        "During",
        "Under",
        "Within",
        "From",
        "Through",
        "Using",
    }
)


def find_clause_intro_commas(scope: Scope) -> Iterator[Candidate]:
    """ "When the chain is bound, the rule ..." / "When the chain is bound the rule ...": the
    comma after an opening adverbial clause or prepositional phrase (5 to 12 words, or one
    that quotes code: "In `qfq_enqueue`, the qdisc ...") is optional; taken only where a
    subject follows the comma, so the boundary stays certain, and never before a
    parenthetical or inside a list."""
    t = scope.text
    for block, m in scope.prose_matches(_CLAUSE_INTRO_RX):
        if not scope.sentence_start(block, m.start()):
            continue
        clause = t[m.end(1) : m.start(2)]
        n = len(re.findall(r"`[^`]*`|[\w'-]+", clause))
        # A short prepositional phrase of plain words is find_intro_commas' part.
        least = 2 if m.group(1) in _PREPOSITIONS_OPENING and "`" in clause else 5
        if not least <= n <= 12 or "(" in clause or ")" in clause:
            continue
        if not starts_clause_subject([m.group(3)], THAT_SUBJECTS | {"i"}):
            continue
        if re.match(r"[ \t]+[\w'-]+(?:[ \t]+[\w'-]+)?,", t[m.start(2) + 1 : m.start(2) + 40]):
            continue  # ", however, ..." or a short list element: the comma pairs with another
        yield Candidate(m.start(2), m.start(2) + 1, (",", ""), "intro-comma", None, 54)


_LIKE_RX = re.compile(r"(?<=[a-z]s)[ \t]+(like)(?=[ \t]+`)")
_NOT_BEFORE_LIKE = frozenset({"looks", "seems", "sounds", "feels", "is", "was", "this", "things", "does"})


def find_like(scope: Scope) -> Iterator[Candidate]:
    """ "functions like `foo`" / "functions such as `foo`": examples after a plural noun,
    before a code name ("looks like", "seems like" compare, and stay)."""
    t = scope.text
    for block, m in scope.prose_matches(_LIKE_RX):
        if word_before(t, m.start(1), block.start) in _NOT_BEFORE_LIKE:
            continue
        yield Candidate(m.start(1), m.end(1), ("like", "such as"), "phrase", None, 31)


def _clause_words_after(text: str, pos: int, n: int) -> list[str]:
    """Up to ``n`` words after ``pos`` before a stop, a comma or a line end (code spans
    count as one word)."""
    m = re.match(r"[^.,;:!?\n]*", text[pos : pos + 200])
    return re.findall(r"`[^`]*`|[A-Za-z][\w'-]*", m.group() if m else "")[:n]


_WILL_RX = re.compile(
    r"(?<![\w'\u2019-])(I|[Ww]e|[Yy]ou|[Tt]hey|[Ii]t)[ \t]+(will|'ll|\u2019ll)(?=[ \t]+([a-z]+)\b)"
)
_GOING_BE = {"i": "am", "we": "are", "you": "are", "they": "are", "it": "is"}


def find_will(scope: Scope) -> Iterator[Candidate]:
    """ "we will spray" / "we'll spray" / "we are going to spray": the future with a
    personal subject before a plain verb, three ways."""
    for block, m in scope.prose_matches(_WILL_RX):
        subject, verb = m.group(1), m.group(3)
        if not (is_base_verb(verb) or verb in ("be", "have")) or verb in MID_ADVERBS:
            continue
        if subject != "I" and not _lower_or_sentence_case(scope, block, m.start(1), subject):
            continue
        sep = scope.text[m.end(1) : m.start(2)]
        full = subject + sep + "will"
        short = subject + scope.apostrophe + "ll"
        going = f"{subject}{sep}{_GOING_BE[subject.lower()]} going to"
        orig = scope.text[m.start(1) : m.end(2)]
        alts = (
            orig,
            *(a for a in (full, short, going) if a.replace("\u2019", "'") != orig.replace("\u2019", "'")),
        )
        yield Candidate(m.start(1), m.end(2), alts, "future", None, 19)


_NOT_BEFORE_BECAUSE = frozenset(
    {
        "that",
        "and",
        "or",
        "but",
        "is",
        "was",
        "are",
        "were",
        "be",
        "not",
        "so",
        "then",
        "also",
        "even",
        "only",
        "just",
        "maybe",
        "perhaps",
        "than",
        "as",
        "if",
        "when",
        "whether",
    }
)
_BECAUSE_RX = re.compile(r"(,?)([ \t]+)because(?=[ \t]+[a-z`])")
_NEGATION = re.compile(r"\b(?:not|never|no|none|nothing|cannot)\b|n['\u2019]t\b", re.IGNORECASE)


def find_because_comma(scope: Scope) -> Iterator[Candidate]:
    """ "It fails, because the chain is freed" / "It fails because the chain is freed": the
    comma before a final "because" clause is optional, unless the main clause is negated
    ("it did not fail because ..." changes its scope with the comma)."""
    t = scope.text
    for block, m in scope.prose_matches(_BECAUSE_RX):
        start, _end = _sentence_bounds(t, block, m.start())
        main = t[start : m.start()]
        if len(re.findall(r"\w+", main)) < 3 or _NEGATION.search(main) or "," in main:
            continue
        if not re.search(r"[a-z`)]$", main):
            continue
        last = re.findall(r"[A-Za-z']+", main)[-1].lower()
        if last in _NOT_BEFORE_BECAUSE or last.endswith("ly"):
            continue  # "is that, because ...": an opening parenthetical, not a final clause
        _s, end = _sentence_bounds(t, block, m.end())
        if "," in t[m.end() : end]:
            continue
        if m.group(1):
            yield Candidate(m.start(1), m.end(1), (",", ""), "because-comma", None, 60)
        elif scope.ok(m.start(2), m.start(2)):
            yield Candidate(m.start(2), m.start(2), ("", ","), "because-comma", None, 60)


# After a passive "called", these words leave it a call ("is called from", "is called twice",
# "is called, ..."); a noun or a name after it makes it naming ("is called heap spraying").
_CALL_NEXT = frozenset(
    {
        "from", "on", "in", "with", "by", "for", "at", "after", "before", "during", "when", "while",
        "once", "if", "again", "twice", "first", "directly", "inside", "within", "through", "via",
        "and", "or", "to", "only", "later", "here", "there", "whenever", "every", "each", "until",
        "without", "upon", "instead", "next",
    }
)  # fmt: skip
_PASSIVE_CALL_RX = re.compile(
    r"(?<![\w'\u2019-])(?:is|are|was|were|be|been|being|gets|get|got|getting)[ \t]+(called)"
    r"(?:[ \t]+(?:again|eventually|later|first|directly|only)){0,1}(?=([ \t]*[,.;:)](?:\s|$)|[ \t]+([a-z]+)\b|[ \t]*$))",
    re.MULTILINE,
)
_ACTIVE_CALL_RX = re.compile(r"(?<=`)[ \t]+(calls)(?=[ \t]+(?:`|the[ \t]))")


def find_calls(scope: Scope) -> Iterator[Candidate]:
    """ "`qfq_enqueue` is called from ..." / "... is invoked from ...": the passive of a call,
    where the word after it is a preposition, an adverb or a stop (so never naming: "is
    called heap spraying", "is called `foo`"); and "`a` calls `b`" / "`a` invokes `b`"
    between a code subject and its object."""
    for _block, m in scope.prose_matches(_PASSIVE_CALL_RX):
        if m.group(3) is not None and m.group(3) not in _CALL_NEXT:
            continue
        if m.group(2) is None and m.group(3) is None:
            continue  # the line ends: what follows is unknown
        yield Candidate(m.start(1), m.end(1), ("called", "invoked"), "call", None, 31)
    for _block, m in scope.prose_matches(_ACTIVE_CALL_RX):
        yield Candidate(m.start(1), m.end(1), ("calls", "invokes"), "call", None, 31)


_USE_TO_RX = re.compile(
    r"(?<![\w'\u2019-])(?:use|uses|used|using)[ \t]+(?!to\b)((?:`[^`\n]+`|[\w'-]+)(?:[ \t]+(?:`[^`\n]+`|[\w'-]+)){0,3}?)"
    r"[ \t]+(to)[ \t]+([a-z]+)\b"
)
# Words that end an object (a preposition, a clause) or make its "to" a degree complement
# ("enough slabs to go over the limit", "too small to hold").
_NOT_USE_OBJECT = frozenset(
    {
        "to", "it", "them", "that", "which", "as", "in", "for", "of", "and", "or", "by", "on", "at",
        "from", "with", "is", "are", "enough", "too", "sufficient", "so", "such",
    }
)  # fmt: skip
# Nouns that take a "to" of their own ("a pointer to free memory", "a way to leak").
_TO_COMPLEMENT_NOUNS = frozenset(
    {"pointer", "pointers", "reference", "references", "access", "path", "offset", "link", "links", "jump",
     "way", "ways", "ability", "chance", "time", "attempt", "need", "order", "right", "permission", "key"}
)  # fmt: skip


def find_use_to(scope: Scope) -> Iterator[Candidate]:
    """ "we use `msg_msg` to spray" / "... in order to spray" / "... so as to spray", and "it
    is used to leak" / "is used in order to leak": after "use" and its object (at most four
    words, no clause), "to" and a plain verb is a purpose. "used to" right after the verb
    (habit, "accustomed") is never taken."""
    for _block, m in scope.prose_matches(_USE_TO_RX):
        obj = m.group(1)
        words = re.findall(r"`[^`]*`|[\w'-]+", obj)
        if any(w.lower() in _NOT_USE_OBJECT for w in words) or words[-1].lower() in _TO_COMPLEMENT_NOUNS:
            continue  # "use it to", "used in step 2 to", "a pointer to free memory"
        verb = m.group(3)
        if verb == "be" or not is_base_verb(verb) or verb in DETERMINERS:
            continue
        yield Candidate(m.start(2), m.end(2), ("to", "in order to", "so as to"), "purpose", None, 29)
    for _block, m in scope.prose_matches(_USED_TO_RX):
        if not is_base_verb(m.group(2)):
            continue
        yield Candidate(m.start(1), m.end(1), ("to", "in order to", "so as to"), "purpose", None, 29)


# "X is used to leak": the passive with its purpose (the habitual "used to" has no "be").
_USED_TO_RX = re.compile(
    r"(?<![\w'\u2019-])(?:is|are|was|were|be|been|being)[ \t]+used[ \t]+(to)[ \t]+([a-z]+)\b"
)


_VULN_RX = re.compile(r"(?<![\w'\u2019-])(?:[Tt]he|[Tt]his)[ \t]+(vulnerability)(?![\w'\u2019-])")
# After "the vulnerability", these words leave it the whole noun phrase (a verb, a
# preposition, a conjunction); a noun after it would make it a modifier ("the
# vulnerability class").
_AFTER_NOUN_PHRASE = frozenset(
    {
        "is", "was", "are", "has", "had", "can", "could", "may", "might", "will", "would", "does",
        "did", "must", "should", "in", "on", "at", "to", "from", "by", "with", "for", "and", "or",
        "but", "as", "so", "when", "if", "because", "since", "which", "that", "itself",
        "described", "discussed", "mentioned", "above", "below", "again", "first", "here", "there",
        "reliably", "directly", "only", "also",
    }
)  # fmt: skip


def find_the_vulnerability(scope: Scope) -> Iterator[Candidate]:
    """ "to trigger the vulnerability" / "the bug" / "the flaw": a write-up's "the
    vulnerability" or "this vulnerability" is the flaw it describes, named any of the three
    ways (advisories call it a flaw as often); only where the word ends its noun phrase (a
    stop, a verb or a preposition follows)."""
    t = scope.text
    for _block, m in scope.prose_matches(_VULN_RX):
        nxt = word_after(t, m.end(1))
        after = t[m.end(1) : m.end(1) + 2]
        if nxt is None:
            if not re.match(r"[ \t]*(?:[,.;:!?)\n]|$)", after) and after != "":
                continue
        elif nxt.lower() not in _AFTER_NOUN_PHRASE and not (
            nxt.islower() and is_verb_form(nxt) and not may_be_noun(nxt)
        ):
            continue
        yield Candidate(m.start(1), m.end(1), ("vulnerability", "bug", "flaw"), "synonym", None, 32)


# Labels of the key: value lists and headings that write-ups share ("- Fixed by: <commit>",
# "## Commit which fixed the vulnerability"), each with a label that says the same.
_LABELS: dict[str, tuple[str, ...]] = {
    "Kernel configuration": ("Kernel config",),
    "User namespaces required": ("User namespaces needed",),
    "Introduced by": ("Introduced in",),
    "Fixed by": ("Fixed in",),
    "Cause": ("Root cause",),
    "Syscall to disable": ("System call to disable",),
    "Affected Version": ("Affected versions",),
    "Affected version": ("Affected versions",),
    "Commit which introduced": ("Commit that introduced",),
    "Commit which fixed": ("Commit that fixed",),
}
_LABEL_RX = re.compile(
    r"(?m)^[ \t]*(?:[-*+][ \t]+|#{1,6}[ \t]+)("
    + "|".join(re.escape(k) for k in sorted(_LABELS, key=len, reverse=True))
    + r")(?=[ \t]*:|[ \t]+the[ \t]|[ \t]*$)"
)


def find_labels(scope: Scope) -> Iterator[Candidate]:
    """ "- Fixed by: <commit>" / "- Fixed in: <commit>", "## Commit which fixed the
    vulnerability" / "## Commit that fixed ...": the labels of a write-up's key: value lists
    and headings, at the start of a list item or heading, before its colon."""
    for _block, m in scope.prose_matches(_LABEL_RX):
        label = m.group(1)
        yield Candidate(m.start(1), m.end(1), (label, *_LABELS[label]), "label", None, 26)


_POINT_RX = re.compile(r"(?<![\w'\u2019-])(points|pointed|pointing|point)[ \t]+(to)(?=[ \t]+(?:`|[a-z]))")


def find_point_to(scope: Scope) -> Iterator[Candidate]:
    """ "a pointer that points to the chain" / "... points at the chain": the verb of a pointer;
    "point" only after a word that makes it a verb ("make it point to"), never "the point
    to note"."""
    t = scope.text
    for block, m in scope.prose_matches(_POINT_RX):
        word = m.group(1)
        before = word_before(t, m.start(), block.start)
        if word == "point" and not (is_verb_context(before) or before in ("them", "it", "to")):
            continue
        if word == "points" and (before in DETERMINERS or before in ("two", "three", "several", "many")):
            continue
        yield Candidate(m.start(2), m.end(2), ("to", "at"), "pointing", None, 33)


_DO_THIS_RX = re.compile(r"(?<![\w'\u2019-])(To|to)[ \t]+do[ \t]+(this|so)(?=[ \t]*,)")


def find_do_this(scope: Scope) -> Iterator[Candidate]:
    """ "To do this, we ..." / "To do so, we ...": the same pro-form before a comma."""
    for _block, m in scope.prose_matches(_DO_THIS_RX):
        word = m.group(2)
        yield Candidate(m.start(2), m.end(2), (word, "so" if word == "this" else "this"), "phrase", None, 30)


_AS_FOLLOWS_RX = re.compile(r"(?<![\w'\u2019-])([a-z]+)[ \t]+(as[ \t]+follows)(?=[ \t]*:)")
_NOT_BEFORE_FOLLOWS = frozenset(
    {"is", "are", "was", "were", "be", "been", "being", "look", "looks", "looked", "seem", "seems", "read", "reads", "go", "goes", "went"}
)  # fmt: skip


def find_as_follows(scope: Scope) -> Iterator[Candidate]:
    """ "We can trigger the vulnerability as follows:" / "... in the following way:": after a
    verb of doing (never "is as follows", "looks as follows", where the phrase is the
    complement)."""
    for _block, m in scope.prose_matches(_AS_FOLLOWS_RX):
        verb = m.group(1)
        if verb in _NOT_BEFORE_FOLLOWS or not is_verb_form(verb):
            continue
        yield Candidate(m.start(2), m.end(2), (m.group(2), "in the following way"), "phrase", None, 30)


_ALLOW_RX = re.compile(
    r"(?<![\w'\u2019-])(allow|allows|allowed|allowing)(?=[ \t]+(?:us|you|them|me|attackers|an[ \t]+attacker|the[ \t]+attacker)[ \t]+to[ \t]+([a-z]+)\b)"
)
_ALLOW_FORMS = {
    "allow": ("allow", "enable", "permit"),
    "allows": ("allows", "enables", "permits"),
    "allowed": ("allowed", "enabled", "permitted"),
    "allowing": ("allowing", "enabling", "permitting"),
}


def find_allow_to(scope: Scope) -> Iterator[Candidate]:
    """ "allows us to leak" / "enables us to leak" / "permits us to leak": before a person and
    "to" with a plain verb, the three verbs mean making it possible."""
    for block, m in scope.prose_matches(_ALLOW_RX):
        word = m.group(1)
        if not is_base_verb(m.group(2)):
            continue
        if not _lower_or_sentence_case(scope, block, m.start(), word):
            continue
        alts = _ALLOW_FORMS[word.lower()]
        yield Candidate(
            m.start(1), m.end(1), (word, *(match_case(word, a) for a in alts[1:])), "permission", None, 31
        )


_STEP_ADVERB_FIRST_RX = re.compile(r"(Then|Now|First)(,?)[ \t]+(we|I|you|they)(?=[ \t]+([a-z]+)\b)")
_STEP_ADVERB_AFTER_RX = re.compile(r"(We|I|You|They)[ \t]+(then|now|first)(?=[ \t]+([a-z]+)\b)")
_FRONTED = {
    "then": ("Then {s}", "{S} then", "Next, {s}", "After that, {s}"),
    "now": ("Now {s}", "{S} now"),
    "first": ("First, {s}", "{S} first", "Firstly, {s}"),
}


def _plain_verb(word: str) -> bool:
    """A lexical verb that can follow a step adverb on either side of its subject ("we then
    free" / "then we free"); an auxiliary or modal would want the adverb after it ("we can
    now"), and is left alone."""
    return (
        is_verb_form(word) and word not in FINITE_AUX and word not in MODAL_WORDS and word not in MID_ADVERBS
    )


def find_step_adverbs(scope: Scope) -> Iterator[Candidate]:
    """ "Then we free the chain" / "We then free the chain" / "Next, we free ..." / "After that,
    we free ...", "Now we spray" / "We now spray", "First, we spray" / "We first spray": a
    step adverb before or after a pronoun subject that opens a sentence, before a plain
    verb."""
    for block, m in scope.prose_matches(_STEP_ADVERB_FIRST_RX):
        if not scope.sentence_start(block, m.start()) or not _plain_verb(m.group(4)):
            continue
        adverb, subject = m.group(1).lower(), m.group(3)
        forms_ = [f.format(s=subject, S=subject[:1].upper() + subject[1:]) for f in _FRONTED[adverb]]
        orig = m.group()
        if adverb == "then" and m.group(2):
            forms_[0] = f"Then, {subject}"
        if adverb == "first" and not m.group(2):
            forms_[0] = f"First {subject}"
        yield Candidate(m.start(), m.end(), (orig, *forms_[1:]), "step-adverb", None, 23)
    for block, m in scope.prose_matches(_STEP_ADVERB_AFTER_RX):
        if not scope.sentence_start(block, m.start()) or not _plain_verb(m.group(3)):
            continue
        subject, adverb = m.group(1), m.group(2)
        low = subject if subject == "I" else subject.lower()
        forms_ = [f.format(s=low, S=subject) for f in _FRONTED[adverb]]
        yield Candidate(m.start(), m.end(), (m.group(), forms_[0], *forms_[2:]), "step-adverb", None, 23)


# Verbs whose object is a thing made, sent or destroyed: an infinitive after that object
# says why the subject acts ("we spray `msg_msg` to fill the slab"). Verbs whose object
# does the infinitive ("modify X to point to Y", "set it to expire") are not here.
_AGENT_PURPOSE_VERBS = frozenset(
    {
        "spray", "sprays", "sprayed", "spraying", "allocate", "allocates", "allocated", "allocating",
        "send", "sends", "sent", "sending", "create", "creates", "created", "creating", "free",
        "frees", "freed", "freeing", "overwrite", "overwrites", "overwrote", "overwriting", "leak",
        "leaks", "leaked", "leaking", "abuse", "abuses", "abused", "abusing", "fill", "fills",
        "filled", "filling", "perform", "performs", "performed", "performing", "delete", "deletes",
        "deleted", "deleting", "call", "calls", "called", "calling",
    }
)  # fmt: skip
_AGENT_PURPOSE_RX = re.compile(
    r"(?<![\w'\u2019-])("
    + "|".join(sorted(_AGENT_PURPOSE_VERBS | {v.capitalize() for v in _AGENT_PURPOSE_VERBS}))
    + r")[ \t]+(?!to\b)"
    r"((?:`[^`\n]+`|[\w'-]+)(?:[ \t]+(?:`[^`\n]+`|[\w'-]+)){0,3}?)[ \t]+(to)[ \t]+([a-z]+)\b"
)


def find_agent_purpose(scope: Scope) -> Iterator[Candidate]:
    """ "we spray `msg_msg` to fill the slab" / "... in order to fill the slab" / "... so as to
    fill ...": after a verb of making, sending or destroying, certainly a verb (after its
    subject, a modal, "to", or opening an instruction) and its short object, "to" and a
    plain verb is the subject's purpose. Never "to be" (the object would be its subject:
    "send a packet to be matched")."""
    t = scope.text
    for block, m in scope.prose_matches(_AGENT_PURPOSE_RX):
        before = word_before(t, m.start(), block.start)
        # An instruction opens its sentence; otherwise a subject, modal or "to" comes first.
        if m.group(1)[0].isupper() or before is None:
            if not scope.sentence_start(block, m.start()):
                continue
        elif not is_verb_context(before):
            continue
        words = re.findall(r"`[^`]*`|[\w'-]+", m.group(2))
        if any(w.lower() in _NOT_USE_OBJECT for w in words) or words[-1].lower() in _TO_COMPLEMENT_NOUNS:
            continue
        verb = m.group(4)
        if verb in ("be", "have") or not is_base_verb(verb) or verb in DETERMINERS:
            continue
        yield Candidate(m.start(3), m.end(3), ("to", "in order to", "so as to"), "purpose", None, 29)


_ALLOCATED_RX = re.compile(
    r"(?<![\w'\u2019-])(allocated|reallocated)[ \t]+(in|from|within)"
    r"(?=[ \t]+(?:the[ \t]+)?(?:`|(?:dyn-)?kmalloc-|kmem))"
)


def find_allocated_from(scope: Scope) -> Iterator[Candidate]:
    """ "allocated in `kmalloc-cg-64`" / "allocated from ..." / "allocated within ...": memory is allocated
    from a slab cache (or by the function named in code) and lies in it; only before a
    cache's name or inline code."""
    for _block, m in scope.prose_matches(_ALLOCATED_RX):
        # The verb is part of the slot: "in" alone is German too, and a translation that
        # keeps "in `kmalloc-cg-64`" must not read as a copy's choice.
        verb, word = m.group(1), m.group(2)
        others = [w for w in ("in", "from", "within") if w != word]
        yield Candidate(
            m.start(1), m.end(2), (m.group(), *(f"{verb} {w}" for w in others)), "allocation", None, 33
        )


_WANT_RX = re.compile(
    r"(?<![\w'\u2019-])(?:we|I|you|they|We|You|They)[ \t]+(want)(?=[ \t]+to[ \t]+([a-z]+)\b)"
)


def find_want(scope: Scope) -> Iterator[Candidate]:
    """ "we want to free" / "we would like to free": the present of "want" with a pronoun
    subject that opens its clause ("why did we want to" keeps "want": "did" needs a plain
    verb), before "to" and a plain verb."""
    t = scope.text
    for block, m in scope.prose_matches(_WANT_RX):
        if not is_base_verb(m.group(2)) or not _opens_clause(t, block, m.start(1)):
            continue
        yield Candidate(m.start(1), m.end(1), ("want", "would like"), "desire", None, 31)


_EXPR_RX = re.compile(r"(?<![\w`'\u2019>.-])(expr)(s?)(?![\w`'\u2019\[(-])")


def find_expr(scope: Scope) -> Iterator[Candidate]:
    """ "an immediate expr" / "an immediate expression": the nftables writer's short word in
    running text (never in code, nor as a name: "expr[1]", "expr->ops")."""
    for _block, m in scope.prose_matches(_EXPR_RX):
        if not scope.boundary_ok(m.start(), m.end()):
            continue
        yield Candidate(m.start(), m.end(), (m.group(), "expression" + m.group(2)), "expansion", None, 34)


FINDERS: tuple[Callable[[Scope], Iterable[Candidate]], ...] = (
    find_spelling,
    find_hyphenation,
    find_contractions,
    find_sentence_connectives,
    find_phrases,
    find_abbreviations,
    find_serial_commas,
    find_numbers,
    find_number_words,
    find_intro_commas,
    find_optional_that,
    find_clause_commas,
    find_semicolons,
    find_relatives,
    find_etc,
    find_comparisons,
    find_contrast,
    find_hex_padding,
    find_compound_modifiers,
    find_parenthetical_however,
    find_object_relatives,
    find_synonyms,
    find_phrasal_verbs,
    find_can,
    find_whether,
    find_each_every,
    find_so_that,
    find_named,
    find_then,
    find_sentence_phrases,
    find_purpose_to,
    find_clause_intro_commas,
    find_like,
    find_will,
    find_because_comma,
    find_that_insertion,
    find_calls,
    find_use_to,
    find_the_vulnerability,
    find_labels,
    find_point_to,
    find_do_this,
    find_as_follows,
    find_allow_to,
    find_step_adverbs,
    find_agent_purpose,
    find_allocated_from,
    find_want,
    find_expr,
)


def find_candidates(scope: Scope) -> list[Candidate]:
    """Every finder's proposals that lie in editable text, overlaps settled by priority."""
    proposals = []
    for finder in FINDERS:
        for c in finder(scope):
            c = _same_line_count(c)
            if c.kind in _WORD_CHOICE_KINDS and _in_link_text(scope.text, c.start):
                continue  # a link's text often quotes a title ("[io_uring: don't allow ...]")
            if scope.ok(c.start, c.end) and len(set(c.alternatives)) == len(c.alternatives):
                proposals.append(c)
    proposals.sort(key=lambda c: (c.priority, c.start, c.end))
    taken: list[tuple[int, int]] = []
    chosen: list[Candidate] = []
    for c in proposals:
        if any(_overlaps((c.start, c.end), span) for span in taken):
            continue
        taken.append((c.start, c.end))
        chosen.append(c)
    chosen.sort(key=lambda c: (c.start, c.end))
    return chosen


_WORD_CHOICE_KINDS = frozenset(
    {
        "synonym",
        "phrasal-verb",
        "modal",
        "whether",
        "quantifier",
        "purpose",
        "naming",
        "contraction",
        "phrase",
        "call",
        "permission",
        "pointing",
        "allocation",
        "desire",
        "expansion",
    }
)


def _in_link_text(text: str, pos: int) -> bool:
    """``pos`` lies between the brackets of a Markdown link's text on its line."""
    line_start = text.rfind("\n", 0, pos) + 1
    open_ = text.rfind("[", line_start, pos)
    if open_ < 0 or text.find("]", open_, pos) >= 0:
        return False
    close = text.find("]", pos)
    return close >= 0 and text.startswith("(", close + 1)


def _same_line_count(c: Candidate) -> Candidate:
    """Alternatives keep the original's line breaks, so every copy has the same lines
    (a coalition mixing copies line by line then mixes like with like)."""
    breaks = c.alternatives[0].count("\n")
    if not breaks:
        return c
    alts = [c.alternatives[0]]
    for alt in c.alternatives[1:]:
        while alt.count("\n") < breaks:
            i = alt.rfind(" ")
            alt = alt[:i] + "\n" + alt[i + 1 :] if i >= 0 else "\n" + alt
        alts.append(alt)
    return Candidate(c.start, c.end, tuple(alts), c.kind, c.family, c.priority)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    if a[0] == a[1] or b[0] == b[1]:
        # An insertion point collides with a span that strictly contains it, or with
        # another insertion at the same point; touching is fine.
        if a[0] == a[1] and b[0] == b[1]:
            return a[0] == b[0]
        point, span = (a[0], b) if a[0] == a[1] else (b[0], a)
        return span[0] < point < span[1]
    return a[0] < b[1] and b[0] < a[1]
