"""A template for C copies whose slots nest: names and literals inside statements that
move, operands that swap, branches that trade places.

The original is compiled once into a tree of parts: stretches of the original, new text
a form introduces (``++``, ``(!(``), simple slot occurrences (one spelling), and choice
nodes (one list of parts per form). Rendering a codeword walks the tree and joins text;
the same walk over tokens gives the token stream a copy must lex to (the per-copy check)
and, for reading, the key stream of the original rearranged as a leak shows it.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from headstart.carriers._c_structure import Choice, Piece
from headstart.carriers._lexers import Token, lex_c
from headstart.carriers.source_common import Occurrence


@dataclass(frozen=True)
class _Text:
    start: int
    end: int


@dataclass(frozen=True)
class _New:
    text: str
    tokens: tuple[Token, ...]


@dataclass(frozen=True)
class _SlotRef:
    slot: int
    token: int | None  # index into the flat token list when the occurrence is a code token


@dataclass(frozen=True)
class _ChoiceNode:
    slot: int
    forms: tuple[tuple[_Part, ...], ...]


_Part = _Text | _New | _SlotRef | _ChoiceNode


@dataclass(frozen=True)
class ExpectedToken:
    """One token of a copy: the original's flat token it comes from (None for new text),
    its text, its lexer kind, and the slot whose spelling sits there, if any."""

    source: int | None
    text: str
    kind: str
    slot: int | None


class TreeTemplate:
    """The original as a tree of parts (see the module docstring)."""

    def __init__(
        self,
        source: str,
        flat: Sequence[Token],
        occurrences: Sequence[Occurrence],
        choices: Sequence[tuple[Choice, int]],
        alternatives: Sequence[Sequence[str]],
    ) -> None:
        self.source = source
        self.flat = list(flat)
        self._flat_starts = [t.start for t in flat]
        token_at = {t.start: i for i, t in enumerate(flat)}
        self._occ = sorted(occurrences, key=lambda o: o.start)
        self._occ_starts = [o.start for o in self._occ]
        self._occ_token = [token_at.get(o.start) if _is_code(flat, token_at, o) else None for o in self._occ]
        self._choices = sorted(choices, key=lambda cs: (cs[0].start, -cs[0].end))
        self.alternatives = [list(a) for a in alternatives]
        self.root = self._compile(0, len(source), None)
        self._texts_cache: dict[frozenset[int], dict[_Text, tuple[str, ...]]] = {}

    # -- compiling ---------------------------------------------------------------

    def _compile(self, start: int, end: int, skip: Choice | None) -> tuple[_Part, ...]:
        tops: list[tuple[Choice, int]] = []
        for choice, slot in self._choices:
            if choice is skip or choice.start < start or choice.end > end:
                continue
            if tops and choice.start < tops[-1][0].end:
                continue  # nested in the previous top-level choice
            tops.append((choice, slot))
        parts: list[_Part] = []
        pos = start
        for choice, slot in tops:
            self._emit(parts, pos, choice.start)
            forms = tuple(
                tuple(
                    p2
                    for piece in form
                    for p2 in (
                        self._compile(
                            piece.start,
                            piece.end,
                            choice if (piece.start, piece.end) == (choice.start, choice.end) else None,
                        )
                        if isinstance(piece, Piece)
                        else (_New(piece, tuple(_code(lex_c(piece, directives=False)))),)
                    )
                )
                for form in choice.forms
            )
            parts.append(_ChoiceNode(slot, forms))
            pos = choice.end
        self._emit(parts, pos, end)
        return tuple(parts)

    def _emit(self, parts: list[_Part], start: int, end: int) -> None:
        """Original text [start, end) with the simple slot occurrences inside it."""
        pos = start
        k = bisect.bisect_left(self._occ_starts, start)
        while k < len(self._occ) and self._occ[k].start < end:
            occ = self._occ[k]
            if occ.end > end:
                break
            if occ.start > pos:
                parts.append(_Text(pos, occ.start))
            parts.append(_SlotRef(occ.slot, self._occ_token[k]))
            pos = occ.end
            k += 1
        if end > pos:
            parts.append(_Text(pos, end))

    # -- walking -----------------------------------------------------------------

    def render(self, codeword: Sequence[int]) -> str:
        out: list[str] = []
        self._render(self.root, codeword, out)
        return "".join(out)

    def _render(self, parts: tuple[_Part, ...], codeword: Sequence[int], out: list[str]) -> None:
        for p in parts:
            if isinstance(p, _Text):
                out.append(self.source[p.start : p.end])
            elif isinstance(p, _SlotRef):
                out.append(self.alternatives[p.slot][codeword[p.slot]])
            elif isinstance(p, _ChoiceNode):
                self._render(p.forms[codeword[p.slot]], codeword, out)
            else:
                out.append(p.text)

    def texts(self, codeword: Sequence[int], leave_out: frozenset[int]) -> list[str]:
        """Just the texts of ``tokens(codeword)``, without the original's tokens in
        ``leave_out``: what the per-copy check compares, made cheaply."""
        cache = self._texts_cache.get(leave_out)
        if cache is None:
            cache = self._texts_cache[leave_out] = {}
        out: list[str] = []
        self._texts(self.root, codeword, out, leave_out, cache)
        return out

    def _texts(
        self,
        parts: tuple[_Part, ...],
        codeword: Sequence[int],
        out: list[str],
        leave_out: frozenset[int],
        cache: dict[_Text, tuple[str, ...]],
    ) -> None:
        for p in parts:
            if isinstance(p, _Text):
                texts = cache.get(p)
                if texts is None:
                    a = bisect.bisect_left(self._flat_starts, p.start)
                    b = bisect.bisect_left(self._flat_starts, p.end)
                    texts = cache[p] = tuple(
                        self.flat[i].text
                        for i in range(a, b)
                        if self.flat[i].kind != "comment" and i not in leave_out
                    )
                out.extend(texts)
            elif isinstance(p, _SlotRef):
                if p.token is not None and p.token not in leave_out:
                    out.append(self.alternatives[p.slot][codeword[p.slot]])
            elif isinstance(p, _ChoiceNode):
                self._texts(p.forms[codeword[p.slot]], codeword, out, leave_out, cache)
            else:
                out.extend(t.text for t in p.tokens)

    def tokens(
        self, codeword: Sequence[int], spans: dict[int, tuple[int, int]] | None = None
    ) -> list[ExpectedToken]:
        """The code tokens a copy for ``codeword`` must lex to (comments left out); with
        ``spans``, also where each choice's tokens begin and end in that list."""
        out: list[ExpectedToken] = []
        self._tokens(self.root, codeword, out, spans)
        return out

    def _tokens(
        self,
        parts: tuple[_Part, ...],
        codeword: Sequence[int],
        out: list[ExpectedToken],
        spans: dict[int, tuple[int, int]] | None = None,
    ) -> None:
        for p in parts:
            if isinstance(p, _Text):
                a = bisect.bisect_left(self._flat_starts, p.start)
                b = bisect.bisect_left(self._flat_starts, p.end)
                for i in range(a, b):
                    tok = self.flat[i]
                    if tok.kind != "comment":
                        out.append(ExpectedToken(i, tok.text, tok.kind, None))
            elif isinstance(p, _SlotRef):
                if p.token is not None:
                    tok = self.flat[p.token]
                    out.append(
                        ExpectedToken(p.token, self.alternatives[p.slot][codeword[p.slot]], tok.kind, p.slot)
                    )
            elif isinstance(p, _ChoiceNode):
                first = len(out)
                self._tokens(p.forms[codeword[p.slot]], codeword, out, spans)
                if spans is not None:
                    spans[p.slot] = (first, len(out))
            else:
                out.extend(ExpectedToken(None, t.text, t.kind, None) for t in p.tokens)

    def form_tokens(self, slot: int, form: int, base: Sequence[int]) -> list[ExpectedToken]:
        """The tokens of choice ``slot`` rendered in ``form`` (inner choices as ``base``)."""
        node = self._find(self.root, slot)
        assert node is not None, f"slot {slot} is no choice of this template"
        out: list[ExpectedToken] = []
        self._tokens(node.forms[form], base, out)
        return out

    def _find(self, parts: tuple[_Part, ...], slot: int) -> _ChoiceNode | None:
        for p in parts:
            if isinstance(p, _ChoiceNode):
                if p.slot == slot:
                    return p
                for form in p.forms[:1]:
                    found = self._find(form, slot)
                    if found is not None:
                        return found
        return None


def _whole(piece: Piece, choice: Choice) -> bool:
    """The piece is the choice's whole span (its original form): compile what is inside."""
    return (piece.start, piece.end) == (choice.start, choice.end)


def _code(tokens: Sequence[Token]) -> list[Token]:
    return [t for t in tokens if t.kind != "comment"]


def _is_code(flat: Sequence[Token], token_at: dict[int, int], occ: Occurrence) -> bool:
    i = token_at.get(occ.start)
    return i is not None and flat[i].end == occ.end and flat[i].kind != "comment"
