"""Curated word lists for the prose slot finders.

Every entry is a choice a careful editor would accept either way: US/UK spellings,
safe hyphenations, contractions, and connectives that mean exactly the same thing.
Lists are deliberately conservative: a pair that changes meaning in *any* common
technical sense (meter/metre, program/programme, license/licence, dialog/dialogue,
analog/analogue, disk/disc, while/whilst) is left out.
"""

from __future__ import annotations

# fmt: off

# --- US/UK spelling -----------------------------------------------------------------

# Stems that take -ize (US) / -ise (UK); each is expanded with the suffix table below.
_IZE_STEMS = (
    "author", "apolog", "capital", "categor", "central", "character", "custom", "emphas", "final",
    "general", "harmon", "legitim", "local", "maxim", "memor", "minim", "mobil", "neutral",
    "normal", "optim", "organ", "parameter", "penal", "priorit", "random", "real", "recogn",
    "sanit", "serial", "deserial", "special", "stabil", "standard", "summar", "synchron", "token",
    "util", "visual", "weapon", "operational", "initial", "formal", "modular", "virtual", "fertil",
    "critic", "familiar", "unrecogn", "unauthor", "rational", "revital", "scrutin",
)
# (US suffix, UK suffix)
_IZE_SUFFIXES = (
    ("ize", "ise"), ("izes", "ises"), ("ized", "ised"), ("izing", "ising"), ("ization", "isation"),
    ("izations", "isations"), ("izer", "iser"), ("izers", "isers"),
)

_YZE_STEMS = ("anal", "paral", "catal")
_YZE_SUFFIXES = (("yze", "yse"), ("yzes", "yses"), ("yzed", "ysed"), ("yzing", "ysing"), ("yzer", "yser"))

# -or / -our words and their inflections.
_OUR_WORDS = (
    ("behavior", "behaviour"), ("behaviors", "behaviours"), ("behavioral", "behavioural"),
    ("behaviorally", "behaviourally"), ("color", "colour"), ("colors", "colours"),
    ("colored", "coloured"), ("favor", "favour"), ("favors", "favours"), ("favored", "favoured"),
    ("favorable", "favourable"), ("favorite", "favourite"), ("honor", "honour"),
    ("honored", "honoured"), ("labor", "labour"), ("neighbor", "neighbour"),
    ("neighbors", "neighbours"), ("neighboring", "neighbouring"), ("rumor", "rumour"),
    ("rumors", "rumours"), ("endeavor", "endeavour"), ("harbor", "harbour"), ("vigor", "vigour"),
    ("flavor", "flavour"), ("flavors", "flavours"), ("humor", "humour"),
)

_OTHER_PAIRS = (
    ("center", "centre"), ("centers", "centres"), ("centered", "centred"), ("fiber", "fibre"),
    ("theater", "theatre"), ("caliber", "calibre"), ("catalog", "catalogue"),
    ("catalogs", "catalogues"), ("defense", "defence"), ("defenses", "defences"),
    ("offense", "offence"), ("labeled", "labelled"), ("labeling", "labelling"),
    ("modeled", "modelled"), ("modeling", "modelling"), ("canceled", "cancelled"),
    ("canceling", "cancelling"), ("signaled", "signalled"), ("signaling", "signalling"),
    ("traveled", "travelled"), ("traveling", "travelling"), ("tunneled", "tunnelled"),
    ("tunneling", "tunnelling"), ("leveled", "levelled"), ("fueled", "fuelled"),
    ("marshaled", "marshalled"), ("marshaling", "marshalling"), ("totaled", "totalled"),
    ("judgment", "judgement"), ("judgments", "judgements"), ("acknowledgment", "acknowledgement"),
    ("acknowledgments", "acknowledgements"), ("gray", "grey"), ("artifact", "artefact"),
    ("artifacts", "artefacts"), ("aging", "ageing"), ("fulfill", "fulfil"), ("fulfills", "fulfils"),
    ("fulfillment", "fulfilment"), ("enroll", "enrol"), ("enrollment", "enrolment"),
    ("skeptical", "sceptical"), ("toward", "towards"), ("among", "amongst"),
    ("afterward", "afterwards"), ("mold", "mould"), ("plow", "plough"),
)


def _expand(stems: tuple[str, ...], suffixes: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(stem + us, stem + uk) for stem in stems for us, uk in suffixes]


SPELLING_PAIRS: tuple[tuple[str, str], ...] = tuple(
    _expand(_IZE_STEMS, _IZE_SUFFIXES) + _expand(_YZE_STEMS, _YZE_SUFFIXES) + list(_OUR_WORDS)
    + list(_OTHER_PAIRS)
)

# --- Hyphenation and compounds (lower case; both spellings in common use) ------------

HYPHENATION_GROUPS: tuple[tuple[str, ...], ...] = (
    ("e-mail", "email"), ("e-mails", "emails"), ("e-mailed", "emailed"), ("on-line", "online"),
    ("web site", "website"), ("web sites", "websites"), ("file name", "filename"),
    ("file names", "filenames"), ("plug-in", "plugin"), ("plug-ins", "plugins"),
    ("non-zero", "nonzero"), ("sub-directory", "subdirectory"),
    ("sub-directories", "subdirectories"), ("code base", "codebase"), ("work-around", "workaround"),
    ("work-arounds", "workarounds"), ("look-up", "lookup"), ("pre-release", "prerelease"),
    ("multi-threaded", "multithreaded"), ("data set", "dataset"), ("data sets", "datasets"),
    ("meta-data", "metadata"), ("bit mask", "bitmask"), ("tool-chain", "toolchain"),
    ("wild-card", "wildcard"), ("wild-cards", "wildcards"), ("sub-system", "subsystem"),
    ("sub-systems", "subsystems"), ("pre-processor", "preprocessor"), ("time stamp", "timestamp"),
    ("time stamps", "timestamps"), ("life cycle", "lifecycle"), ("short-cut", "shortcut"),
    ("back-end", "backend"), ("hard-coded", "hardcoded"), ("re-use", "reuse"),
    ("co-operate", "cooperate"), ("start-up", "startup"), ("set-up", "setup"),
    ("check-list", "checklist"), ("sign-off", "signoff"), ("write-up", "writeup"),
    ("write-ups", "writeups"), ("follow-up", "followup"),
)

# Compound modifiers written with a hyphen ("a low-privileged account"): the open form
# reads the same before a noun. Only the hyphenated form is taken, never the reverse:
# "in the long term" and "a false positive" are nouns, and hyphenating them is wrong.
COMPOUND_MODIFIERS: tuple[tuple[str, str], ...] = (
    ("open-source", "open source"), ("third-party", "third party"), ("real-world", "real world"),
    ("short-term", "short term"), ("long-term", "long term"), ("low-privileged", "low privileged"),
    ("high-privileged", "high privileged"), ("attacker-controlled", "attacker controlled"),
    ("user-controlled", "user controlled"), ("user-supplied", "user supplied"),
    ("heap-based", "heap based"), ("stack-based", "stack based"), ("web-based", "web based"),
    ("file-based", "file based"), ("little-endian", "little endian"), ("big-endian", "big endian"),
    ("non-malicious", "nonmalicious"), ("pre-disclosure", "predisclosure"),
    ("proof-of-concept", "proof of concept"), ("real-time", "real time"),
    ("cross-platform", "cross platform"), ("read-only", "read only"), ("fixed-size", "fixed size"),
    ("logged-on", "logged on"), ("double-clicking", "double clicking"),
    ("run-length", "run length"), ("zero-day", "zero day"), ("well-formed", "well formed"),
    ("false-positive", "false positive"), ("low-level", "low level"), ("high-level", "high level"),
)

# --- Contractions ----------------------------------------------------------------------
# (full form, contracted form). Both directions are safe for these: each contracted form
# expands to exactly one full form. "it's", "there's", "that's", "we've" are only ever
# contracted, never expanded ("it's been" is "it has been").

CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("do not", "don't"), ("does not", "doesn't"), ("did not", "didn't"), ("is not", "isn't"),
    ("are not", "aren't"), ("was not", "wasn't"), ("were not", "weren't"), ("has not", "hasn't"),
    ("have not", "haven't"), ("cannot", "can't"), ("will not", "won't"), ("would not", "wouldn't"),
    ("could not", "couldn't"), ("should not", "shouldn't"), ("we are", "we're"),
    ("we will", "we'll"), ("you will", "you'll"), ("they are", "they're"),
)
# Contracted only (the full form is detected; the contraction is never expanded).
CONTRACT_ONLY: tuple[tuple[str, str], ...] = (("it is", "it's"), ("there is", "there's"))

# A pronoun, an auxiliary and "not": three forms, each recognised.
NEGATED_PRONOUNS: tuple[tuple[str, str, str], ...] = tuple(
    (f"{p} {aux} not", f"{p}'{short} not", f"{p} {neg}")
    for p, aux, short, neg in (
        ("it", "is", "s", "isn't"), ("that", "is", "s", "isn't"), ("there", "is", "s", "isn't"),
        ("we", "are", "re", "aren't"), ("you", "are", "re", "aren't"), ("they", "are", "re", "aren't"),
        ("we", "have", "ve", "haven't"), ("you", "have", "ve", "haven't"), ("they", "have", "ve", "haven't"),
    )
)

# --- Connectives -----------------------------------------------------------------------
# Sentence-initial connectives, written with their comma; interchangeable in any order.
SENTENCE_CONNECTIVES: tuple[tuple[str, ...], ...] = (
    ("For example,", "For instance,", "As an example,"), ("In addition,", "Additionally,", "Also,"),
    ("Therefore,", "Thus,", "Hence,"), ("Furthermore,", "Moreover,", "What is more,"),
    ("Consequently,", "As a result,", "As a consequence,"), ("Finally,", "Lastly,"),
    ("Similarly,", "Likewise,", "In the same way,"), ("First,", "Firstly,"),
    ("Second,", "Secondly,"), ("Third,", "Thirdly,"), ("For this reason,", "Because of this,"),
    ("However,", "But"), ("In other words,", "That is,", "Put differently,"),
    ("In short,", "In brief,", "In summary,"), ("Nevertheless,", "Nonetheless,", "Even so,"),
    ("To date,", "So far,", "Until now,"), ("At present,", "Currently,", "At the moment,"),
)

# Sentence-initial words and short phrases after which the comma is optional.
INTRO_ADVERBS: tuple[str, ...] = (
    "Typically", "Usually", "Normally", "Alternatively", "Optionally", "Ideally", "Fortunately",
    "Unfortunately", "Internally", "Technically", "Historically", "Today", "Here", "Now", "Then",
    "Next", "Again", "Instead", "Otherwise", "Meanwhile", "Afterwards", "In practice", "In general",
    "By default", "In that case", "In this case", "In particular", "In most cases", "In both cases",
    "On Windows", "On Linux",
)
INTRO_PREPOSITIONS: tuple[str, ...] = (
    "In", "On", "At", "By", "For", "With", "Without", "After", "Before", "During", "Until", "Since",
    "Under", "Once", "Unlike", "Within", "Throughout", "From", "Despite", "When", "If",
)

# Verbs after which the complementizer "that" may be dropped ("we believe (that) the ...").
THAT_VERBS: tuple[str, ...] = (
    "believe", "believes", "believed", "think", "thinks", "thought", "assume", "assumes", "assumed",
    "expect", "expects", "expected", "ensure", "ensures", "know", "knows", "knew", "say", "says",
    "said", "state", "states", "stated", "confirm", "confirms", "confirmed", "recommend",
    "recommends", "recommended", "suggest", "suggests", "suggested", "mean", "means", "meant",
    "found", "show", "shows", "showed", "shown", "make sure", "makes sure", "noticed", "estimate",
    "estimates", "agree", "agreed", "hope", "understand",
)
# Words that can only follow the complementizer "that", never the determiner "that"
# (a determiner is not followed by another determiner or a pronoun).
THAT_SUBJECTS: frozenset[str] = frozenset({
    "the", "a", "an", "it", "its", "this", "these", "those", "they", "we", "you", "he", "she",
    "there", "every", "each", "all", "no", "some", "any", "our", "their", "your", "his", "her",
})

# Mid-sentence phrases: (detected form, alternatives...). Detected in one direction only
# where the reverse is unsafe ("before" is also a conjunction; "prior to" is not).
PHRASE_CHOICES: tuple[tuple[str, ...], ...] = (
    ("for example", "for instance"), ("for instance", "for example"), ("in order to", "to"),
    ("prior to", "before"), ("whether or not", "whether"), ("all of the", "all the"),
    ("both of the", "both the"), ("is able to", "can"), ("are able to", "can"),
    ("although", "though", "even though"), ("even though", "although", "though"),
    ("in spite of", "despite"), ("despite", "in spite of"),
    ("with regard to", "regarding", "concerning"), ("with respect to", "regarding", "concerning"),
    ("in the event that", "if"), ("due to the fact that", "because"), ("is not able to", "cannot"),
    ("are not able to", "cannot"), ("as soon as possible", "at the earliest opportunity"),
    ("twice", "two times"), ("means that", "means"),
)

# Comparisons with a number: interchangeable when a number follows ("greater than 0x3fff").
NUMERIC_COMPARISONS: tuple[tuple[str, ...], ...] = (
    ("greater than", "larger than"), ("larger than", "greater than"), ("smaller than", "less than"),
    ("less than", "smaller than"), ("at most", "no more than"), ("no more than", "at most"),
)

# Latin abbreviations and their English equivalents (mid-sentence).
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("e.g.", "e.g.,", "for example,"), ("i.e.", "i.e.,", "that is,"),
)

# Small numbers written as words, used before a plural noun.
NUMBER_WORDS: dict[str, str] = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9",
}

# A restrictive relative clause: "that" / "which" followed by one of these.
RELATIVE_NEXT: tuple[str, ...] = (
    "is", "are", "was", "were", "has", "have", "had", "can", "could", "may", "might", "will",
    "would", "should", "must", "does", "did", "contains", "contain", "carries", "carry", "holds",
    "hold", "declares", "declare", "uses", "use", "needs", "need", "runs", "run",
)
# Words before "that" which make it a conjunction or a determiner, never a relative.
NOT_ANTECEDENTS: frozenset[str] = frozenset({
    "so", "such", "now", "given", "provided", "in", "except", "assuming", "is", "was", "are",
    "were", "be", "been", "and", "or", "but", "than", "at", "of", "on", "like", "all", "after",
    "before", "because", "believe", "believes", "think", "thinks", "know", "knows", "say", "says",
    "said", "means", "mean", "ensure", "ensures", "assume", "expect", "recommend", "confirm",
    "confirms", "show", "shows", "state", "states", "noted", "note", "suggest", "found", "find",
    "clear", "likely", "possible", "true", "sure", "fact", "hope", "agree", "understand", "way",
    "extent", "point", "time", "reason", "why", "how", "what", "who", "where", "when", "not",
    "only", "just", "also", "even", "about", "it", "this", "that", "which", "with",
})

DETERMINERS: frozenset[str] = frozenset({
    "a", "an", "the", "this", "these", "those", "every", "each", "any", "some", "no", "its",
    "their", "our", "your", "his", "her", "another", "other", "one", "all", "many", "few",
})
NOT_PLURAL: frozenset[str] = frozenset({
    "is", "was", "has", "does", "this", "us", "its", "thus", "plus", "minus", "versus", "as",
    "less", "unless", "across", "previous", "various", "serious", "obvious", "always", "perhaps",
})

# Nouns after which a small count reads as naturally in digits as in words ("four
# bytes", "4 bytes"); "the two values" / "the 2 values" does not, so the list is closed.
COUNTED_NOUNS: frozenset[str] = frozenset({
    "bytes", "bits", "chunks", "fields", "rows", "columns", "pixels", "conditions", "steps",
    "files", "days", "weeks", "months", "hours", "minutes", "seconds", "entries", "images",
    "versions", "builds", "platforms", "partners", "samples", "ports", "headers", "checks",
    "threads", "processes", "attempts", "runs", "tests", "characters", "digits", "octets",
})
# fmt: on
