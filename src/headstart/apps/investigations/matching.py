"""Which advisory and which delivered file each piece of leaked material comes from.

Text and source code are compared by normalised word 5-gram shingles: a piece matches a
delivered file when they share enough shingles, measured against the smaller of the two
(a forum post quoting half the write-up next to the PoC matches both). Raw shingles pick
candidates cheaply; the decision uses *stable* shingles, made after leaving out every
word that occurs in one of the file's slot alternatives, so that marks (synonyms, renamed
identifiers) do not make a copy look less like its original. A binary PoC is
recognised through its trigger specification: the piece (or a hex dump or base64 of it,
whole or one block) has the format's magic (or a slightly damaged one), parses, and either
shows enough of the PoC's slots or keeps the original's layout (its lengths and fixed
fields), as a copy whose unmarked-looking bytes were scrubbed does. Nearly every byte of a
PoC may be a slot, so comparing bytes with the original says little.

A translation or paraphrase shares few English word shingles with its original, but keeps
its code, inline code, identifiers and numbers in order: a text piece that matches no file
by words is matched by those *survivors* (``survivor_match`` of each prose file's carrier) to
the write-up whose survivors it shares most, and only when that share reaches SURVIVOR_BAR,
which no whole corpus write-up reaches against another's (tests/apps/investigations/
test_translated_leaks.py checks it). Reading such a piece goes through the carrier as for
any leak; it reads the slots in code and numbers and erases the English ones.

Marked copies differ from the original only inside slots, so the original stands for
every partner's copy here. A piece may match several files; material that came from no
advisory matches nothing, so no carrier reads it and nobody is accused on its account.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from headstart.apps.advisories.access import latest_artifacts
from headstart.apps.advisories.models import Advisory, AdvisoryStatus, Artifact, ArtifactKind
from headstart.apps.delivery import carrier_store
from headstart.apps.delivery.copies import original_bytes, procedure_name
from headstart.apps.investigations.intake import Piece
from headstart.carriers import Carrier, CarrierError, Reading
from headstart.carriers.prose.normalize import html_to_text, looks_like_html
from headstart.carriers.prose.normalize import tokens as prose_tokens
from headstart.carriers.prose.survivors import SHINGLE as SURVIVOR_SHINGLE
from headstart.carriers.prose.survivors import is_survivor
from headstart.triggers import TriggerError, bytes_from_text, load_spec, render_procedure

SHINGLE_WORDS = 5
PREFILTER_SHARED = 5  # raw shingles a piece must share with a file to be looked at closely
PREFILTER_CONTAINMENT = 0.05
MIN_SHARED = 8  # stable shingles (marks left out) two texts must share to be related
MIN_CONTAINMENT = 0.3  # ... and the share of the smaller text's stable shingles they make up
MIN_BINARY_READ = 0.1  # share of a binary PoC's slots a piece must show to be that PoC
# A piece no file matches by words is a prose file's translation or paraphrase when this share
# of its survivor shingles (code, identifiers, numbers in order) is that file's. Corpus
# translations share 0.89-1.00 with their original; one whole corpus write-up shares at most
# 0.53 with another's, and a 40% translated excerpt of one nftables exploit 0.64 with its sibling.
SURVIVOR_BAR = 0.75
SURVIVOR_MIN_SHARED = 8  # ... and at least this many shingles: a few numbers in a row say little
PROSE_KINDS = frozenset({ArtifactKind.WRITEUP, ArtifactKind.GUIDANCE, ArtifactKind.TRIGGER_SPEC})

_WORD = re.compile(r"\w+")
_BLOCK = re.compile(r"\n[ \t]*\n+")


def words(text: str) -> list[str]:
    """Lower-cased words, after Unicode compatibility folding (so smart quotes, full-width
    letters and ligatures a leak path introduces do not matter)."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(text: str | list[str], n: int = SHINGLE_WORDS, *, leave_out: frozenset[str] = frozenset()) -> frozenset[int]:
    """Hashed n-word shingles, optionally leaving out some words first (the marks' words)."""
    ws = words(text) if isinstance(text, str) else text
    if leave_out:
        ws = [w for w in ws if w not in leave_out]
    if len(ws) < n:
        return frozenset([hash(tuple(ws))]) if ws else frozenset()
    return frozenset(hash(tuple(ws[i:i + n])) for i in range(len(ws) - n + 1))


@dataclass(frozen=True)
class Original:
    """One file as delivered to partners (before marking), and what it is compared by."""

    advisory: str
    file_name: str
    kind: str
    artifact_id: int
    text: str | None  # text and code; None for a binary PoC
    data: bytes  # the delivered original (for a trigger spec: the rendered procedure)
    magics: tuple[bytes, ...] = ()  # binary PoC: what its trigger specifications say a file starts with
    version: int = 1

    @functools.cached_property
    def words(self) -> list[str]:
        return words(self.text) if self.text is not None else []

    @functools.cached_property
    def shingles(self) -> frozenset[int]:
        return shingles(self.words)


@dataclass(frozen=True)
class Match:
    piece: int  # index into the pieces
    original: Original
    similarity: float  # text: shared shingles / the smaller text's; binary: share of the slots read
    coverage: float  # share of the original found in the piece
    method: str  # "shingles", "survivors", "binary", "hex-or-base64 dump"
    view: bytes | str  # what the carrier is given to read
    reading: Reading | None = None  # binary: the carrier's reading, made while matching
    closeness: float = 0.0  # picks the version of a file a piece is closest to (text: Jaccard)


@functools.lru_cache(maxsize=256)
def _magic(spec: bytes) -> bytes | None:
    """The bytes a file of this format starts with (None: the format has no fixed magic)."""
    return carrier_store.derived("magic", spec, lambda: _first_field(spec) or b"", bytes) or None


def _first_field(spec: bytes) -> bytes | None:
    try:
        first = load_spec(spec.decode("utf-8", errors="replace")).root.fields[0]
    except (TriggerError, IndexError, AttributeError):
        return None
    return first.contents or None


def compared_text(kind: str, data: bytes) -> str:
    """What a delivered file is compared by: its text; for a trigger specification, the
    procedure rendered from it (with its {{a|b}} alternatives), which partners receive. The
    procedure is rendered once per specification and code version and kept in the carrier
    store (rendering it costs more than the rest of an investigation's matching)."""
    text = data.decode("utf-8", errors="replace")
    if kind != ArtifactKind.TRIGGER_SPEC:
        return text
    return carrier_store.derived("procedure", data, lambda: render_procedure(load_spec(text)), str)


@functools.lru_cache(maxsize=512)
def _original(advisory: str, file_name: str, kind: str, artifact_id: int, version: int, sha256: str,
              data: bytes) -> Original:
    text = compared_text(kind, data)
    if kind == ArtifactKind.TRIGGER_SPEC:
        data = text.encode("utf-8")
    return Original(advisory, file_name, kind, artifact_id, text, data, version=version)


def _delivered_artifacts(advisory: Advisory) -> list[Artifact]:
    """The current version of each file, and every earlier version a partner received."""
    latest = latest_artifacts(advisory)
    ids = {a.pk for a in latest}
    older = advisory.artifacts.filter(copies__isnull=False).exclude(pk__in=ids).distinct().order_by("name", "version")
    return latest + list(older)


def originals(advisories: list[Advisory]) -> list[Original]:
    """The files of these advisories as partners receive them (procedures rendered), every
    version that went out."""
    out = []
    for advisory in advisories:
        artifacts = _delivered_artifacts(advisory)
        specs = [a for a in artifacts if a.kind == ArtifactKind.TRIGGER_SPEC]
        for artifact in artifacts:
            if artifact.kind == ArtifactKind.POC_BINARY:
                magics = tuple(_magic(original_bytes(s)) for s in specs)
                out.append(Original(advisory.ident, artifact.name, artifact.kind, artifact.pk, None, b"",
                                    magics=tuple(m or b"" for m in magics), version=artifact.version))
                continue
            name = procedure_name(artifact) if artifact.kind == ArtifactKind.TRIGGER_SPEC else artifact.name
            try:
                out.append(_original(advisory.ident, name, artifact.kind, artifact.pk, artifact.version,
                                     artifact.sha256, original_bytes(artifact)))
            except TriggerError:
                continue  # a specification that no longer loads delivered no procedure to compare with
    return out


def candidate_advisories(ident: str | None = None) -> list[Advisory]:
    """Every advisory whose copies may have gone out (not drafts), or just the one named."""
    qs = Advisory.objects.exclude(status=AdvisoryStatus.DRAFT).order_by("ident")
    return list(qs.filter(ident=ident) if ident else qs)


# ---- comparing ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=256)
def volatile_words(carrier: Carrier | None) -> frozenset[str]:
    """Every word any slot's alternatives use: where copies may differ. Leaving these out
    makes every partner's copy compare with the original as if unmarked."""
    if carrier is None:
        return frozenset()
    return frozenset(w for slot in carrier.slots for alt in slot.alternatives for w in words(alt))


def _related(a: frozenset[int], b: frozenset[int], min_shared: int, min_share: float) -> tuple[int, int] | None:
    if not a or not b:
        return None
    shared = len(a & b)
    smaller = min(len(a), len(b))
    if shared < min(min_shared, smaller) or shared / smaller < min_share:
        return None
    return shared, smaller


def _text_match(i: int, text: str, piece_words: list[str], piece_shingles: frozenset[int], original: Original,
                carrier_of: Callable[[Original], Carrier | None]) -> Match | None:
    """Raw shingles find candidates cheaply; the match is decided on stable shingles, with the
    words of the file's slots left out of both texts (marks and renamed identifiers do not count)."""
    if _related(piece_shingles, original.shingles, PREFILTER_SHARED, PREFILTER_CONTAINMENT) is None:
        return None
    leave_out = volatile_words(carrier_of(original))
    mine, theirs = shingles(piece_words, leave_out=leave_out), shingles(original.words, leave_out=leave_out)
    related = _related(mine, theirs, MIN_SHARED, MIN_CONTAINMENT)
    if related is None:
        return None
    shared, smaller = related
    jaccard = shared / (len(mine) + len(theirs) - shared)
    return Match(i, original, shared / smaller, shared / len(theirs), "shingles", text, closeness=jaccard)


# Every survivor token holds a digit, an underscore or a capital; any non-ASCII character is
# counted as if it were one (NFKC folding may turn it into one).
_SURVIVOR_CHAR = re.compile(r"[0-9_A-Z]|[^\x00-\x7f]")


def survivor_text(text: str) -> str | None:
    """The piece's survivor tokens in order, one space apart, or None when it has too few to
    share SURVIVOR_MIN_SHARED shingles with anything. ``survivor_match`` compares only the order
    of survivor tokens, so each carrier is given these few kilobytes rather than the whole piece
    (a 4 MB part of a forum dump would otherwise be tokenized once per prose file)."""
    needed = SURVIVOR_MIN_SHARED + SURVIVOR_SHINGLE - 1
    if sum(1 for _ in itertools.islice(_SURVIVOR_CHAR.finditer(text), needed)) < needed:
        return None  # ruled out without tokenizing
    kept = [t for t in prose_tokens(html_to_text(text) if looks_like_html(text) else text) if is_survivor(t)]
    return " ".join(kept) if len(kept) >= needed else None


def survivor_matches(i: int, text: str, originals: list[Original],
                      carrier_of: Callable[[Original], Carrier | None]) -> list[Match]:
    """The prose file(s) whose survivors the piece shares most, when that share reaches
    SURVIVOR_BAR with at least SURVIVOR_MIN_SHARED shingles. Files tied at the best share
    (a passage two related write-ups hold alike) are all read: each reading is scored
    against its own codebook, which a leak of the other cannot depend on."""
    survivors = survivor_text(text)
    if survivors is None:
        return []
    scored: list[tuple[float, int, Original, Carrier]] = []
    for o in originals:
        if o.kind not in PROSE_KINDS:
            continue
        carrier = carrier_of(o)
        survivor_match = getattr(carrier, "survivor_match", None)
        if carrier is None or survivor_match is None:
            continue
        try:
            shared, share = survivor_match(survivors)
        except CarrierError:
            continue
        if shared >= SURVIVOR_MIN_SHARED:
            scored.append((share, shared, o, carrier))
    best = max((share for share, *_ in scored), default=0.0)
    if best < SURVIVOR_BAR:
        return []
    out = []
    for share, shared, o, carrier in scored:
        if share == best:
            whole = _survivor_shingles_of_original(carrier, o.text or "")
            out.append(Match(i, o, share, min(1.0, shared / whole) if whole else 0.0, "survivors", text,
                             closeness=share))
    return out


@functools.lru_cache(maxsize=256)
def _survivor_shingles_of_original(carrier: Carrier, text: str) -> int:
    shared, _share = carrier.survivor_match(text)  # type: ignore[attr-defined]
    return int(shared)


def binary_views(piece: Piece, text: str | None) -> list[tuple[bytes, str]]:
    """Ways the piece may hold a binary file: its own bytes, or a dump (whole or one block).

    A piece that reads as text is only taken as the file itself when it starts with the
    format's magic: a write-up that merely mentions the magic is not a PoC."""
    own = bytes(piece.data)  # a part of a long text is a view; carriers read bytes
    views = [(own, "binary" if text is None else "binary-as-text")]
    if text is not None:
        seen = {own}
        for block in [text] + [b for b in _BLOCK.split(text) if b.strip()]:
            data = bytes_from_text(block)
            if data and data not in seen:
                seen.add(data)
                views.append((data, "hex-or-base64 dump"))
    return views


def _binary_match(i: int, views: list[tuple[bytes, str]], original: Original,
                  carrier_of: Callable[[Original], Carrier | None]) -> Match | None:
    """The binary PoC read from the best view: it must be of the PoC's format (its magic, or a
    slightly damaged magic followed by the original's layout), parse, and show at least
    MIN_BINARY_READ of the slots or the original's layout."""
    carrier = carrier_of(original)
    if carrier is None or not carrier.slots:
        return None
    same_format = getattr(carrier, "is_this_format", None)
    same_layout = getattr(carrier, "skeleton_fits", None)
    best: Match | None = None
    for view, method in views:
        recognised = same_format is not None and same_format(view)
        if method == "binary-as-text":
            if not (recognised or any(m and view.startswith(m) for m in original.magics)):
                continue
            method = "binary"
        elif not recognised and original.magics and all(m and m not in view for m in original.magics):
            continue
        try:
            reading = carrier.read(view)
        except (CarrierError, TriggerError, ValueError):
            continue
        share = reading.read / len(carrier.slots)
        enough = share >= MIN_BINARY_READ or (reading.read > 0 and same_layout is not None and same_layout(view))
        if enough and (best is None or share > best.similarity):
            best = Match(i, original, share, share, method, view, reading, closeness=share)
    return best


def match_pieces(pieces: list[Piece], candidates: list[Original],
                 carrier_of: Callable[[Original], Carrier | None] = lambda o: None) -> list[Match]:
    """Every (piece, delivered file) pair that is related, in piece order. ``carrier_of`` gives
    a file's carrier: a binary PoC's format is recognised by parsing, and a text piece that
    matches no file by its words is looked for by its survivors in the prose files'."""
    text_originals = [o for o in candidates if o.text is not None]
    binary_originals = [o for o in candidates if o.text is None]
    found: list[Match] = []
    for i, piece in enumerate(pieces):
        if not piece.readable:
            continue
        text = piece.text()
        if text is not None and text_originals:
            piece_words = words(text)
            piece_shingles = shingles(piece_words)
            by_words = [m for o in text_originals
                        if (m := _text_match(i, text, piece_words, piece_shingles, o, carrier_of))]
            found.extend(by_words or survivor_matches(i, text, text_originals, carrier_of))
        if binary_originals:
            views = binary_views(piece, text)
            found.extend(m for o in binary_originals if (m := _binary_match(i, views, o, carrier_of)))
    return closest_versions(found)


def closest_versions(matches: list[Match]) -> list[Match]:
    """When a piece matches several versions of one file, keep the version it is closest to
    (the latest on a tie): each version has its own codebook, and reading a piece with the
    wrong version's carrier only adds noise."""
    best: dict[tuple[int, str, str], Match] = {}
    for m in matches:
        k = (m.piece, m.original.advisory, m.original.file_name)
        if k not in best or (m.closeness, m.original.version) > (best[k].closeness, best[k].original.version):
            best[k] = m
    return [m for m in matches if best[(m.piece, m.original.advisory, m.original.file_name)] is m]
