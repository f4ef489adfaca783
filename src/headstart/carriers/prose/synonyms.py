"""Word choices that mean the same in technical English, inflected to the original's form.

The groups are curated: every member of a group shares a WordNet synset for the group's
part of speech and is a common word (tests/carriers/prose/test_synonyms.py checks both
against Debian's WordNet data and wordfreq), and each was read against the corpus of real
write-ups in its proposed form. A group is left out when any common technical sense of one
member is not a sense of the other ("free"/"release", "acquire"/"obtain", "large"/"big"
before "pages", "call"/"invoke" where "call" is a noun).

Inflection is lemminflect's: a verb in the original is replaced only by the form of the
other verb that has exactly the same tags ("led" is past tense and past participle, and so
is "resulted"; "demonstrated" would be "showed" or "shown", so it is left alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import lemminflect

# fmt: off


@dataclass(frozen=True)
class Group:
    """Words interchangeable in one part of speech.

    ``detect`` names the members looked for in an original (the others are only offered);
    ``not_before``/``not_after`` are neighbouring words that give a member another sense;
    ``attributive`` asks for a following word (an adjective before its noun), and
    ``plural_next`` for a following plural (a quantifier such as "several").
    """

    pos: str  # lemminflect's upos: VERB, ADJ, ADV
    members: tuple[str, ...]
    detect: tuple[str, ...] = ()
    not_before: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()
    attributive: bool = False
    plural_next: bool = False
    object_next: bool = False  # a verb taken only before its object's determiner ("get the address")
    code_object: bool = False  # with object_next: inline code is an object too ("place `rule`")
    verb_next: bool = False  # an adverb taken only before a verb ("simply overwrite")
    not_particle: bool = False  # not when a particle or place follows the object ("get it back")
    mid_sentence: bool = False  # never at a sentence start ("Finally note that ..." is "lastly")
    extra: tuple[str, ...] = field(default=())  # alternatives that are phrases ("most likely")

    @property
    def detected(self) -> tuple[str, ...]:
        return self.detect or self.members


# Words that open a noun phrase: after a verb they make its object certain.
OBJECT_OPENERS = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "my", "your", "his",
    "her", "some", "any", "another", "each", "every", "all", "both", "no", "enough", "more",
    "multiple", "several", "many",
})
_DETERMINER_BEFORE = frozenset({
    "a", "an", "the", "this", "that", "these", "those", "its", "their", "our", "my", "your",
    "his", "her", "some", "any", "no", "each", "every", "one", "first", "many", "few", "several",
})

SYNONYM_GROUPS: tuple[Group, ...] = (
    # Verbs: regular inflection on both sides, or irregular forms that lemminflect settles.
    Group("VERB", ("modify", "alter", "change"), detect=("modify", "alter")),
    Group("VERB", ("happen", "occur", "take place"), detect=("happen", "occur"), not_before=frozenset({"to", "that"})),
    Group("VERB", ("begin", "start"), detect=("begin",), not_before=frozenset({"with"})),
    Group("VERB", ("utilize", "use"), detect=("utilize", "utilise")),
    Group("VERB", ("discover", "find"), detect=("discover",), not_before=frozenset({"that", "how", "what", "why", "whether", "if"})),
    Group("VERB", ("construct", "build"), detect=("construct",)),
    Group("VERB", ("choose", "select"), detect=("choose",)),
    Group("VERB", ("invoke", "call"), detect=("invoke",)),
    Group("VERB", ("execute", "run"), detect=("execute",)),
    Group("VERB", ("initiate", "start"), detect=("initiate",)),
    Group("VERB", ("permit", "allow"), detect=("allow",), not_before=frozenset({"for"})),
    # Before a determiner the object is certain, and these verbs mean the same there.
    Group("VERB", ("get", "obtain"), object_next=True, not_particle=True, code_object=True),
    Group("VERB", ("need", "require"), object_next=True, code_object=True),
    Group("VERB", ("contain", "hold"), detect=("contain",), object_next=True, code_object=True),
    Group("VERB", ("keep", "retain"), object_next=True),
    Group("VERB", ("place", "put"), detect=("place",), object_next=True, code_object=True),
    Group("VERB", ("receive", "get"), detect=("receive",), object_next=True),
    Group("VERB", ("send", "transmit"), detect=("send",), object_next=True, code_object=True),
    Group("VERB", ("determine", "find out"), detect=("determine",), object_next=True),
    Group("VERB", ("provide", "offer", "supply"), detect=("provide",), object_next=True),
    Group("VERB", ("offer", "provide"), detect=("offer",), object_next=True),
    Group("VERB", ("complete", "finish"), object_next=True),
    Group("VERB", ("demonstrate", "show"), detect=("demonstrate",)),
    Group("VERB", ("reach", "hit"), detect=("reach",), object_next=True, code_object=True),
    # Adjectives, before their noun.
    Group("ADJ", ("entire", "whole"), attributive=True,
          not_before=frozenset({"of", "new", "lot", "number", "bunch", "host", "range"})),
    Group("ADJ", ("specific", "particular"), attributive=True, not_before=frozenset({"to", "about"}),
          not_after=frozenset({"in"})),
    Group("ADJ", ("useful", "helpful")),
    Group("ADJ", ("difficult", "hard"), detect=("difficult",)),
    Group("ADJ", ("easy", "simple"), detect=("easy",)),
    Group("ADJ", ("incorrect", "wrong"), detect=("incorrect",)),
    Group("ADJ", ("huge", "enormous", "massive")),
    Group("ADJ", ("additional", "extra"), attributive=True),
    Group("ADJ", ("exact", "precise"), attributive=True, detect=("exact",)),
    Group("ADJ", ("numerous", "many"), detect=("numerous",), plural_next=True),
    Group("ADJ", ("crucial", "essential", "vital"), detect=("crucial",)),
    Group("ADJ", ("large", "big"), detect=("large",), attributive=True, not_before=frozenset({
        "number", "numbers", "amount", "amounts", "part", "parts", "scale", "page", "pages", "extent",
    })),
    # Adverbs.
    Group("ADV", ("usually", "normally")),
    Group("ADV", ("completely", "entirely")),
    Group("ADV", ("mostly", "largely")),
    Group("ADV", ("quickly", "rapidly")),
    Group("ADV", ("precisely", "exactly")),
    Group("ADV", ("especially", "particularly")),
    Group("ADV", ("often", "frequently")),
    Group("ADV", ("rarely", "seldom")),
    Group("ADV", ("nearly", "almost")),
    Group("ADV", ("primarily", "mainly")),
    Group("ADV", ("probably",), extra=("most likely",)),
    Group("ADV", ("therefore", "thus")),
    Group("ADV", ("finally", "eventually", "ultimately"), detect=("finally",), mid_sentence=True),
    Group("ADV", ("basically", "essentially")),
    Group("ADV", ("immediately", "instantly"), detect=("immediately",)),
    Group("ADV", ("afterwards", "later"), detect=("afterwards",)),
    Group("ADV", ("subsequently", "later"), detect=("subsequently",)),
    Group("ADV", ("simply", "just"), detect=("simply",), verb_next=True, not_before=frozenset({"put"})),
    Group("ADV", ("actually",), extra=("in fact",), not_after=frozenset({"what", "how"})),
)


@cache
def forms(lemma: str, pos: str) -> dict[str, str]:
    """Tag -> the standard form of ``lemma`` (lemminflect's first spelling); a regular verb's
    past participle is its past tense."""
    if " " in lemma:  # a verb with its particle ("find out"): the verb inflects
        head, rest = lemma.split(" ", 1)
        return {tag: f"{form} {rest}" for tag, form in forms(head, pos).items()}
    table = {tag: spellings[0] for tag, spellings in lemminflect.getAllInflections(lemma, upos=pos).items()}
    if pos == "VERB" and "VBN" not in table and "VBD" in table:
        table["VBN"] = table["VBD"]
    if not table:
        table = {"JJ" if pos == "ADJ" else "RB": lemma}
    return table


def tags_of(word: str, lemma: str, pos: str) -> frozenset[str]:
    """Every tag under which ``word`` is a form of ``lemma``."""
    return frozenset(tag for tag, form in forms(lemma, pos).items() if form == word)


def inflect_like(word: str, lemma: str, other: str, pos: str) -> str | None:
    """``other`` in the form ``word`` has as a form of ``lemma``; None when the form is not
    one word of ``other`` for every tag ``word`` may have ("demonstrated" is past tense or
    participle; "show" has two different forms there)."""
    tags = tags_of(word, lemma, pos)
    if not tags:
        return None
    theirs = {forms(other, pos).get(tag) for tag in tags}
    if len(theirs) != 1 or None in theirs:
        return None
    return theirs.pop()


# Forms that are nouns as often as verbs ("the very beginning of the buffer").
NOT_DETECTED: frozenset[str] = frozenset({"beginning"})


def surface_forms() -> dict[str, list[tuple[Group, str]]]:
    """Each word form to look for (lower case) -> the groups and lemmas it belongs to."""
    table: dict[str, list[tuple[Group, str]]] = {}
    for g in SYNONYM_GROUPS:
        for lemma in g.detected:
            for form in set(forms(lemma, g.pos).values()) - NOT_DETECTED:
                table.setdefault(form, []).append((g, lemma))
    return table


# Verb phrases with a particle: (verb lemma, particle) pairs that mean the same, inflected
# like single verbs. ``noun_forms`` are forms that are also nouns ("the results in the
# table"): they are taken only after a word that leaves them a verb (see roles.py).
@dataclass(frozen=True)
class PhrasalGroup:
    members: tuple[tuple[str, str], ...]
    detect: tuple[int, ...] = ()  # indexes of the members looked for; all when empty
    next_words: frozenset[str] | None = None  # the word after the particle must be one of these
    not_next: frozenset[str] = frozenset()
    modal: str | None = None  # a modal with the same meaning, for the present tense ("must")


PHRASAL_GROUPS: tuple[PhrasalGroup, ...] = (
    PhrasalGroup((("lead", "to"), ("result", "in"))),
    PhrasalGroup((("need", "to"), ("have", "to")), not_next=frozenset({"do", "say"}), modal="must"),
    PhrasalGroup((("try", "to"), ("attempt", "to"))),
    PhrasalGroup((("seem", "to"), ("appear", "to")), next_words=frozenset({"be", "have", "work", "happen"})),
)
# Words after an object that make "get" a phrasal or causative verb ("get the object back",
# "get our data at a known address").
PARTICLES: frozenset[str] = frozenset({
    "back", "out", "up", "down", "off", "away", "rid", "into", "onto", "at", "over", "through",
    "around", "across", "in", "on", "to",
})
# Forms that are also nouns (or adjectives, "needed" before a noun).
NOUN_LIKE: frozenset[str] = frozenset({
    "lead", "leads", "result", "results", "need", "needs", "needed", "attempt", "attempts", "try",
    "tries", "have",
})
# fmt: on
