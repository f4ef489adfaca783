"""C source PoCs: marks in names and integer spellings that compile to the same program.

Slots (found by a real C lexer and a block-scope walk of every function, no libclang):

* **names**: local variables, parameters (C parameter names are never visible to
  callers), and ``static`` file-scope functions and variables. One slot per declared
  entity, its occurrences every declaration and use the walk resolves to it. Names used
  in preprocessor lines, members, tags, labels and anything with external linkage stay
  fixed. Alternatives are plausible synonyms that appear nowhere in the function (for
  statics: nowhere in the file), are no C keyword and no name a standard or POSIX header
  declares, and are not offered to another slot of the same function.
* **integer literal forms**: hex digit case (``0x1f``/``0x1F``), the case of a lone
  ``u`` suffix, and decimal or hex where the type cannot change: an unsuffixed constant
  is ``int`` in either base while it is at most 0x7fffffff (int has 32 bits on every
  target gcc and clang build PoCs for), and with a ``u`` suffix both bases take the same
  type list. Literals inside preprocessor lines are never touched.

clang-format (every predefined style) and comment stripping change none of these.
Every copy is checked on render: re-lexed, its tokens must equal the original's with
only the chosen spellings in place. ``gcc -fsyntax-only`` acceptance is tested.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from headstart.carriers._c_scope import Binding, CScope, CSyntaxError
from headstart.carriers._lexers import Token, lex_c
from headstart.carriers._names import C_KEYWORDS, C_LIBRARY_NAMES, C_STANDARD_TYPEDEFS, candidate_names
from headstart.carriers.base import (
    NoSlotsError,
    Reading,
    RenderError,
    Slot,
    decode_leak,
)
from headstart.carriers.literal_forms import C_INT_LITERAL, c_int_alternatives
from headstart.carriers.source_common import (
    MAX_ALTERNATIVES,
    NAME_KEY,
    Occurrence,
    SourceParseError,
    TemplateSourceCarrier,
    build_template,
    c_segments,
    check_source_text,
    comment_occurrences,
    looks_like_identifier,
    read_aligned,
)

__all__ = ["CCarrier", "SourceParseError", "c_int_alternatives"]

_NEVER_RENAMED = frozenset({"main", "argc", "argv", "envp"})


@dataclass(frozen=True)
class _SlotInfo:
    kind: str  # name | int
    first: int  # token index of the first occurrence
    alternatives: tuple[str, ...]
    where: str
    key: str
    tokens: tuple[int, ...]  # indices into the code-token list
    family: int | None = None
    original: str = ""


class CCarrier(TemplateSourceCarrier):
    """A C PoC source file: renders marked copies and reads leaked ones."""

    kind: ClassVar[str] = "poc-source-c"

    def __init__(self, source: str) -> None:
        self.source = check_source_text(source, "C source")
        all_tokens = lex_c(self.source)
        for tok in all_tokens:
            if not tok.closed:
                what = {"comment": "comment", "string": "string literal", "char": "character constant"}[
                    tok.kind
                ]
                raise SourceParseError(
                    f"the C source does not parse: line {_line(self.source, tok.start)}: unterminated {what}"
                )
        code = [t for t in all_tokens if t.kind not in ("comment", "pp")]
        stray = next((t for t in code if t.kind == "other"), None)
        if stray is not None:
            raise SourceParseError(
                f"the C source does not parse: line {_line(self.source, stray.start)}: stray {stray.text!r}"
            )
        try:
            macros = frozenset(
                m.group(1)
                for t in all_tokens
                if t.kind == "pp" and (m := re.match(r"[#%:]+\s*define\s+(\w+)", t.text))
            )
            scope = CScope(code, lambda offset: _line(self.source, offset), macros)
        except CSyntaxError as exc:
            raise SourceParseError(f"the C source does not parse: {exc}") from exc
        pp_names = {w for t in all_tokens if t.kind == "pp" for w in re.findall(r"[A-Za-z_]\w*", t.text)}
        infos = _name_slots(scope, code, pp_names, self.source) + _literal_slots(code, self.source)
        infos.sort(key=lambda s: s.first)
        if not infos:
            raise NoSlotsError(
                "the C source has no renamable local, parameter or static name and no integer "
                "literal with an equivalent spelling: a copy would go out unmarked"
            )
        self._infos = infos
        self._slots = [Slot(i.key, i.alternatives, i.where) for i in infos]
        self._kinds = [i.kind for i in infos]
        self._alt_index = [{a: k for k, a in enumerate(s.alternatives)} for s in self._slots]
        self._renamable = frozenset(a for i in infos if i.kind == "name" for a in i.alternatives)
        occurrences = [
            Occurrence(code[t].start, code[t].end, slot)
            for slot, info in enumerate(infos)
            for t in info.tokens
        ]
        occurrences += _comment_occurrences(all_tokens, code, scope, infos)
        self._template = build_template(self.source, occurrences, self._slots)
        self._pp_lines = [t.text for t in all_tokens if t.kind == "pp"]
        # What every copy must lex to: fixed token texts, or the slot whose choice sits there.
        slot_at = {t: slot for slot, info in enumerate(infos) for t in info.tokens}
        self._expected: list[str | int] = [slot_at.get(i, tok.text) for i, tok in enumerate(code)]
        # Reading lexes leaks without treating directives specially, so the original's
        # keys are made the same way; slot sites are found again by their offsets.
        flat = [t for t in lex_c(self.source, directives=False) if t.kind != "comment"]
        slot_at_offset = {code[t].start: slot for t, slot in slot_at.items()}
        self._keys = _keys(flat, self._renamable)
        self._segments = c_segments(flat)
        self._sites: dict[int, int] = {}
        for i, tok in enumerate(flat):
            slot = slot_at_offset.get(tok.start)
            if slot is None:
                continue
            self._sites[i] = slot
            if self._kinds[slot] == "name":
                self._keys[i] = NAME_KEY
        self._check_copy(self._template.render([0] * len(self._slots)), [0] * len(self._slots))

    def read(self, leak: bytes | str) -> Reading:
        text = decode_leak(leak)
        reading = self._read_tokens([t for t in lex_c(text, directives=False) if t.kind != "comment"])
        if reading.read < len(self._slots) // 2 and "//" in text:
            # Maybe the line breaks were lost and a // comment swallowed the code after it.
            again = self._read_tokens(lex_c(text, directives=False, line_comments=False))
            if again.read > reading.read:
                return again
        return reading

    def _read_tokens(self, tokens: list[Token]) -> Reading:
        keys = _keys(tokens, self._renamable)

        def classify(slot: int, tok: Token) -> int | None:
            if self._kinds[slot] == "name" and tok.kind != "name":
                return None
            if self._kinds[slot] == "int" and tok.kind != "number":
                return None
            return self._alt_index[slot].get(tok.text)

        return read_aligned(
            self._keys,
            self._sites,
            tokens,
            keys,
            len(self._slots),
            classify,
            self._segments,
            c_segments(tokens),
        )

    def _check_copy(self, copy: str, codeword: Sequence[int]) -> None:
        lexed = lex_c(copy)
        tokens = [t for t in lexed if t.kind not in ("comment", "pp")]
        if len(tokens) != len(self._expected):
            raise RenderError("the copy does not lex to the original's tokens")
        alts = [s.alternatives for s in self._slots]
        for tok, want in zip(tokens, self._expected, strict=True):
            spelled = want if isinstance(want, str) else alts[want][codeword[want]]
            if tok.text != spelled or not tok.closed:
                raise RenderError(f"token {tok.text!r} in the copy should be {spelled!r}")
        if [t.text for t in lexed if t.kind == "pp"] != self._pp_lines:
            raise RenderError("the copy changed a preprocessor line")


# -- names ---------------------------------------------------------------------------


def _name_slots(scope: CScope, code: list[Token], pp_names: set[str], source: str) -> list[_SlotInfo]:
    all_names = {t.text for t in code if t.kind == "name"} | pp_names
    family_names: dict[int, set[str]] = defaultdict(set)
    for f_index, fn in enumerate(scope.functions):
        family_names[f_index] = {code[k].text for k in range(fn.first, fn.last + 1) if code[k].kind == "name"}
    global_names = set(scope.file_scope) | scope.unresolved | pp_names
    forbidden_everywhere = C_KEYWORDS | C_LIBRARY_NAMES | C_STANDARD_TYPEDEFS | scope.typedefs

    def renamable(b: Binding) -> bool:
        if b.fixed or b.kind not in ("local", "param", "static"):
            return False
        if b.name in pp_names or b.name in _NEVER_RENAMED or b.name in scope.typedefs:
            return False
        if b.kind == "static" and b.name in scope.unresolved:
            return False
        return bool(b.decls)

    bindings = [b for b in scope.bindings if renamable(b)]
    statics = sorted((b for b in bindings if b.family is None), key=lambda b: b.occurrences[0])
    locals_ = sorted((b for b in bindings if b.family is not None), key=lambda b: b.occurrences[0])
    taken_anywhere: set[str] = set()
    taken_in: dict[int, set[str]] = defaultdict(set)
    out: list[_SlotInfo] = []
    for b in statics + locals_:
        if b.family is None:
            forbidden = all_names | taken_anywhere | {n for names in taken_in.values() for n in names}
            alts = [b.name] if b.name not in taken_anywhere else []
        else:
            taken = taken_in[b.family]
            forbidden = family_names[b.family] | global_names | taken_anywhere | taken
            alts = [b.name] if b.name not in taken and b.name not in taken_anywhere else []
        for cand in candidate_names(b.name):
            if len(alts) >= MAX_ALTERNATIVES:
                break
            if cand in forbidden or cand in forbidden_everywhere or not _valid_c_name(cand):
                continue
            alts.append(cand)
        if len(alts) < 2:
            continue
        if b.family is None:
            taken_anywhere.update(alts)
        else:
            taken_in[b.family].update(alts)
        owner = "file scope" if b.family is None else scope.functions[b.family].name
        what = {
            "static": "static function" if b.is_function else "static variable",
            "param": "parameter",
            "local": "local",
        }[b.kind]
        first = b.occurrences[0]
        key = f"name:{owner}.{b.name}@{_line(source, code[first].start)}"
        out.append(
            _SlotInfo(
                "name",
                first,
                tuple(alts),
                f"{what} `{b.name}` in {owner} ({len(b.occurrences)} occurrences)",
                key,
                tuple(b.occurrences),
                b.family,
                b.name,
            )
        )
    return out


def _valid_c_name(name: str) -> bool:
    return (
        bool(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name))
        and not name.startswith("__")
        and not re.match(r"_[A-Z]", name)
    )


# -- literals ------------------------------------------------------------------------


def _literal_slots(code: list[Token], source: str) -> list[_SlotInfo]:
    out = []
    for i, tok in enumerate(code):
        if tok.kind != "number":
            continue
        alts = c_int_alternatives(tok.text)
        if len(alts) >= 2:
            line = _line(source, tok.start)
            where = f"integer {tok.text} on line {line}"
            out.append(_SlotInfo("int", i, tuple(alts), where, f"int:{line}:{i}", (i,)))
    return out


# -- comments, keys, positions -------------------------------------------------------


def _comment_occurrences(
    all_tokens: list[Token], code: list[Token], scope: CScope, infos: list[_SlotInfo]
) -> list[Occurrence]:
    """Comments inside a function (or anywhere, for statics) that mention a renamable
    identifier-looking name follow its renaming."""
    by_family: dict[int | None, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for slot, info in enumerate(infos):
        if info.kind == "name":
            by_family[info.family][info.original].append(slot)
    spans = [(code[f.first].start, code[f.last].end, k) for k, f in enumerate(scope.functions)]
    statics = {n: s[0] for n, s in by_family[None].items() if len(s) == 1 and looks_like_identifier(n)}
    out: list[Occurrence] = []
    for tok in all_tokens:
        if tok.kind != "comment":
            continue
        names = dict(statics)
        for start, end, k in spans:
            if start <= tok.start < end:
                names.update(
                    {
                        n: s[0]
                        for n, s in by_family[k].items()
                        if len(s) == 1 and looks_like_identifier(n) and n not in statics
                    }
                )
        out.extend(comment_occurrences(tok, names))
    return out


def _keys(tokens: Sequence[Token], renamable: frozenset[str]) -> list[str]:
    keys = []
    prev: Token | None = None
    for tok in tokens:
        kind, text = tok.kind, tok.text
        if kind == "name":
            if prev is not None and prev.text in (".", "->"):
                key = "A:" + text
            else:
                key = NAME_KEY if text in renamable else "I:" + text
        elif kind == "number":
            m = C_INT_LITERAL.fullmatch(text)
            if m is None:
                key = "#" + text.lower()
            else:
                digits, suffix = m.groups()
                base = (
                    16
                    if digits[:2].lower() == "0x"
                    else 8
                    if digits.startswith("0") and len(digits) > 1
                    else 10
                )
                key = f"#{int(digits, base)}{suffix.lower()}"
        elif kind == "pp":
            key = "P:" + re.sub(r"\s+|/\*.*?\*/|//[^\n]*", "", text, flags=re.DOTALL)
        else:
            key = {"string": "S:", "char": "C:", "op": "O:"}.get(kind, "X:") + text
        keys.append(key)
        prev = tok
    return keys


def _line(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1
