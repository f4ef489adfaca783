"""A small reader of Princeton WordNet 3.0 in its database files (Debian's ``wordnet-base``).

Only what ``suggest`` needs: a lemma's senses in one part of speech, most frequent first
(the order of ``index.POS``), the words of each sense, and how often each word was seen in
that sense in the tagged corpus (``cntlist.rev``: a synonym nobody uses in that sense is a
poor proposal). The format is WordNet's ``wndb(5WN)``:

* ``index.POS``: ``lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt offset...``
* ``data.POS`` (at byte ``offset``): ``offset lex_filenum ss_type w_cnt word lex_id ... | gloss``
* ``cntlist.rev``: ``lemma%ss_type:lex_filenum:lex_id:head_word:head_id sense_number tag_cnt``

nltk's reader refuses paths outside its own data directories, and the ``wn`` package
downloads its data; the files are plain text, so they are read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
_FILE = {"VERB": "verb", "ADJ": "adj", "ADV": "adv", "NOUN": "noun"}
_SS_TYPE = {"VERB": "2", "ADJ": "3", "ADV": "4", "NOUN": "1"}


@dataclass(frozen=True)
class Sense:
    offset: int
    lexfile: int  # WordNet's lexicographer file: 4 noun.act, 6 noun.artifact, 9 noun.cognition...
    words: tuple[str, ...]  # lower case, spaces for WordNet's underscores, the synset's order
    counts: tuple[int, ...]  # how often each word was tagged in this sense


def available(root: Path = WORDNET) -> bool:
    return all((root / f"{name}.{pos}").is_file() for name in ("index", "data") for pos in _FILE.values())


@cache
def _index(pos: str, root: Path = WORDNET) -> dict[str, tuple[int, ...]]:
    table: dict[str, tuple[int, ...]] = {}
    if not available(root):  # no wordnet-base: no senses, so no WordNet proposals
        return table
    with (root / f"index.{_FILE[pos]}").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith(" "):  # the licence at the top
                continue
            fields = line.split()
            synset_cnt, p_cnt = int(fields[2]), int(fields[3])
            first = 4 + p_cnt + 2
            table[fields[0]] = tuple(int(o) for o in fields[first : first + synset_cnt])
    return table


@cache
def _counts(root: Path = WORDNET) -> dict[tuple[str, str, str, int], int]:
    """(lemma, ss_type, lex_filenum, lex_id) -> tag count; satellites (5) count as adjectives."""
    table: dict[tuple[str, str, str, int], int] = {}
    path = root / "cntlist.rev"
    if not path.is_file():
        return table
    with path.open(encoding="utf-8") as f:
        for line in f:
            key, _, count = line.split()
            lemma, rest = key.split("%", 1)
            ss_type, lex_filenum, lex_id = rest.split(":")[:3]
            ss_type = "3" if ss_type == "5" else ss_type
            table[(lemma, ss_type, lex_filenum, int(lex_id))] = int(count)
    return table


@cache
def _sense(pos: str, offset: int, root: Path = WORDNET) -> Sense:
    with (root / f"data.{_FILE[pos]}").open("rb") as f:
        f.seek(offset)
        fields = f.readline().decode("utf-8").split(" | ", 1)[0].split()
    lex_filenum, w_cnt = fields[1], int(fields[3], 16)
    counts = _counts(root)
    words, tallies = [], []
    for k in range(w_cnt):
        word, lex_id = fields[4 + 2 * k], int(fields[5 + 2 * k], 16)
        word = word.split("(", 1)[0]  # adjective markers: "galore(ip)"
        words.append(word.replace("_", " ").lower())
        tallies.append(counts.get((word.lower(), _SS_TYPE[pos], lex_filenum, lex_id), 0))
    return Sense(offset, int(lex_filenum), tuple(words), tuple(tallies))


def senses(lemma: str, pos: str, root: Path = WORDNET) -> list[Sense]:
    """The senses of ``lemma`` as ``pos``, the most frequent first; [] when unknown."""
    offsets = _index(pos, root).get(lemma.lower().replace(" ", "_"), ())
    return [_sense(pos, o, root) for o in offsets]


def tag_count(lemma: str, pos: str, root: Path = WORDNET) -> int:
    """How often ``lemma`` was tagged as ``pos`` in any sense."""
    total = 0
    for s in senses(lemma, pos, root):
        for w, c in zip(s.words, s.counts, strict=True):
            if w == lemma:
                total += c
    return total
