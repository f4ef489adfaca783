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
    "canonical", "container", "decentral", "digit", "equal", "global", "hypothes", "ideal",
    "individual", "internal", "international", "jeopard", "legal", "marginal", "material",
    "modern", "national", "parallel", "personal", "polar", "popular", "privat", "public",
    "quant", "raster", "regular", "reorgan", "disorgan", "sensit", "desensit", "destabil",
    "steril", "subsid", "symbol", "synthes", "systemat", "theor", "trivial", "vector",
    "vapor", "econom", "immun", "commercial", "conceptual", "contextual", "external",
    "human", "moral", "radical", "stigmat", "terror", "demobil",
)
# (US suffix, UK suffix)
_IZE_SUFFIXES = (
    ("ize", "ise"), ("izes", "ises"), ("ized", "ised"), ("izing", "ising"), ("ization", "isation"),
    ("izations", "isations"), ("izer", "iser"), ("izers", "isers"), ("izable", "isable"),
)

_YZE_STEMS = ("anal", "paral", "catal", "electrol", "hydrol")
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
    ("colorful", "colourful"), ("colorless", "colourless"), ("coloring", "colouring"),
    ("favorites", "favourites"), ("favorably", "favourably"), ("honors", "honours"),
    ("honorable", "honourable"), ("labors", "labours"), ("labored", "laboured"),
    ("neighborhood", "neighbourhood"), ("neighborhoods", "neighbourhoods"),
    ("harbors", "harbours"), ("harbored", "harboured"), ("endeavors", "endeavours"),
    ("rumored", "rumoured"), ("armor", "armour"), ("armored", "armoured"), ("odor", "odour"),
    ("odors", "odours"), ("vapor", "vapour"), ("vapors", "vapours"), ("tumor", "tumour"),
    ("rigor", "rigour"), ("candor", "candour"), ("savior", "saviour"), ("valor", "valour"),
    ("demeanor", "demeanour"), ("splendor", "splendour"), ("clamor", "clamour"),
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
    ("amid", "amidst"), ("fibers", "fibres"), ("theaters", "theatres"), ("offenses", "offences"),
    ("pretense", "pretence"), ("somber", "sombre"), ("specter", "spectre"), ("luster", "lustre"),
    ("meager", "meagre"), ("maneuver", "manoeuvre"), ("maneuvers", "manoeuvres"),
    ("cataloged", "catalogued"), ("cataloging", "cataloguing"), ("grayscale", "greyscale"),
    ("molds", "moulds"), ("molded", "moulded"), ("installment", "instalment"),
    ("installments", "instalments"), ("skillful", "skilful"), ("willful", "wilful"),
    ("instill", "instil"), ("distill", "distil"), ("enrollments", "enrolments"),
    ("channeled", "channelled"), ("channeling", "channelling"), ("dialed", "dialled"),
    ("dialing", "dialling"), ("equaled", "equalled"), ("equaling", "equalling"),
    ("leveling", "levelling"), ("totaling", "totalling"), ("fueling", "fuelling"),
    ("traveler", "traveller"), ("travelers", "travellers"), ("labelers", "labellers"),
    ("modeler", "modeller"), ("modelers", "modellers"), ("counseled", "counselled"),
    ("archeology", "archaeology"), ("encyclopedia", "encyclopaedia"), ("cozy", "cosy"),
    ("sulfur", "sulphur"), ("judgmental", "judgemental"),
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
    ("wild-cards", "wildcards"), ("sub-system", "subsystem"),
    ("sub-systems", "subsystems"), ("pre-processor", "preprocessor"),
    ("short-cut", "shortcut"),
    ("back-end", "backend"), ("hard-coded", "hardcoded"), ("re-use", "reuse"),
    ("co-operate", "cooperate"), ("start-up", "startup"), ("set-up", "setup"),
    ("check-list", "checklist"), ("sign-off", "signoff"), ("write-up", "writeup"),
    ("write-ups", "writeups"), ("follow-up", "followup"), ("non-disclosure", "nondisclosure"),
    ("pre-filter", "prefilter"), ("pre-filters", "prefilters"), ("hot-fix", "hotfix"),
    ("hot-fixes", "hotfixes"), ("trade-off", "tradeoff"), ("trade-offs", "tradeoffs"),
    ("stand-alone", "standalone"), ("cyber-attack", "cyberattack"),
    ("cyber-attacks", "cyberattacks"), ("sub-folder", "subfolder"), ("sub-folders", "subfolders"),
    ("pre-processing", "preprocessing"), ("post-processing", "postprocessing"),
    ("fall-back", "fallback"), ("roll-out", "rollout"), ("call-back", "callback"),
    ("call-backs", "callbacks"), ("re-packaged", "repackaged"),
    # Three spellings, all in common use.
    ("life cycle", "lifecycle", "life-cycle"), ("time stamp", "timestamp", "time-stamp"),
    ("time stamps", "timestamps", "time-stamps"), ("wild card", "wildcard", "wild-card"),
    ("user space", "userspace", "user-space"), ("side channel", "side-channel", "sidechannel"),
    ("side channels", "side-channels", "sidechannels"), ("bit flip", "bitflip", "bit-flip"),
    ("free list", "freelist"), ("system call", "syscall"), ("system calls", "syscalls"),
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
    ("heap-corruption", "heap corruption"), ("full-page", "full page"),
    ("least-privilege", "least privilege"), ("end-user", "end user"),
    ("use-after-free", "use after free"), ("out-of-bounds", "out of bounds"),
    ("double-free", "double free"),
)
# Compound modifiers made of a lower-case word and one of these participles or adjectives
# ("a stream-based engine", "platform-specific code"): the open form reads the same.
COMPOUND_HEADS: tuple[str, ...] = (
    "based", "controlled", "supplied", "specific", "related", "dependent", "driven", "enabled",
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
    ("must not", "mustn't"), ("you are", "you're"), ("they will", "they'll"), ("I am", "I'm"),
    ("I will", "I'll"), ("it will", "it'll"),
)
# Contracted only (the full form is detected; the contraction is never expanded).
CONTRACT_ONLY: tuple[tuple[str, str], ...] = (
    ("it is", "it's"), ("there is", "there's"), ("what is", "what's"), ("here is", "here's"),
)
# Expanded only: "let's" is always "let us", but "the bug will let us write" is no "let's".
EXPAND_ONLY: tuple[tuple[str, str], ...] = (("let's", "let us"),)
# "that is" contracts too, but not in "that is," (the connective "i.e.").
CONTRACT_THAT_IS: tuple[str, str] = ("that is", "that's")

# "'s" is "is" or "has": a contraction is expanded to "is" only when what follows cannot
# be a past participle (see PARTICIPLES), adverbs in between skipped.
EXPAND_IS: tuple[tuple[str, str], ...] = (
    ("it's", "it is"), ("there's", "there is"), ("that's", "that is"), ("here's", "here is"),
)
# "'ve": contracted only before a past participle ("we have seen"); "we've" always expands.
HAVE_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("we have", "we've"), ("you have", "you've"), ("they have", "they've"), ("I have", "I've"),
)
# "'d" is "would" or "had": both ways only before a plain verb (never a participle or
# "better", which make it "had").
WOULD_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("we would", "we'd"), ("you would", "you'd"), ("they would", "they'd"),
)
# Irregular past participles. "'s" and "'d" are expanded only when the verb that follows is
# none of these and does not end like one (-ed, -en, -wn, -ne, -un); "we have" is contracted
# only when it is one of these or a regular -ed form.
PARTICIPLES: frozenset[str] = frozenset({
    "been", "got", "gotten", "had", "made", "meant", "kept", "left", "lost", "sent", "spent",
    "built", "held", "told", "sold", "found", "brought", "bought", "caught", "taught", "thought",
    "fought", "sought", "won", "come", "become", "done", "gone", "run", "set", "put", "cut", "hit",
    "let", "read", "led", "met", "paid", "said", "laid", "felt", "dealt", "learnt", "burnt",
    "spelt", "understood", "stood", "struck", "stuck", "hung", "begun", "split", "spread", "shut",
    "quit", "bet", "cast", "cost", "hurt", "dug", "fed", "fled", "lit", "slid", "spun", "swung",
    "wound", "upset", "rebuilt", "reset", "output", "input", "overcome", "undergone", "withheld",
    "heard", "sat", "shot", "lent", "bent", "seen", "taken", "written", "given", "broken",
    "chosen", "driven", "eaten", "fallen", "forgotten", "forgiven", "hidden", "proven", "ridden",
    "risen", "shaken", "spoken", "stolen", "sworn", "torn", "woken", "beaten", "bitten", "frozen",
    "shown", "known", "drawn", "grown", "thrown", "flown", "blown", "withdrawn", "rewritten",
    "overwritten", "mistaken", "undertaken", "overtaken",
})
# Regular-looking words that are no participle ("we have need of ..." is not "we've need").
NOT_PARTICIPLES: frozenset[str] = frozenset({
    "need", "needed", "speed", "feed", "seed", "bleed", "breed", "greed", "embed", "shed", "bed",
    "red", "limited", "dedicated", "detailed", "advanced", "varied", "mixed", "united", "related",
    "automated", "supported", "trusted", "hundred", "sacred", "naked", "wicked", "kindred",
})
# After "'d", these make it "had" ("we'd better").
AFTER_HAD: frozenset[str] = frozenset({"better", "best", "to", "a", "an", "the", "no"})
# Adverbs that may stand between a contraction and its verb ("it's only written").
MID_ADVERBS: frozenset[str] = frozenset({
    "only", "also", "still", "already", "always", "never", "just", "ever", "even", "now", "often",
    "since", "nevertheless", "then", "really", "rather", "not", "all", "both", "long", "recently",
    "again", "once", "sometimes", "arguably", "certainly", "probably", "usually", "generally",
})

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
    ("For example,", "For instance,", "As an example,", "To illustrate,"),
    ("In addition,", "Additionally,", "Also,", "Furthermore,"),
    ("Therefore,", "Thus,", "Hence,", "Consequently,"),
    ("Furthermore,", "Moreover,", "What is more,", "In addition,"),
    ("Consequently,", "As a result,", "As a consequence,", "Therefore,"),
    ("Finally,", "Lastly,"),
    ("Similarly,", "Likewise,", "In the same way,"), ("First,", "Firstly,"),
    ("Second,", "Secondly,"), ("Third,", "Thirdly,"),
    ("For this reason,", "Because of this,", "For that reason,"),
    ("However,", "But"), ("In other words,", "That is,", "Put differently,", "Put another way,"),
    ("In short,", "In brief,", "In summary,", "Briefly,"),
    ("Nevertheless,", "Nonetheless,", "Even so,", "Still,"),
    ("To date,", "So far,", "Until now,", "Thus far,"),
    ("At present,", "Currently,", "At the moment,"),
    ("In fact,", "Indeed,", "As a matter of fact,"), ("Of course,", "Naturally,"),
    ("Generally,", "In general,", "As a rule,"), ("Fortunately,", "Luckily,"),
    ("Unfortunately,", "Regrettably,"), ("Alternatively,", "As an alternative,"),
    ("In any case,", "In any event,", "Either way,"), ("Again,", "Once again,", "Once more,"),
    ("Overall,", "On the whole,", "All in all,"), ("Initially,", "At first,"),
)
# A form in several groups ("Therefore," is also the fourth choice of "Consequently,") is
# offered the choices of the group it starts.
# Sentence-initial words and short phrases after which the comma is optional.
INTRO_ADVERBS: tuple[str, ...] = (
    "Typically", "Usually", "Normally", "Alternatively", "Optionally", "Ideally", "Fortunately",
    "Unfortunately", "Internally", "Technically", "Historically", "Today", "Here", "Now", "Then",
    "Next", "Again", "Instead", "Otherwise", "Meanwhile", "Afterwards", "In practice", "In general",
    "By default", "In that case", "In this case", "In particular", "In most cases", "In both cases",
    "On Windows", "On Linux", "Finally", "Eventually", "Additionally", "Later", "Luckily",
    "Therefore", "Thus", "Hence", "Consequently", "Lastly", "Initially", "Moreover", "Furthermore",
    "Specifically", "Currently", "Interestingly", "Clearly", "Similarly", "Subsequently",
    "Nevertheless", "Of course", "At this point", "In our case", "In the end", "In short", "So",
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
    "estimates", "agree", "agreed", "hope", "understand", "turns out", "turned out", "meaning",
    "see", "saw", "notice", "realize", "realized", "realise", "realised", "observe", "observed",
    "conclude", "concluded", "guarantees", "verify", "verified",
)
# Verbs certain to be verbs (no noun form), after which a "that" may also be added before a
# clause: "we know the chain is freed" / "we know that the chain is freed".
THAT_INSERT_VERBS: tuple[str, ...] = (
    "believe", "believes", "believed", "think", "thinks", "assume", "assumes", "assumed", "expect",
    "expects", "expected", "ensure", "ensures", "ensured", "know", "knows", "knew", "say", "says",
    "said", "confirm", "confirms", "confirmed", "noticed", "realize", "realized", "realise",
    "realised", "guarantees", "verified", "concluded", "shows", "showed",
)
# Finite verbs that show a clause has begun after its subject.
FINITE_AUX: frozenset[str] = frozenset({
    "is", "are", "was", "were", "has", "have", "had", "can", "could", "will", "would", "should",
    "may", "might", "must", "does", "did", "isn't", "aren't", "wasn't", "weren't", "doesn't",
    "didn't", "won't", "can't", "cannot",
})
# Words that can only follow the complementizer "that", never the determiner "that"
# (a determiner is not followed by another determiner or a pronoun).
THAT_SUBJECTS: frozenset[str] = frozenset({
    "the", "a", "an", "it", "its", "this", "these", "those", "they", "we", "you", "he", "she",
    "there", "every", "each", "all", "no", "some", "any", "our", "their", "your", "his", "her",
})

# Sentence-initial phrases without a comma of their own: (detected form, alternatives...).
SENTENCE_PHRASES: tuple[tuple[str, ...], ...] = (
    ("Note that", "Notice that"), ("Notice that", "Note that"),
    ("As mentioned earlier", "As mentioned before", "As mentioned previously"),
    ("As mentioned before", "As mentioned earlier", "As mentioned previously"),
    ("As mentioned above", "As mentioned earlier", "As described above"),
    ("As described above", "As mentioned above"),
    ("As you can see", "As can be seen"),
)

# Mid-sentence phrases: (detected form, alternatives...). Detected in one direction only
# where the reverse is unsafe ("before" is also a conjunction; "prior to" is not).
PHRASE_CHOICES: tuple[tuple[str, ...], ...] = (
    ("for example", "for instance"), ("for instance", "for example"),
    ("prior to", "before"), ("whether or not", "whether"), ("all of the", "all the"),
    ("both of the", "both the"), ("is able to", "can"), ("are able to", "can"),
    ("although", "though", "even though"), ("even though", "although", "though"),
    ("in spite of", "despite"), ("despite", "in spite of"),
    ("with regard to", "regarding", "concerning"), ("with respect to", "regarding", "concerning"),
    ("in the event that", "if"), ("due to the fact that", "because"), ("is not able to", "cannot"),
    ("are not able to", "cannot"), ("as soon as possible", "at the earliest opportunity"),
    ("twice", "two times"), ("means that", "means"), ("in order to", "to", "so as to"),
    ("so as to", "in order to", "to"), ("because of", "due to", "owing to"),
    ("regardless of", "irrespective of"), ("irrespective of", "regardless of"),
    ("the majority of", "most of"), ("with the exception of", "except for"),
    ("subsequent to", "after"), ("in addition to", "besides"), ("make sure", "ensure"),
    ("makes sure", "ensures"), ("made sure", "ensured"), ("making sure", "ensuring"),
    ("such as", "like"), ("rather than", "instead of"), ("approximately", "roughly", "about"),
    ("roughly", "approximately", "about"), ("a lot of", "lots of"), ("lots of", "a lot of"),
    ("is required", "is needed"), ("are required", "are needed"), ("was required", "was needed"),
    ("were required", "were needed"), ("be required", "be needed"), ("is needed", "is required"),
    ("are needed", "are required"), ("was needed", "was required"), ("be needed", "be required"),
    ("due to", "because of"), ("via", "through"), ("thanks to", "owing to", "because of"),
    # "we can see that" states what the text shows, as "we see that" does ("we can see if"
    # would be a check, and is not taken).
    ("we can see that", "we see that"),
)
# A phrase is taken only if the next word is not one of these (or, for the phrases in
# PHRASE_NEXT_ONLY, only if it is one of those): "make sure to" cannot become "ensure to",
# "rather than verify" cannot become "instead of verify".
PHRASE_NOT_BEFORE: dict[str, frozenset[str]] = {
    "make sure": frozenset({"to", "of", "you", "we", "they"}),
    "makes sure": frozenset({"to", "of"}), "made sure": frozenset({"to", "of"}),
    "making sure": frozenset({"to", "of"}), "such as": frozenset({"to", "that", "this", "it"}),
    "in addition to": frozenset({"that", "being", "having"}),
    # "via" before a name in a URL-like list, "thanks to" thanking someone: only before a
    # determiner (PHRASE_NEXT_DETERMINER).
    # "the user is required to sign in" is an obligation; "is needed to" is not.
    **{f"{be} {v}": frozenset({"to", "by"}) for be in ("is", "are", "was", "were", "be") for v in ("required", "needed")},
}
# A phrase is not taken after these words: "is due to" says what something is owed or
# expected to, where "because of" would not fit.
PHRASE_NOT_AFTER: dict[str, frozenset[str]] = {
    "due to": frozenset({"is", "are", "was", "were", "be", "been", "being", "not", "mainly", "partly", "largely", "mostly"}),
}
PHRASE_NEXT_DIGIT: frozenset[str] = frozenset({"approximately", "roughly"})
# After a comma, "whether or not" opens an adverbial clause ("..., whether or not the viewer
# runs") that needs its "or not"; only the complement ("it does not matter whether or not")
# may drop it.
PHRASE_NOT_AFTER_COMMA: frozenset[str] = frozenset({"whether or not"})
PHRASE_NEXT_NOUN_PHRASE: frozenset[str] = frozenset({"rather than"})
# Taken only before a determiner: "thanks to the hardening" is a cause, "thanks to Tavis"
# is gratitude; "via the socket" reads "through the socket".
PHRASE_NEXT_DETERMINER: frozenset[str] = frozenset({"thanks to", "via"})

# Comparisons with a number: interchangeable when a number follows ("greater than 0x3fff").
NUMERIC_COMPARISONS: tuple[tuple[str, ...], ...] = (
    ("greater than", "larger than", "above"), ("larger than", "greater than"),
    ("smaller than", "less than"), ("less than", "smaller than"), ("at most", "no more than"),
    ("no more than", "at most"), ("above", "greater than"), ("below", "less than"),
    ("at least", "no less than"), ("no less than", "at least"), ("more than", "over"),
    ("fewer than", "less than"),
)

# Latin abbreviations and their English equivalents (mid-sentence).
ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("e.g.", "e.g.,", "for example,", "for instance,"), ("i.e.", "i.e.,", "that is,"),
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
    # Prepositions and "do": "that" after them is a pronoun ("the code for that is adapted").
    "for", "from", "to", "by", "into", "under", "over", "through", "without", "within", "upon",
    "via", "during", "despite", "against", "do", "does", "did", "doing", "done",
    # Nouns that take a complement clause ("the problem that objects are freed twice").
    "idea", "assumption", "claim", "notion", "possibility", "chance", "problem", "evidence", "sign",
    "guarantee", "observation", "requirement", "belief", "news", "condition", "assertion", "proof",
    "information", "risk", "danger", "hint", "indication", "rule", "advantage", "benefit",
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
    "stages", "times", "objects", "elements", "pages", "gadgets", "registers", "rules", "chains",
    "classes", "members", "messages", "packets", "sockets", "allocations", "vulnerabilities",
    "bugs", "cores", "slots", "calls", "instructions", "cycles", "iterations", "keys", "sets",
    "structures", "tasks", "types", "cases", "filters", "scenarios", "mappings", "phases",
    "problems", "addresses", "exploits", "issues", "qdiscs", "tables", "buffers", "workers",
    "connections", "devices", "events", "groups", "requests", "commands", "values", "errors",
})

# --- Word choices decided by role (finders.find_can and its neighbours) ----------------
# "we can be sure", "we can see that", "we can have a UaF": no ability there, or "are able
# to" reads badly; an adverb there would split the infinitive.
NOT_AFTER_CAN: frozenset[str] = frozenset({
    "be", "not", "only", "also", "still", "now", "then", "just", "even", "either", "see", "tell",
    "say", "have", "notice", "imagine", "assume", "expect",
})
# Verbs of asking and knowing, after which "if" and "whether" both open an indirect question.
WHETHER_VERBS: tuple[str, ...] = (
    "check", "checks", "checked", "checking", "determine", "determines", "determined", "determining",
    "verify", "verifies", "verified", "verifying", "test", "tests", "tested", "testing", "see",
    "know", "knows", "decide", "decides", "decided", "ask", "asks", "asked", "wonder", "find out",
    "figure out",
)
# After "each": words that make it a pronoun or a fixed phrase; "every" before an ordinal or
# "few" ("every second allocation") has no "each" form.
NOT_AFTER_EACH: frozenset[str] = frozenset({
    "of", "other", "and", "one", "is", "has", "was", "contains", "time", "second", "third", "fourth",
    "fifth", "few", "single", "last", "now",
})
# Words before "called `name`" that make it naming, not a call ("we called `foo`").
NAMING_AFTER: frozenset[str] = frozenset({
    "function", "functions", "variable", "field", "member", "structure", "struct", "object",
    "method", "macro", "file", "module", "option", "flag", "helper", "routine", "syscall",
    "command", "tool", "program", "type", "parameter", "argument", "list", "cache", "table",
    "chain", "rule", "set", "callback", "handler", "class", "subsystem", "mechanism",
    "technique", "gadget", "feature", "is", "are", "was", "were", "been", "being", "also",
    "one", "thing", "value", "queue", "qdisc", "filter", "slab", "pointer", "array", "map",
})
# Infinitives that open a sentence to comment on the text ("To recap, ..."), not a purpose.
NOT_PURPOSE: frozenset[str] = frozenset({
    "be", "this", "that", "what", "which", "date", "recap", "elaborate", "summarize",
    "summarise", "conclude", "clarify", "illustrate", "sum", "begin", "start", "put", "say",
    "reiterate", "repeat", "explain",
})
# fmt: on
