"""C source PoCs: marks in names, integer spellings and program structure that compile to
the same program.

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
* **structure** (``_c_structure``): increment forms, operands of commutative operators,
  tests against zero (``x == 0`` / ``!x``, ``if (p)`` / ``if (p != 0)``), branch polarity, endless-loop forms, independent adjacent assignments, adjacent
  independent function definitions. These survive renaming every identifier, reformatting and stripping
  comments, so a retyped leak still carries them.

Nothing inside the arguments of ``assert`` or of a macro of the file that stringifies or
pastes (``#``) is respelled: that text can reach the program's output.

clang-format (every predefined style) and comment stripping change none of these.
Every copy is checked on render: re-lexed, its tokens must equal the original's with the
chosen spellings and forms in place. Once per carrier, gcc compiles the original and
copies that exercise every form of every slot and compares their code function by
function (``_c_compile``); without gcc the carrier refuses. Reading aligns the leak with
the original on keys in which the program's own names are one symbol (``_c_reading``),
so a retyped copy reads its structure and literals, and a name slot reads only where
the leak spells one of its alternatives.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from headstart.carriers._c_compile import ANALYSIS_PROVEN, check_with_compiler
from headstart.carriers._c_defines import find_define_runs, leak_define_lines, leak_items
from headstart.carriers._c_reading import (
    NameSets,
    abstract_leak_keys,
    constant_macros,
    read_definitions,
    read_structure,
    unique_contexts,
)
from headstart.carriers._c_runs import program_runs
from headstart.carriers._c_scope import Binding, CScope, CSyntaxError
from headstart.carriers._c_structure import Choice, Piece, find_choices, stringified_arguments
from headstart.carriers._c_template import ExpectedToken, TreeTemplate
from headstart.carriers._lexers import Token, lex_c
from headstart.carriers._line_orders import Run, order_from_digits, permute, read_runs, split_lines, unpermute
from headstart.carriers._names import C_KEYWORDS, C_LIBRARY_NAMES, C_STANDARD_TYPEDEFS, candidate_names
from headstart.carriers.base import (
    ERASED,
    NoSlotsError,
    Reading,
    RenderError,
    Slot,
    Template,
    check_codeword,
    decode_leak,
)
from headstart.carriers.literal_forms import C_INT_LITERAL, c_int_alternatives
from headstart.carriers.source_common import (
    MAX_ALTERNATIVES,
    NAME_KEY,
    Occurrence,
    SourceParseError,
    TemplateSourceCarrier,
    c_segments,
    check_source_text,
    comment_occurrences,
    looks_like_identifier,
    read_aligned,
)

__all__ = ["CCarrier", "SourceParseError", "c_int_alternatives"]

# Alignment passes when reading structure (each one reads what the last made readable).
READ_PASSES = 3
_NEVER_RENAMED = frozenset({"main", "argc", "argv", "envp"})


@dataclass(frozen=True)
class _SlotInfo:
    kind: str  # name | int | struct
    first: int  # token index of the first occurrence
    alternatives: tuple[str, ...]
    where: str
    key: str
    tokens: tuple[int, ...]  # indices into the code-token list
    family: int | None = None
    original: str = ""
    choice: Choice | None = None


class CCarrier(TemplateSourceCarrier):
    """A C PoC source file: renders marked copies and reads leaked ones."""

    kind: ClassVar[str] = "poc-source-c"

    def __init__(self, source: str, compiler_check: bool = True) -> None:
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
        macros = frozenset(
            m.group(1)
            for t in all_tokens
            if t.kind == "pp" and (m := re.match(r"[#%:]+\s*define\s+(\w+)", t.text))
        )
        try:
            scope = CScope(code, lambda offset: _line(self.source, offset), macros)
        except CSyntaxError as exc:
            raise SourceParseError(f"the C source does not parse: {exc}") from exc
        pp_names = {w for t in all_tokens if t.kind == "pp" for w in re.findall(r"[A-Za-z_]\w*", t.text)}
        infos = _name_slots(scope, code, pp_names, self.source) + _literal_slots(code, self.source)
        quoted = stringified_arguments(code, all_tokens)
        infos = [i for i in infos if not any(a < t < b for t in i.tokens for a, b in quoted)]
        infos += _structure_slots(
            find_choices(self.source, code, all_tokens, scope),
            self.source,
            [t for t in lex_c(self.source, directives=False) if t.kind != "comment"],
            NameSets(scope, code, all_tokens, macros),
            constant_macros(self.source),
        )
        infos.sort(key=lambda s: (s.first, s.kind != "struct"))
        if not infos:
            raise NoSlotsError(
                "the C source has no renamable local, parameter or static name, no integer "
                "literal with an equivalent spelling and no structural choice: a copy would go out unmarked"
            )
        self._infos = infos
        self._functions = scope.functions
        self._slots = [Slot(i.key, i.alternatives, i.where) for i in infos]
        self._kinds = [i.kind for i in infos]
        self._alt_index = [{a: k for k, a in enumerate(s.alternatives)} for s in self._slots]
        self._renamable = frozenset(a for i in infos if i.kind == "name" for a in i.alternatives)
        occurrences = [
            Occurrence(code[t].start, code[t].end, slot)
            for slot, info in enumerate(infos)
            if info.kind != "struct"
            for t in info.tokens
        ]
        occurrences += _comment_occurrences(all_tokens, code, scope, infos)
        choices = [(info.choice, slot) for slot, info in enumerate(infos) if info.choice is not None]
        # Reading lexes leaks without treating directives specially; so does the template.
        flat_all = lex_c(self.source, directives=False)
        self._tree = TreeTemplate(
            self.source, flat_all, occurrences, choices, [s.alternatives for s in self._slots]
        )
        self._pp_lines = [t.text for t in all_tokens if t.kind == "pp"]
        # The template's tokens come from lexing without directives; a copy is lexed once,
        # with them, so the tokens of directive lines are compared as whole lines instead.
        pp_spans = [(t.start, t.end) for t in all_tokens if t.kind == "pp"]
        self._in_directives = frozenset(
            i for i, t in enumerate(flat_all) if any(a <= t.start < b for a, b in pp_spans)
        )
        flat = [t for t in flat_all if t.kind != "comment"]
        flat_index = {t.start: i for i, t in enumerate(flat)}
        self._flat_pos = {i: flat_index[t.start] for i, t in enumerate(flat_all) if t.kind != "comment"}
        self._exact = _keys(flat, self._renamable)
        self._names = NameSets(scope, code, all_tokens, macros)
        self._constants = constant_macros(self.source)
        self._abstract = self._names.keys(flat, self._constants)
        self._known = frozenset(k for k in self._abstract if k.startswith("I:"))
        self._flat = flat
        self._struct_slots = [k for k, kind in enumerate(self._kinds) if kind == "struct"]
        zeros = [0] * len(self._slots)
        self._zero_spans: dict[int, tuple[int, int]] = {}
        self._zero_tokens = self._tree.tokens(zeros, self._zero_spans)
        self._zero_abstract = self._expected_keys(self._zero_tokens, abstract=True)
        self._form_keys = {
            slot: [
                self._expected_keys(self._tree.form_tokens(slot, f, zeros), abstract=True)
                for f in range(self._slots[slot].q)
            ]
            for slot in self._struct_slots
        }
        self._unique = unique_contexts(self._zero_abstract, self._zero_spans)
        # Swapped definitions are read by finding each function whole in the leak.
        self._pairs: dict[int, tuple[list[str], list[str]]] = {}
        for slot in self._struct_slots:
            choice = self._infos[slot].choice
            if choice is not None and choice.kind == "definitions":
                whole = self._tree.form_tokens(slot, 0, zeros)
                (a, b), (c, d) = _halves(choice, whole)
                self._pairs[slot] = (
                    self._expected_keys(whole[a:b], abstract=True),
                    self._expected_keys(whole[c:d], abstract=True),
                )
        self._base = len(self._slots)
        self._define_runs = find_define_runs(self.source)
        for r, run in enumerate(self._define_runs):
            for digit, q in enumerate(run.sizes()):
                alternatives = ("kept", *(f"line {k + 1} of those left" for k in range(1, q)))
                key = f"defines:{r}:{digit}"
                where = (
                    f"order of the {len(run.blocks)} #define lines on lines {run.blocks[0][0] + 1}-"
                    f"{run.blocks[-1][1]}: position {digit + 1}"
                )
                self._slots.append(Slot(key, alternatives, where))
                self._infos.append(_SlotInfo("defines", len(code), alternatives, where, key, ()))
                self._kinds.append("defines")
                self._alt_index.append({})
        everything = [0] * len(self._slots)
        self._check_copy(self._render_text(everything), everything)
        self.compiler_check = check_with_compiler(self) if compiler_check else "not run"

    def _define_orders(self, codeword: Sequence[int]) -> list[list[int]]:
        out, at = [], self._base
        for run in self._define_runs:
            out.append(order_from_digits(len(run.blocks), [int(d) for d in codeword[at : at + run.slots]]))
            at += run.slots
        return out

    def _render_text(self, codeword: Sequence[int]) -> str:
        """The tree rendered, then each run of ``#define`` lines in the codeword's order
        (no choice moves a directive or changes a line count, so the runs' lines hold)."""
        text = self._tree.render(codeword)
        if not self._define_runs:
            return text
        return "".join(permute(split_lines(text), self._define_runs, self._define_orders(codeword)))

    @property
    def template(self) -> Template:
        raise AttributeError("a C carrier renders through a tree of nested choices, not a flat template")

    def render(self, codeword: Sequence[int]) -> bytes:
        check_codeword(codeword, self._slots)
        copy = self._render_text(codeword)
        self._check_copy(copy, codeword)
        return copy.encode("utf-8")

    def read(self, leak: bytes | str) -> Reading:
        text = _without_quotes(decode_leak(leak))
        digits: list[int | None] = []
        runs = getattr(self, "_define_runs", [])
        if runs:
            # The #define runs first, by the shape of each line; a run read whole is put
            # back in the original's order so the rest aligns as it always did.
            by_run = read_runs(leak_items(text), runs)
            digits = [d for run_digits in by_run for d in run_digits]
            text = _in_original_order(text, runs, by_run)
        reading = self._read_tokens([t for t in lex_c(text, directives=False) if t.kind != "comment"], text)
        if reading.read < len(self._slots) // 2 and "//" in text:
            # Maybe the line breaks were lost and a // comment swallowed the code after it.
            again = self._read_tokens(lex_c(text, directives=False, line_comments=False), text)
            if again.read > reading.read:
                reading = again
        if not runs:
            return reading
        symbols, confidence = reading.symbols.copy(), reading.confidence.copy()
        for k, d in enumerate(digits):
            symbols[self._base + k] = ERASED if d is None else d
            confidence[self._base + k] = 0.0 if d is None else 1.0
        return Reading(symbols, confidence)

    def _read_tokens(self, tokens: list[Token], text: str) -> Reading:
        n = len(self._slots)
        symbols = np.full(n, ERASED, dtype=np.int64)
        confidence = np.zeros(n, dtype=np.float64)
        if not tokens:
            return Reading(symbols, confidence)
        # 1. Structure, on keys where every name the program defines is one symbol: a
        #    retyped copy has other names but the same shape. Swapped definitions first
        #    (found by likeness, wherever they are), then the other choices on the original
        #    rearranged as those say.
        leak_abstract = abstract_leak_keys(self._names.keys(tokens, constant_macros(text)), self._known)
        for slot, (symbol, conf) in read_definitions(self._pairs, leak_abstract, c_segments(tokens)).items():
            symbols[slot], confidence[slot] = symbol, conf
        leak_segments = c_segments(tokens)
        unread = set(self._struct_slots) - set(self._pairs)
        pairs: dict[int, int] | None = None  # which leak function goes with which: found once
        for _ in range(READ_PASSES):
            # Each pass aligns against the original with every choice read so far in place,
            # so the runs around the choices still unread grow longer.
            base = [max(int(symbols[k]), 0) if self._kinds[k] == "struct" else 0 for k in range(n)]
            spans: dict[int, tuple[int, int]] = {}
            expected = self._tree.tokens(base, spans)
            found, pairs = read_structure(
                self._expected_keys(expected, abstract=True),
                {k: v for k, v in spans.items() if k in unread},
                self._form_keys,
                leak_abstract,
                c_segments([Token(e.kind, e.text, 0, 0) for e in expected]),
                leak_segments,
                self._unique,
                pairs,
            )
            for slot, (symbol, conf) in found.items():
                symbols[slot], confidence[slot] = symbol, conf
            unread -= set(found)
            if not found or not unread:
                break
        # 2. Names and literal spellings, aligned on the same abstract keys against the
        #    original rearranged as the structure just read says (an unread choice as in
        #    the original). A name reads only where the leak spells one of its alternatives.
        base = [max(int(symbols[k]), 0) if self._kinds[k] == "struct" else 0 for k in range(n)]
        spelled = self._spell(base, tokens, leak_abstract, leak_segments)
        # Two look-alike functions whose order was not read may each align with the other:
        # a name or literal counts only if it reads the same with the pairs in either order.
        unsure = [
            k
            for k, info in enumerate(self._infos[:n])
            if info.choice is not None and info.choice.kind == "definitions" and symbols[k] == ERASED
        ]
        swapped = None
        if unsure:
            other = list(base)
            for k in unsure:
                other[k] = 1
            swapped = self._spell(other, tokens, leak_abstract, leak_segments)
        for k in range(n):
            if self._kinds[k] == "struct" or spelled.symbols[k] == ERASED:
                continue
            # Anywhere, not only inside the pair: a leak cut inside the second function
            # (the first 40% of a copy) can pair it with a look-alike further down.
            if swapped is not None and swapped.symbols[k] != spelled.symbols[k]:
                continue
            symbols[k], confidence[k] = spelled.symbols[k], spelled.confidence[k]
        return Reading(symbols, confidence)

    def _spell(
        self, base: list[int], tokens: list[Token], leak_abstract: list[str], leak_segments: list[int]
    ) -> Reading:
        """Names and literal spellings read against the original arranged as ``base`` says."""
        n = len(base)
        expected = self._tree.tokens(base)
        keys = self._expected_keys(expected, abstract=True)
        sites = {i: e.slot for i, e in enumerate(expected) if e.slot is not None}

        def classify(slot: int, tok: Token) -> int | None:
            if self._kinds[slot] == "name" and tok.kind != "name":
                return None
            if self._kinds[slot] == "int" and tok.kind != "number":
                return None
            return self._alt_index[slot].get(tok.text)

        return read_aligned(
            keys,
            sites,
            tokens,
            leak_abstract,
            n,
            classify,
            c_segments([Token(e.kind, e.text, 0, 0) for e in expected]),
            leak_segments,
        )

    def _expected_keys(self, expected: Sequence[ExpectedToken], abstract: bool) -> list[str]:
        out = []
        fresh = [e for e in expected if e.source is None]
        fresh_keys = iter(
            self._names.keys([Token(e.kind, e.text, 0, 0) for e in fresh], self._constants)
            if abstract
            else _keys([Token(e.kind, e.text, 0, 0) for e in fresh], self._renamable)
        )
        for e in expected:
            if e.source is None:
                out.append(next(fresh_keys))
                continue
            pos = self._flat_pos[e.source]
            if abstract:
                out.append(self._abstract[pos])
            elif e.slot is not None and self._kinds[e.slot] == "name":
                out.append(NAME_KEY)
            else:
                out.append(self._exact[pos])
        return out

    def _check_copy(self, copy: str, codeword: Sequence[int]) -> None:
        runs = getattr(self, "_define_runs", [])
        if runs:
            # The copy is the text below with each #define run in the codeword's order:
            # check that it is exactly that, then check the text as every copy is checked.
            orders = self._define_orders(codeword)
            ordered = "".join(unpermute(split_lines(copy), runs, orders))
            if "".join(permute(split_lines(ordered), runs, orders)) != copy:
                raise RenderError("the copy's #define lines do not sit where their runs say")
            moved = [
                line
                for a, b in (blk for run in runs for blk in run.blocks)
                for line in split_lines(copy)[a:b]
            ]
            if any(not _DEFINE_LINE.match(line) for line in moved):
                raise RenderError("a line that moved in the copy is not a #define line")
            copy = ordered
        lexed = lex_c(copy)
        tokens = [t for t in lexed if t.kind not in ("comment", "pp")]
        expected = self._tree.texts(codeword, self._in_directives)
        if len(tokens) != len(expected):
            raise RenderError("the copy does not lex to the original's tokens")
        for tok, want in zip(tokens, expected, strict=True):
            if tok.text != want or not tok.closed:
                raise RenderError(f"token {tok.text!r} in the copy should be {want!r}")
        if [t.text for t in lexed if t.kind == "pp"] != self._pp_lines:
            raise RenderError("the copy changed a preprocessor line")

    def renamed_symbols(self, codeword: Sequence[int]) -> dict[str, str]:
        """The copy's names that differ from the original's, mapped back to them."""
        return {
            info.alternatives[codeword[k]]: info.original
            for k, info in enumerate(self._infos)
            if info.kind == "name" and codeword[k] != 0
        }

    def functions_changed_by_analysis(self, codeword: Sequence[int]) -> set[str]:
        """Original names of the functions holding a choice this codeword takes whose
        kind gcc may compile to other code (see ``_c_compile.ANALYSIS_PROVEN``)."""
        out = set()
        for k, info in enumerate(self._infos):
            if info.choice is None or codeword[k] == 0 or info.choice.kind not in ANALYSIS_PROVEN:
                continue
            for fn in self._functions:
                if fn.first <= info.choice.first <= fn.last:
                    out.add(fn.name)
        return out

    def struct_kinds(self) -> list[str | None]:
        """Per slot, the kind of structural choice it is, or None for names and literals."""
        return [
            info.choice.kind if info.choice is not None else "defines" if info.kind == "defines" else None
            for info in self._infos
        ]


def _in_original_order(text: str, runs: list[Run], by_run: list[list[int | None]]) -> str:
    """The leak with each #define run it shows whole (every digit read) in original order."""
    lines = split_lines(text)
    at = leak_define_lines(text)
    items = leak_items(text)
    for run, run_digits in zip(runs, by_run, strict=True):
        if any(d is None for d in run_digits):
            continue
        order = order_from_digits(len(run.blocks), [d or 0 for d in run_digits])
        want = [run.prints[k] for k in order]
        starts = [i for i in range(len(items) - len(want) + 1) if items[i : i + len(want)] == want]
        if len(starts) != 1:
            continue
        where = at[starts[0] : starts[0] + len(want)]
        if where != list(range(where[0], where[0] + len(want))):
            continue  # not adjacent lines in the leak: leave them
        texts = [lines[w] for w in where]
        for pos, item in enumerate(order):
            lines[where[0] + item] = texts[pos]
    return "".join(lines)


_DEFINE_LINE = re.compile(r"[ \t]*#[ \t]*define[ \t]")


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


# -- structure -----------------------------------------------------------------------


def _structure_slots(
    choices: list[Choice], source: str, flat: list[Token], names: NameSets, constants: dict[str, str]
) -> list[_SlotInfo]:
    """A slot per structural choice whose forms a retyped copy still tells apart."""
    starts = [t.start for t in flat]

    def form_keys(form: tuple[str | Piece, ...]) -> list[str]:
        tokens: list[Token] = []
        for piece in form:
            if isinstance(piece, Piece):
                a, b = bisect.bisect_left(starts, piece.start), bisect.bisect_left(starts, piece.end)
                tokens.extend(flat[a:b])
            else:
                tokens.extend(t for t in lex_c(piece, directives=False) if t.kind != "comment")
        return names.keys(tokens, constants)

    out = []
    for c in choices:
        keys = [tuple(form_keys(f)) for f in c.forms]
        if len(set(keys)) < len(keys):
            continue  # x == y: with every name one symbol, the forms look alike
        line = _line(source, c.start)
        out.append(
            _SlotInfo("struct", c.first, c.labels, c.where, f"{c.kind}:{line}:{c.first}", (), choice=c)
        )
    return out


def _halves(choice: Choice | None, tokens: list[ExpectedToken]) -> list[tuple[int, int]]:
    """Token ranges of the two definitions in a definitions choice's original form: the
    first ends with the first closing brace at depth 0."""
    depth = 0
    for i, tok in enumerate(tokens):
        if tok.text == "{":
            depth += 1
        elif tok.text == "}":
            depth -= 1
            if depth == 0:
                return [(0, i + 1), (i + 1, len(tokens))]
    raise AssertionError(f"no function body in {choice}")


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


# A write-up quotes lines of its PoC (a few lines at a time, in the write-up copy's form: its
# own literal spellings and operand order, the original's names and comments); read as the
# PoC copy's symbols they are another file's choices (issue 17: 6 of 13 wrong on
# CVE-2023-0461's German translation). In a leak with prose, only runs of C source of
# _POC_RUN_LINES lines or more (the PoC posted whole or in large part) are read; a leak
# without prose is read whole. The choice depends on the leak alone.
_POC_RUN_LINES = 40
_PROSE_WORDS = 50


def _without_quotes(text: str) -> str:
    lines = text.splitlines(keepends=True)
    runs = program_runs(lines)
    in_runs = {k for first, last in runs for k in range(first, last + 1)}
    prose = "".join(line for k, line in enumerate(lines) if k not in in_runs)
    if len(re.findall(r"[^\W\d_]{3,}", prose)) < _PROSE_WORDS:
        return text
    keep = {
        k
        for first, last in runs
        if sum(1 for k in range(first, last + 1) if lines[k].strip()) >= _POC_RUN_LINES
        for k in range(first, last + 1)
    }
    return "".join(
        line if k in keep else ("\n" if line.endswith("\n") else "") for k, line in enumerate(lines)
    )
