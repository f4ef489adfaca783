"""Python source PoCs: marks in names and literal spellings that mean the same program.

Slots (found with libcst's scope analysis, deterministic for a given original):

* **names**: every local variable, every parameter nobody outside the module can pass
  by keyword (parameters of private or nested functions, positional-only ones, ``*args``
  and ``**kwargs``), and module-private names (``_helper``). One slot per variable; its
  occurrences are every binding and use, and the keyword at call sites inside the module.
  Alternatives are plausible synonyms (``buf``/``buffer``/``data``) that appear nowhere in
  the variable's function, are not builtins or keywords, and are not offered to any other
  slot of that function (module-private names: of the whole file), so no renaming can
  capture another name.
* **integer literal forms**: decimal or hexadecimal, digit grouping with underscores, and
  hex digit case. Base and grouping survive black, ruff and autopep8; black and ruff
  upper-case hex digits, so a leak whose hex literals are all upper case reads case-only
  differences as erasures.
* **byte-string spellings**: ``b"TIM1"`` or ``b"\\x54\\x49\\x4d\\x31"``, ``b"\\x00"`` or
  ``b"\\0"``. Formatters keep escapes (black only lower-cases their hex digits, and only
  lower-case escapes are generated); quote style is never a mark, black rewrites it.

Every copy is checked on render: it compiles; its AST equals the original's once the
chosen names are mapped back (literal values compare equal by value and type); and its
symbol tables, names spelled back, equal the original's, so no renaming captured a name
(a helper renamed ``print`` would pass the AST check but not this one).

Reading lexes the leak with a tolerant lexer (no parse needed: excerpts cut mid-function,
code pasted without indentation and unformatted text all read) and aligns its tokens
with the original's; see ``source_common``.
"""

from __future__ import annotations

import ast
import re
import symtable
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from headstart.carriers._lexers import Token, lex_python
from headstart.carriers._line_orders import Run, order_from_digits, permute, read_runs, split_lines, unpermute
from headstart.carriers._python_structure import find_runs, leak_statements, token_orders
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
from headstart.carriers.literal_forms import bytes_body, classify_int_spelling, hex_is_canonical
from headstart.carriers.source_common import (
    NAME_KEY,
    Occurrence,
    SourceParseError,
    TemplateSourceCarrier,
    build_template,
    check_source_text,
    comment_occurrences,
    python_segments,
    read_aligned,
)

if TYPE_CHECKING:
    import libcst as cst

__all__ = ["PythonCarrier", "SourceParseError"]


class PythonCarrier(TemplateSourceCarrier):
    """A Python PoC script: renders marked copies and reads leaked ones."""

    kind: ClassVar[str] = "poc-source-python"

    def __init__(self, source: str) -> None:
        self.source = check_source_text(source, "Python source")
        try:
            self._tree = ast.parse(self.source)
            compile(self._tree, "<original>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise SourceParseError(f"the Python source does not parse: line {exc.lineno}: {exc.msg}") from exc
        except ValueError as exc:
            raise SourceParseError(f"the Python source does not parse: {exc}") from exc
        import libcst as cst  # for slot discovery only: a carrier loaded from the store never needs it

        try:
            module = cst.parse_module(self.source)
        except cst.ParserSyntaxError as exc:
            raise SourceParseError(
                f"the Python source does not parse: {exc.message} (line {exc.raw_line})"
            ) from exc
        self._nonce = _nonce(self.source)
        self._orig_sites, self._orig_shape = _walk(self._tree)
        self._original_tables = _spelled_back(_symbol_tables(self.source), {})
        # Build, then prove the generic copy equivalent; a slot that fails (a blind spot
        # of the scope analysis on unusual code) is dropped and the rest rebuilt, rather
        # than refusing the whole file or shipping a copy that means something else.
        excluded: set[str] = set()
        for _ in range(3):
            self._build(module, excluded)
            unsafe = self._unsafe_slots()
            if not unsafe:
                break
            excluded |= unsafe
        else:
            raise RenderError("could not find a set of slots whose copies all mean the original program")
        if not self._slots:
            raise NoSlotsError(
                "the Python source has no renamable local, parameter or private name and no "
                "literal with an equivalent spelling: a copy would go out unmarked"
            )
        self._base = len(self._slots)
        self._runs = find_runs(self._tree, self.source)
        for r, run in enumerate(self._runs):
            for digit, q in enumerate(run.sizes()):
                alternatives = ("kept", *(f"statement {k + 1} of those left" for k in range(1, q)))
                self._slots.append(
                    Slot(f"order:{r}:{digit}", alternatives, _run_where(run, digit, self.source))
                )
                self._kinds.append("order")
                self._originals.append("")
                self._alt_index.append({})
        self._check_copy(self._render_text([0] * len(self._slots)), [0] * len(self._slots))

    def _build(self, module: cst.Module, excluded: set[str]) -> None:
        from headstart.carriers._python_slots import find_slots

        infos, node_slot = find_slots(module, self._nonce, excluded)
        self._slots = [Slot(i.key, i.alternatives, i.where) for i in infos]
        self._kinds = [i.kind for i in infos]
        self._originals = [i.original for i in infos]
        self._alt_index = [{a: k for k, a in enumerate(s.alternatives)} for s in self._slots]
        self._all_names = frozenset(
            a for s, k in zip(self._slots, self._kinds, strict=True) if k == "name" for a in s.alternatives
        )
        sentinel_code = _rename_in_comments(node_slot.code, node_slot.comment_names, self._nonce)
        self._template = _split_template(sentinel_code, self._nonce, self._slots)
        self._sentinel_code = sentinel_code
        self._literal_text = node_slot.literal_text
        self._keys, self._sites = self._original_keys(sentinel_code, node_slot.literal_text)
        self._segments = python_segments([t for t in lex_python(sentinel_code) if t.kind != "comment"])

    # -- the Carrier contract -------------------------------------------------------

    def render(self, codeword: Sequence[int]) -> bytes:
        check_codeword(codeword, self._slots)
        copy = self._render_text(codeword)
        self._check_copy(copy, codeword)
        return copy.encode("utf-8")

    def _orders(self, codeword: Sequence[int]) -> list[list[int]]:
        out, at = [], self._base
        for run in getattr(self, "_runs", []):
            out.append(order_from_digits(len(run.blocks), [int(d) for d in codeword[at : at + run.slots]]))
            at += run.slots
        return out

    def _render_text(self, codeword: Sequence[int]) -> str:
        """The template with the names and literals in place, then each run's statements
        in the order the codeword says (both keep every line's count, so the runs' line
        spans hold in the rendered text)."""
        text = self._template.render(list(codeword[: self._base]))
        if not getattr(self, "_runs", None):
            return text
        return "".join(permute(split_lines(text), self._runs, self._orders(codeword)))

    def read(self, leak: bytes | str) -> Reading:
        text = decode_leak(leak)
        # The order of the runs first: the names and literals are then read against the
        # original arranged in that order, so a moved function aligns with itself.
        runs = getattr(self, "_runs", [])
        digits = [d for run_digits in read_runs(leak_statements(text), runs) for d in run_digits]
        tokens = [t for t in lex_python(text) if t.kind != "comment"]
        reading = self._read_tokens(tokens, self._arranged(digits, tokens))
        if reading.read < self._base // 2 and "#" in text:
            # Maybe the line breaks were lost and a comment swallowed the code after it.
            tokens = lex_python(text, line_comments=False)
            again = self._read_tokens(tokens, self._arranged(digits, tokens))
            if again.read > reading.read:
                reading = again
        if not runs:
            return reading
        symbols = np.array([ERASED if d is None else d for d in digits], dtype=np.int64)
        confidence = np.array([0.0 if d is None else 1.0 for d in digits], dtype=np.float64)
        return Reading(
            np.concatenate([reading.symbols[: self._base], symbols]),
            np.concatenate([reading.confidence[: self._base], confidence]),
        )

    def _arranged(
        self, digits: Sequence[int | None], tokens: list[Token]
    ) -> tuple[list[str], dict[int, int], list[int]]:
        """The original's token keys, slot sites and segments with its runs in the order the
        leak shows them: as read, or where a run could not be read (the leak does not
        parse), as its statements' tokens are found in the leak."""
        if not getattr(self, "_runs", None):
            return self._keys, self._sites, self._segments
        orders: list[list[int]] = []
        guessed: list[list[int] | None] | None = None
        at = 0
        for r, run in enumerate(self._runs):
            run_digits = digits[at : at + run.slots]
            at += run.slots
            if run_digits and run_digits[0] is not None:
                orders.append(order_from_digits(len(run.blocks), [d or 0 for d in run_digits]))
                continue
            if guessed is None:
                guessed = token_orders(_keys(tokens, self._all_names), self._item_keys(), self._runs)
            orders.append(guessed[r] or list(range(len(run.blocks))))
        if all(order == sorted(order) for order in orders):
            return self._keys, self._sites, self._segments
        lines = split_lines(self._sentinel_code)
        code = "".join(permute(lines, self._runs, orders))
        keys, sites = self._original_keys(code, self._literal_text)
        return keys, sites, python_segments([t for t in lex_python(code) if t.kind != "comment"])

    def _item_keys(self) -> list[list[list[str]]]:
        """Each run's statements as token keys (what ``token_orders`` looks for)."""
        if getattr(self, "_item_keys_cache", None) is None:
            lines = split_lines(self._sentinel_code)
            self._item_keys_cache = [
                [self._original_keys("".join(lines[a:b]), self._literal_text)[0] for a, b in run.blocks]
                for run in self._runs
            ]
        return self._item_keys_cache

    def _read_tokens(
        self, tokens: list[Token], arranged: tuple[list[str], dict[int, int], list[int]]
    ) -> Reading:
        keys = _keys(tokens, self._all_names)
        canonical_hex = hex_is_canonical(tokens)

        def classify(slot: int, tok: Token) -> int | None:
            kind = self._kinds[slot]
            if kind == "name":
                return self._alt_index[slot].get(tok.text) if tok.kind == "name" else None
            if kind == "int":
                return (
                    classify_int_spelling(tok.text, self._slots[slot].alternatives, canonical_hex)
                    if tok.kind == "number"
                    else None
                )
            if tok.kind != "string":
                return None
            body = bytes_body(tok.text)
            for k, alt in enumerate(self._slots[slot].alternatives):
                if bytes_body(alt) == body:
                    return k
            return None

        original_keys, sites, segments = arranged
        return read_aligned(
            original_keys,
            sites,
            tokens,
            keys,
            self._base,
            classify,
            segments,
            python_segments(tokens),
        )

    # -- construction helpers -------------------------------------------------------

    def _original_keys(
        self, sentinel_code: str, literal_text: dict[int, str]
    ) -> tuple[list[str], dict[int, int]]:
        pattern = _marker_pattern(self._nonce)
        tokens = [t for t in lex_python(sentinel_code) if t.kind != "comment"]
        keys = _keys(tokens, self._all_names)
        sites: dict[int, int] = {}
        for i, tok in enumerate(tokens):
            m = pattern.fullmatch(tok.text) if tok.kind == "name" else None
            if m is None:
                continue
            slot = int(m.group(1))
            sites[i] = slot
            if self._kinds[slot] == "name":
                keys[i] = NAME_KEY
            else:
                original = Token(
                    "number" if self._kinds[slot] == "int" else "string", literal_text[slot], 0, 0
                )
                keys[i] = _keys([original], self._all_names)[0]
        return keys, sites

    def _marker(self, slot: int) -> str:
        return f"__hs{self._nonce}_{slot}__"

    def _generic(self, marked: Sequence[int]) -> str:
        """The original with the name slots in ``marked`` spelled by fresh markers."""
        spelling = [
            self._marker(i) if i in marked else (orig if k == "name" else s.alternatives[0])
            for i, (s, k, orig) in enumerate(zip(self._slots, self._kinds, self._originals, strict=True))
        ]
        return "".join(p if isinstance(p, str) else spelling[p] for p in self._template.parts)

    def _equivalent(self, generic: str, marked: Sequence[int]) -> bool:
        """Whether a generic copy is the original program up to the marked names: same AST
        shape, the same identifiers except a marker where the original has that slot's
        name, and the same symbol tables once the markers are spelled back."""
        pattern = _marker_pattern(self._nonce)
        try:
            tree = ast.parse(generic)
            tables = _symbol_tables(generic)
        except SyntaxError:
            return False
        sites, shape = _walk(tree)
        if shape != self._orig_shape or len(sites) != len(self._orig_sites):
            return False
        for orig, value in zip(self._orig_sites, sites, strict=True):
            m = pattern.fullmatch(value)
            if value != orig and (m is None or self._originals[int(m.group(1))] != orig):
                return False
        back = {self._marker(i): self._originals[i] for i in marked}
        return _spelled_back(tables, back) == self._original_tables

    def _unsafe_slots(self) -> set[str]:
        """Keys of the name slots whose renaming is not provably equivalent (usually none).
        When all are safe, precompute what every copy must match: for each identifier in
        traversal order its fixed spelling or its slot, and which slots each symbol table
        holds (so a copy's tables can be spelled back and compared with the original's)."""
        names = [i for i, k in enumerate(self._kinds) if k == "name"]
        generic = self._generic(names)
        if not self._equivalent(generic, names):
            unsafe = {self._slots[i].key for i in names if not self._equivalent(self._generic([i]), [i])}
            return unsafe or {self._slots[i].key for i in names}
        pattern = _marker_pattern(self._nonce)
        sites, _ = _walk(ast.parse(generic))
        self._expected = [
            (orig, int(m.group(1)) if (m := pattern.fullmatch(value)) else None)
            for orig, value in zip(self._orig_sites, sites, strict=True)
        ]
        self._slots_in_table = [
            sorted(
                {int(m.group(1)) for n in [name, *(sym[0] for sym in symbols)] if (m := pattern.fullmatch(n))}
            )
            for _, name, symbols in _symbol_tables(generic)
        ]
        return set()

    def _back_map(self, table: int, spelling: Sequence[str]) -> dict[str, str]:
        """Copy spelling -> original name for the slots seen in one symbol table; a clash
        (two variables of one scope spelled alike) means the renaming captured a name."""
        back: dict[str, str] = {}
        for slot in self._slots_in_table[table]:
            name = spelling[slot]
            if name in back:
                raise RenderError(f"two variables of one scope would both be called {name!r}")
            back[name] = self._originals[slot]
        return back

    def _check_reordering(self, copy: str, ordered: str, orders: list[list[int]]) -> None:
        """The copy's module body is the ordered text's, with each run's statements in
        the codeword's order and everything else where it was."""
        try:
            moved = ast.parse(copy).body
            kept = ast.parse(ordered).body
        except (SyntaxError, ValueError) as exc:
            raise RenderError(f"the copy does not compile: {exc}") from exc
        line_of = [s.lineno - 1 for s in kept]
        expected = list(kept)
        for run, order in zip(self._runs, orders, strict=True):
            index = [next(k for k, line in enumerate(line_of) if a <= line < b) for a, b in run.blocks]
            for pos, item in enumerate(order):
                expected[index[pos]] = kept[index[item]]
        if len(moved) != len(expected) or any(
            a != b for a, b in zip(_unlined(moved), _unlined(expected), strict=True)
        ):
            raise RenderError("the copy's statements are not the original's in the chosen order")

    def _check_copy(self, copy: str, codeword: Sequence[int]) -> None:
        runs = getattr(self, "_runs", [])
        if runs:
            # The copy is the program below with each run's statements reordered: the
            # analysis proved them independent, so what is checked here is that the copy
            # is exactly that reordering (statement by statement) of a copy that passes
            # every check up to the names.
            orders = self._orders(codeword)
            lines = split_lines(copy)
            ordered = "".join(unpermute(lines, runs, orders))
            if "".join(permute(split_lines(ordered), runs, orders)) != copy:
                raise RenderError("the copy's reordered statements do not sit where the runs say")
            self._check_reordering(copy, ordered, orders)
            copy = ordered
        try:
            tree = ast.parse(copy)
            compile(tree, "<copy>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            raise RenderError(f"the copy does not compile: {exc}") from exc
        sites, shape = _walk(tree)
        if len(sites) != len(self._expected) or shape != self._orig_shape:
            raise RenderError("the copy's AST differs from the original's beyond the renaming")
        alts = [s.alternatives for s in self._slots]
        for value, (orig, slot) in zip(sites, self._expected, strict=True):
            want = orig if slot is None else alts[slot][codeword[slot]]
            if value != want:
                raise RenderError(f"identifier {value!r} in the copy should be {want!r}")
        spelling = [s.alternatives[c] for s, c in zip(self._slots, codeword, strict=True)]
        tables = _symbol_tables(copy)
        if len(tables) != len(self._original_tables):
            raise RenderError("the copy's scopes differ from the original's")
        spelled = _spelled_back(tables, [self._back_map(k, spelling) for k in range(len(tables))])
        if spelled != self._original_tables:
            raise RenderError("in the copy some name refers to a different variable than in the original")


# -- slot discovery ------------------------------------------------------------------


def _unlined(statements: list[ast.stmt]) -> list[str]:
    return [ast.dump(s, include_attributes=False) for s in statements]


def _run_where(run: Run, digit: int, source: str) -> str:
    first = run.blocks[0][0] + 1
    last = run.blocks[-1][1]
    what = {"import": "imports", "constants": "constant assignments", "definitions": "function definitions"}[
        run.kind
    ]
    return f"order of the {len(run.blocks)} {what} on lines {first}-{last}: position {digit + 1}"


def _nonce(source: str) -> str:
    n = 0
    while f"__hs{n or ''}_" in source:
        n += 1
    return str(n or "")


# -- token keys ----------------------------------------------------------------------


def _keys(tokens: Sequence[Token], renamable: frozenset[str]) -> list[str]:
    """Keys formatters do not change: names, operators, literal *values*."""
    keys = []
    prev: Token | None = None
    for tok in tokens:
        kind, text = tok.kind, tok.text
        if kind == "name":
            if prev is not None and prev.kind == "op" and prev.text == ".":
                key = "A:" + text
            else:
                key = NAME_KEY if text in renamable else "I:" + text
        elif kind == "number":
            key = "#" + _number_value(text)
        elif kind == "string":
            key = "S:" + _string_value(tok)
        elif kind == "fstring":
            key = "F"
        else:
            key = ("O:" if kind == "op" else "X:") + text
        keys.append(key)
        prev = tok
    return keys


def _number_value(text: str) -> str:
    clean = text.replace("_", "")
    for conv in (lambda s: int(s, 0), float, complex):
        try:
            return repr(conv(clean))
        except ValueError:
            continue
    return text.lower()


def _string_value(tok: Token) -> str:
    if tok.closed:
        try:
            return repr(ast.literal_eval(tok.text))
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            pass
    return "?" + tok.text


# -- template and check helpers ------------------------------------------------------


def _rename_in_comments(code: str, scopes: list[tuple[tuple[int, int], dict[str, int]]], nonce: str) -> str:
    """Comments that mention a renamable identifier (``row_buf``) follow the renaming."""
    if not any(names for _, names in scopes):
        return code
    line_starts = [0] + [m.end() for m in re.finditer(r"\n", code)]
    pieces: list[str] = []
    pos = 0
    for tok in lex_python(code):
        if tok.kind != "comment":
            continue
        line = _line_of(line_starts, tok.start)
        names: dict[str, int] = {}
        for (first, last), usable in scopes:
            if first <= line <= last:
                names.update(usable)
        for occ in comment_occurrences(tok, names):
            pieces.append(code[pos : occ.start])
            pieces.append(f"__hs{nonce}_{occ.slot}__")
            pos = occ.end
    pieces.append(code[pos:])
    return "".join(pieces)


def _line_of(line_starts: list[int], offset: int) -> int:
    lo, hi = 0, len(line_starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if line_starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _marker_pattern(nonce: str) -> re.Pattern[str]:
    """Markers that stand for slot occurrences in the generic code: ``__hs<nonce>_<slot>__``."""
    return re.compile(rf"__hs{nonce}_(\d+)__")


def _split_template(code: str, nonce: str, slots: Sequence[Slot]) -> Template:
    occurrences = [
        Occurrence(m.start(), m.end(), int(m.group(1))) for m in _marker_pattern(nonce).finditer(code)
    ]
    return build_template(code, occurrences, slots)


# The fields of ast nodes that hold identifiers.
_ID_FIELDS = frozenset({"id", "arg", "name", "asname", "attr", "names", "rest", "module", "kwd_attrs"})


def _walk(tree: ast.AST) -> tuple[list[str], list[object]]:
    """One pass over the tree: every identifier in a fixed order, and the tree's shape
    without them (node types, list lengths, and every other field, constants as
    (type, value) so 1, 1.0 and True differ). Two trees with equal shapes and equal
    identifier lists are equal; with equal shapes they differ only in names, as an
    ``ast.dump`` with the names spelled back would show, in a fraction of the time."""
    sites: list[str] = []
    shape: list[object] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        shape.append(node.__class__)
        children = []
        for fld in node._fields:
            value = getattr(node, fld, None)
            if isinstance(value, ast.AST):
                children.append(value)
            elif isinstance(value, list):
                shape.append(len(value))
                for item in value:
                    if isinstance(item, ast.AST):
                        children.append(item)
                    elif fld in _ID_FIELDS and isinstance(item, str):
                        sites.append(item)
                    else:
                        shape.append((item.__class__, item))
            elif fld in _ID_FIELDS and isinstance(value, str):
                sites.append(value)
            else:
                shape.append((value.__class__, value))
        stack.extend(reversed(children))
    return sites, shape


def _symbol_tables(source: str) -> list[tuple[str, str, list[tuple]]]:
    """Every symbol table in a fixed order: its type, its name, and each symbol with the
    roles the compiler gave it (parameter, local, global, free, assigned, referenced...)."""
    out: list[tuple[str, str, list[tuple]]] = []
    top = symtable.symtable(source, "<src>", "exec")
    # A global reference means the module's binding if the module binds the name, else
    # the builtin: renaming a helper to "print" would silently change every print().
    module_bound = {
        s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()
    }
    stack = [top]
    while stack:
        table = stack.pop()
        symbols = [
            (
                s.get_name(),
                s.is_parameter(),
                s.is_global(),
                s.is_declared_global(),
                s.is_local(),
                s.is_free(),
                s.is_imported(),
                s.is_assigned(),
                s.is_referenced(),
                s.is_nonlocal(),
                s.is_global() and s.get_name() in module_bound,
            )
            for s in table.get_symbols()
        ]
        out.append((table.get_type(), table.get_name(), symbols))
        stack.extend(reversed(table.get_children()))
    return out


def _spelled_back(
    tables: list[tuple[str, str, list[tuple]]], maps: Sequence[dict[str, str]] | dict[str, str]
) -> list:
    """The tables with each name spelled as in the original: ``maps`` is one mapping for
    every table, or one per table."""
    per_table = [maps] * len(tables) if isinstance(maps, dict) else maps
    out = []
    for (kind, name, symbols), back in zip(tables, per_table, strict=True):
        out.append(
            (kind, back.get(name, name), sorted((back.get(sym[0], sym[0]), *sym[1:]) for sym in symbols))
        )
    return out
