"""Near-synonyms of one word for ``suggest``, from WordNet, in the original's form.

A proposal for an author, not a choice the carrier makes alone: it must be plausible in
most technical prose, and the author confirms it in context. So it is made narrowly:

* the word's part of speech is certain from the word and its neighbours (a verb after
  "to", a modal or a subject; a word that is only an adjective or only an adverb;
  lemminflect's lemma tables);
* the alternatives are the other words of the word's most frequent WordNet sense, and that
  sense is also one of the two most frequent senses of each alternative (so "need" gives
  "require" but not "take"), common in English (wordfreq) and not much rarer than the
  original;
* each alternative is inflected by lemminflect to exactly the original's form (a past
  participle stays a past participle; where the form is ambiguous and the alternatives'
  forms differ, nothing is proposed);
* words whose everyday sense is not their technical one are left alone (TECHNICAL).

Alternatives are ranked by how often WordNet's tagged corpus uses them in that sense.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import lemminflect
import wordfreq

from headstart.carriers.prose import wordnet
from headstart.carriers.prose.synonyms import forms, inflect_like

MIN_ZIPF = 3.4  # an alternative at least this common (wordfreq's Zipf scale: 3 is once per million words)
MIN_FORM_ZIPF = 2.5  # and its form in the original's inflection ("attaining" is rarer than "attain")
MAX_RARER = 1.5  # and at most this much rarer than the original
MAX_ALTERNATIVES = 3  # besides the original: {{original|a|b|c}}, two bits when all are kept

# Words whose technical sense in a security write-up is not WordNet's everyday first sense
# ("free" memory is not "liberated", a "leak" is no "escape", to "spray" the heap is not to
# "sprinkle" it), and function words WordNet lists as open-class.
TECHNICAL: frozenset[str] = frozenset({
    "free", "leak", "spray", "map", "unmap", "write", "read", "call", "execute", "run", "load",
    "store", "allocate", "lock", "unlock", "release", "return", "trigger", "fire", "hit", "pin",
    "overwrite", "corrupt", "dump", "flush", "pop", "push", "hook", "patch", "fix", "set", "reset",
    "get", "put", "copy", "link", "unlink", "mount", "fork", "spawn", "kill", "exit", "block",
    "open", "close", "bind", "listen", "accept", "send", "receive", "queue", "schedule", "yield",
    "wait", "sleep", "wake", "signal", "trap", "fault", "crash", "panic", "break", "handle",
    "process", "parse", "match", "hash", "sort", "test", "check", "verify", "point", "reference",
    "dereference", "cast", "shift", "mask", "align", "pad", "fill", "clear", "zero", "race",
    "win", "lose", "grow", "shrink", "split", "merge", "join", "attach", "detach", "register",
    "unregister", "enable", "disable", "build", "compile", "boot", "reboot", "install", "log",
    "print", "display", "show", "list", "index", "page", "stack", "heap", "slab", "cache",
    "chain", "gadget", "spin", "poll", "select", "sync", "dirty", "clean", "valid", "invalid",
    "live", "dead", "dangling", "stale", "fresh", "raw", "native", "virtual", "physical",
    "local", "global", "static", "dynamic", "public", "private", "root", "user", "kernel",
    "privileged", "unprivileged", "arbitrary", "vulnerable", "safe", "unsafe", "secure",
    "null", "empty", "full", "high", "low", "upper", "lower", "first", "last", "next",
    "previous", "new", "old", "same", "other", "own", "only", "also", "just", "even", "still",
    "already", "again", "then", "now", "here", "there", "so", "very", "too", "well", "much",
    "more", "most", "less", "least", "not", "never", "ever", "back", "up", "down", "out", "off",
    "over", "away", "around", "about", "along", "ahead", "instead", "rather", "quite", "yet",
    "be", "have", "do", "make", "go", "come", "take", "give", "let", "see", "say", "know",
    "mean", "want", "like", "look", "seem", "become", "keep", "leave", "turn", "start", "end",
    "stop", "begin", "finish", "hold", "bring", "follow", "lead", "pass", "move", "change",
    "add", "remove", "delete", "create", "destroy", "contain", "include", "exist", "happen",
    "refer", "sign", "unsigned", "signed", "true", "false", "right", "left",
    "long", "short", "small", "big", "large", "huge", "little", "many", "few", "several",
    "different", "certain", "specific", "particular", "general", "normal", "simple", "single",
    "double", "real", "actual", "initial", "final", "main", "major", "minor", "total",
    "whole", "entire", "complete", "partial", "original", "current", "present", "possible",
    "able", "unable", "likely", "unlikely", "necessary", "available", "useful",
    # WordNet pairs that read wrong in technical prose ("using X" is not "applying X", "a
    # way" no "a fashion", to "ensure" is not to "insure", "before" is mostly a preposition).
    "use", "way", "before", "after", "ensure", "within", "directly", "place", "shape", "remote",
    "respective", "notify", "realm", "regard", "consider", "view", "compute", "challenge",
    "establish", "recreate", "mark", "finding", "element", "perspective", "detect", "easily",
    "peek", "surround", "adapt", "preserve", "remain", "significant", "minimal", "optimal",
    "concurrent", "evaluate", "uncover", "mention", "think", "idea", "note", "error",
})
# Alternatives never offered: their common sense in a write-up is another one.
NOT_OFFERED: frozenset[str] = frozenset({
    "apply", "manner", "style", "fashion", "detect", "insure", "assure", "straight", "lay",
    "influence", "distant", "various", "advise", "kingdom", "view", "calculate", "dispute",
    "launch", "found", "revive", "tag", "determination", "component", "accommodate", "uphold",
    "stay", "glance", "cite", "utilization", "defeat", "border", "truly", "absolutely",
    "utterly", "remark", "advocate", "regain", "recover", "diminish", "believe",
})
# Modals, infinitive "to" and subject pronouns: a word after one of these is a verb.
VERB_BEFORE: frozenset[str] = frozenset({
    "to", "can", "could", "will", "would", "shall", "should", "may", "might", "must", "we",
    "they", "you", "i", "it", "he", "she", "cannot", "also", "then", "first", "finally",
})
DETERMINERS: frozenset[str] = frozenset({
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "our", "my", "your", "his",
    "her", "some", "any", "each", "every", "no", "another", "other", "such",
})
# Auxiliaries after which a verb in -ed is a past participle.
PARTICIPLE_AFTER: frozenset[str] = frozenset({
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "having", "get",
    "gets", "got", "gotten",
})
_POS_NAME = {"VERB": "verb", "ADJ": "adjective", "ADV": "adverb", "NOUN": "noun"}
# A verb right before one of these takes it as its own preposition ("consists of", "relies
# on"); another verb may take another one, so none is proposed.
PREPOSITIONS: frozenset[str] = frozenset({
    "of", "in", "on", "with", "from", "to", "into", "onto", "for", "at", "about", "upon", "over",
    "out", "up", "down", "off", "away", "back", "through", "by", "as",
})


@dataclass(frozen=True)
class WordChoice:
    alternatives: tuple[str, ...]  # the original first
    reason: str
    score: float  # higher: more likely an author keeps it


def zipf(word: str) -> float:
    return wordfreq.zipf_frequency(word, "en")


def part_of_speech(word: str, previous: str | None, following: str | None) -> tuple[str, str] | None:
    """(upos, lemma) of ``word`` when its neighbours leave no doubt; None otherwise."""
    lemmas = lemminflect.getAllLemmas(word.lower())
    kinds = {pos for pos in lemmas if pos in ("VERB", "ADJ", "ADV", "NOUN", "PROPN", "AUX")}
    prev = (previous or "").lower()
    if kinds == {"ADV"}:
        return "ADV", lemmas["ADV"][0]
    if kinds == {"ADJ"} and following is not None:
        return "ADJ", lemmas["ADJ"][0]
    if "VERB" in kinds and kinds <= {"VERB", "NOUN", "ADJ"}:
        lemma = lemmas["VERB"][0]
        if kinds == {"VERB"} or prev in VERB_BEFORE:
            return "VERB", lemma
    if kinds == {"NOUN"} and prev in DETERMINERS:
        return "NOUN", lemmas["NOUN"][0]
    return None


def verb_tags(word: str, lemma: str, previous: str | None) -> frozenset[str]:
    """The tags ``word`` may have as a form of ``lemma``, narrowed by an auxiliary before it."""
    tags = frozenset(tag for tag, form in forms(lemma, "VERB").items() if form == word)
    prev = (previous or "").lower()
    if tags >= {"VBD", "VBN"}:
        return frozenset({"VBN"}) if prev in PARTICIPLE_AFTER else frozenset({"VBD"}) if prev in VERB_BEFORE else tags
    if prev == "to" and "VB" in tags:
        return frozenset({"VB"})
    return tags


def _inflect(word: str, lemma: str, other: str, pos: str, tags: frozenset[str]) -> str | None:
    if pos != "VERB":
        return inflect_like(word, lemma, other, pos) if word != lemma else other
    theirs = {forms(other, pos).get(tag) for tag in tags}
    if len(theirs) != 1 or None in theirs:
        return None
    return theirs.pop()


# An alternative must be used in the original's sense at least this often in WordNet's tagged
# corpus, in at least this share of all its uses, and at least this share as often as the
# original is: "provide" gives "supply" and "furnish" but not "render" (10 of 270).
MIN_COUNT = 2
MIN_SHARE_OF_ITS_USES = 0.3
MIN_SHARE_OF_ORIGINAL = 0.05
# Nouns only of these kinds (WordNet's lexicographer files): acts, attributes, thoughts,
# events, motives, states, times. Artifacts, objects, substances, groups and communication
# are where technical nouns live ("buffer", "page", "object", "message").
NOUN_KINDS = frozenset({4, 7, 9, 11, 16, 26, 28})


@cache
def _candidates(lemma: str, pos: str) -> tuple[tuple[str, int], ...]:
    """Other one-word members of ``lemma``'s most frequent sense that are used in that sense
    often enough (see MIN_COUNT), most used first."""
    senses = wordnet.senses(lemma, pos)
    if not senses:
        return ()
    first = senses[0]
    if pos == "NOUN" and first.lexfile not in NOUN_KINDS:
        return ()
    own = dict(zip(first.words, first.counts, strict=True)).get(lemma, 0)
    out = []
    for other, count in zip(first.words, first.counts, strict=True):
        if other == lemma or not other.isalpha() or not other.isascii() or other in TECHNICAL | NOT_OFFERED:
            continue
        if pos not in lemminflect.getAllLemmas(other):  # "suited" is a verb's form, not "suitable"
            continue
        if pos == "ADV" and lemma.endswith("ly") and not other.endswith("ly"):
            continue  # "easily" is not "easy"
        if count < MIN_COUNT or count < MIN_SHARE_OF_ORIGINAL * own:
            continue
        if count < MIN_SHARE_OF_ITS_USES * wordnet.tag_count(other, pos):
            continue
        if zipf(other) < MIN_ZIPF or zipf(other) < zipf(lemma) - MAX_RARER:
            continue
        out.append((other, count))
    out.sort(key=lambda t: (-t[1], -zipf(t[0])))
    return tuple(out)


def word_choice(word: str, previous: str | None, following: str | None) -> WordChoice | None:
    """Near-synonyms for ``word`` (as written) between ``previous`` and ``following`` words."""
    if not word.isalpha() or not word.isascii() or len(word) < 3:
        return None
    lower = word.lower()
    if word != lower and word != lower.capitalize():  # an acronym or a name
        return None
    found = part_of_speech(lower, previous, following)
    if found is None:
        return None
    pos, lemma = found
    if lemma in TECHNICAL or lower in TECHNICAL or zipf(lemma) < MIN_ZIPF:
        return None
    tags = verb_tags(lower, lemma, previous) if pos == "VERB" else frozenset()
    if pos == "VERB" and (not tags or (following or "").lower() in PREPOSITIONS):
        return None
    alternatives: list[str] = []
    counts: list[int] = []
    for other, count in _candidates(lemma, pos):
        form = _inflect(lower, lemma, other, pos, tags)
        if form is None or form == lower or form in alternatives or zipf(form) < MIN_FORM_ZIPF:
            continue
        if (previous or "").lower() in ("a", "an") and (form[0] in "aeiou") != (lower[0] in "aeiou"):
            continue  # "a goal" would need "an aim"
        alternatives.append(form)
        counts.append(count)
        if len(alternatives) == MAX_ALTERNATIVES:
            break
    if not alternatives:
        return None
    shown = tuple(a.capitalize() if word[0].isupper() else a for a in alternatives)
    score = 1.0 + min(counts[0], 20) / 20 + (len(alternatives) - 1) * 0.3
    return WordChoice(
        (word, *shown),
        f"WordNet near-synonym{'s' if len(shown) > 1 else ''} of the {_POS_NAME[pos]} '{lemma}', "
        "in the same form",
        score,
    )
