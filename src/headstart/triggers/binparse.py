"""Parse bytes against a specification, field by field, recording every offset."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from .errors import ParseError, TriggerError
from .expr import Expr, ExprError, Scope, evaluate, truth
from .parsed import Field, ParsedFile, Struct, member_value
from .spec import ROOT, FieldDef, Spec, TypeDef

MAX_REPEAT = 1_000_000
MAX_DEPTH = 64


def _set_member(st: Struct, key: str, node: Any) -> None:
    st.members[key] = node


class _Parser:
    def __init__(self, spec: Spec, data: bytes, lenient: bool) -> None:
        self.spec = spec
        self.data = data
        self.lenient = lenient
        self.fields: list[Field] = []
        self.problems: list[str] = []

    # -- expressions -------------------------------------------------------------------

    def scope(self, st: Struct, extra: dict[str, Any] | None = None) -> Scope:
        def lookup(name: str) -> Any:
            if extra and name in extra:
                return extra[name]
            return st.attribute(name)

        return Scope(lookup)

    def value(self, expr: Expr, st: Struct, path: str, pos: int, what: str,
              extra: dict[str, Any] | None = None) -> Any:
        st.io.pos = pos
        try:
            return evaluate(expr.node, self.scope(st, extra))
        except ExprError as exc:
            raise ParseError(f"cannot evaluate {what} ({expr.source}): {exc}", path, pos) from None

    def count(self, expr: Expr, st: Struct, path: str, pos: int, what: str) -> int:
        n = self.value(expr, st, path, pos, what)
        if isinstance(n, bool) or not isinstance(n, int):
            raise ParseError(f"{what} ({expr.source}) is not a number", path, pos)
        if n < 0:
            raise ParseError(f"{what} ({expr.source}) is negative: {n}", path, pos)
        return n

    # -- structures ----------------------------------------------------------------------

    def parse_struct(self, st: Struct, typedef: TypeDef, start: int, end: int, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise ParseError(f"types nest more than {MAX_DEPTH} deep", st.path, start)
        pos = start
        for f in typedef.fields:
            path = st.child_path(f.id)
            if f.if_expr is not None and not self.condition(f.if_expr, st, path, pos, "if"):
                continue
            if f.repeat is None:
                pos = self.parse_one(f, st, path, pos, end, depth, functools.partial(_set_member, st, f.id))
            else:
                pos = self.parse_repeat(f, st, path, pos, end, depth)
            st.size = pos - start
        st.io.pos = pos
        return pos

    def condition(self, expr: Expr, st: Struct, path: str, pos: int, what: str,
                  extra: dict[str, Any] | None = None) -> bool:
        value = self.value(expr, st, path, pos, what, extra)
        try:
            return truth(value)
        except ExprError as exc:
            raise ParseError(f"{what} ({expr.source}): {exc}", path, pos) from None

    def parse_repeat(self, f: FieldDef, st: Struct, path: str, pos: int, end: int, depth: int) -> int:
        items: list[Any] = []
        st.members[f.id] = items
        if f.repeat == "expr":
            assert f.repeat_expr is not None
            n = self.count(f.repeat_expr, st, path, pos, "repeat-expr")
            if n > MAX_REPEAT:
                raise ParseError(f"repeat-expr asks for {n} elements, more than {MAX_REPEAT}", path, pos)
            for i in range(n):
                pos = self.parse_one(f, st, f"{path}[{i}]", pos, end, depth, items.append)
            return pos
        i = 0
        while True:
            if f.repeat == "eos" and pos >= end:
                return pos
            if f.repeat == "until" and pos >= end:
                raise ParseError("the data ends before repeat-until holds", path, pos)
            if i >= MAX_REPEAT:
                raise ParseError(f"more than {MAX_REPEAT} elements", path, pos)
            before = pos
            pos = self.parse_one(f, st, f"{path}[{i}]", pos, end, depth, items.append)
            if pos == before:
                raise ParseError("an element took no bytes, so the repetition would never end", f"{path}[{i}]", pos)
            if f.repeat == "until":
                assert f.repeat_until is not None
                last = member_value(items[-1])
                if self.condition(f.repeat_until, st, f"{path}[{i}]", pos, "repeat-until", {"_": last, "_index": i}):
                    return pos
            i += 1

    # -- one field -------------------------------------------------------------------

    def parse_one(self, f: FieldDef, st: Struct, path: str, pos: int, end: int, depth: int,
                  place: Callable[[Any], None]) -> int:
        data = self.data
        if f.kind == "int":
            n = f.int_size
            if pos + n > end:
                raise ParseError(f"needs {n} bytes for {f.type_text}, only {max(end - pos, 0)} remain", path, pos)
            value = int.from_bytes(data[pos:pos + n], "little" if f.endian == "le" else "big", signed=f.signed)
            self.leaf(Field(path, pos, n, value, f), place)
            return pos + n
        if f.kind == "contents":
            assert f.contents is not None
            n = len(f.contents)
            found = data[pos:min(pos + n, end)]
            if found != f.contents:
                message = (f"expected {f.contents.hex(' ')} ({_show(f.contents)}), "
                           f"found {found.hex(' ') or 'the end of the data'}")
                if not self.lenient or len(found) < n or (not self.fields and pos == 0):
                    raise ParseError(message, path, pos)
                self.problems.append(f"{path} at {pos:#x}: {message}")
            self.leaf(Field(path, pos, n, bytes(found), f), place)
            return pos + n
        if f.kind == "struct":
            typedef = self.spec.type_named(f.user_type or ROOT)
            sub_end = end
            if f.size is not None:
                size = self.count(f.size, st, path, pos, "size")
                sub_end = pos + size
                if sub_end > end:
                    raise ParseError(f"size {size} runs past the end of the data ({end - pos} bytes remain)", path, pos)
            elif f.size_eos:
                sub_end = end
            child = Struct(typedef, path, pos, sub_end, st, st.root)
            place(child)
            stop = self.parse_struct(child, typedef, pos, sub_end, depth + 1)
            return sub_end if (f.size is not None or f.size_eos) else stop
        # bytes or str
        size = self.count(f.size, st, path, pos, "size") if f.size is not None else max(end - pos, 0)
        raw = data[pos:pos + size] if pos + size <= end else data[pos:end]
        if len(raw) < size:
            if self.lenient and raw:
                self.leaf(Field(path, pos, len(raw), self.decode(f, raw, path, pos), f, truncated=True), place)
            raise ParseError(f"needs {size} bytes, only {max(end - pos, 0)} remain", path, pos)
        self.leaf(Field(path, pos, size, self.decode(f, raw, path, pos), f), place)
        return pos + size

    def decode(self, f: FieldDef, raw: bytes, path: str, pos: int) -> Any:
        if f.kind != "str":
            return bytes(raw)
        try:
            return raw.decode(f.encoding or "ascii")
        except UnicodeDecodeError as exc:
            message = f"not valid {f.encoding}: byte {raw[exc.start]:#04x} at offset {pos + exc.start:#x}"
            if not self.lenient:
                raise ParseError(message, path, pos) from None
            self.problems.append(f"{path}: {message}")
            return raw.decode(f.encoding or "ascii", errors="replace")

    def leaf(self, field: Field, place: Callable[[Any], None]) -> None:
        place(field)
        self.fields.append(field)


def _show(data: bytes) -> str:
    return repr(data.decode("latin-1")) if all(0x20 <= b < 0x7F for b in data) else f"{len(data)} bytes"


def parse(spec: Spec, data: bytes, *, lenient: bool = False) -> ParsedFile:
    """Parse ``data`` against ``spec``: every field with its path, offset, size and value.

    Strict (the default): any mismatch raises ParseError naming the field and offset.
    Lenient: read as far as possible; the ParsedFile's ``error`` says where it stopped.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TriggerError(f"parse needs bytes, not {type(data).__name__}")
    parser = _Parser(spec, data, lenient)
    root = Struct(spec.root, "", 0, len(data), None, None)
    error: ParseError | None = None
    try:
        end = parser.parse_struct(root, spec.root, 0, len(data), 0)
        if end < len(data):
            raise ParseError(f"{len(data) - end} bytes are left over after the last field", "", end)
    except ParseError as exc:
        if not lenient:
            raise
        error = exc
    except RecursionError:
        raise ParseError("the types nest too deeply", "", 0) from None
    return ParsedFile(data, root, parser.fields, error, parser.problems)
